/**
 * `npm run bench`: Gatehouse (SQLite, built dist, own process) against panva's oidc-provider (own
 * process) twice: storing its state in SQLite as Gatehouse does (the equivalent configuration), and
 * with its default in-memory storage. Same machine, same client, same load; each operation is
 * measured on one server at a time, alternating between them.
 * See bench/README.md. Options (or BENCH_* environment variables):
 *
 *   --duration=SECONDS     measured time per operation per server (5)
 *   --warmup=SECONDS       discarded warm-up before each measurement (1)
 *   --concurrency=N        concurrent workers, each with its own keep-alive connection (8)
 *   --rounds=N             slices the measured time is cut into, interleaved between servers (4)
 *   --ops=a,b              subset of: discovery, client_credentials, introspect, introspect_jwt, refresh_token, signin
 *   --targets=a,b          subset of: gatehouse, oidc-provider (SQLite storage), oidc-provider-memory
 *   --skip-build           use the existing dist/ instead of running `npm run build`
 *   --skip-ceiling         do not measure the load generator's ceiling against a bare node:http server
 *   --json=PATH            also write the raw results as JSON
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { HttpClient } from './lib/http.js';
import { measure, summarize, type LoadResult, type Sample } from './lib/load.js';
import { randomString } from './lib/pkce.js';
import { cpuTimeMs, freePort, startChild, waitUntilReady } from './lib/proc.js';
import { OPERATIONS, type Operation } from './ops.js';
import { renderTable, type Cell, type Row } from './report.js';
import { startGatehouse } from './targets/gatehouse.js';
import { startOidcProvider } from './targets/oidc-provider.js';
import type { BenchUser, Target } from './targets/target.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TARGETS = {
  gatehouse: startGatehouse,
  'oidc-provider': (users: BenchUser[], redirectUri: string) => startOidcProvider(users, redirectUri, 'sqlite'),
  'oidc-provider-memory': (users: BenchUser[], redirectUri: string) => startOidcProvider(users, redirectUri, 'memory'),
} as const;
type TargetKey = keyof typeof TARGETS;

interface Options {
  durationS: number;
  warmupS: number;
  concurrency: number;
  rounds: number;
  ops: string[];
  targets: TargetKey[];
  build: boolean;
  ceiling: boolean;
  json: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const args = new Map<string, string>();
  for (const a of argv) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    args.set(m[1]!, m[2] ?? 'true');
  }
  const get = (name: string, envName: string) => args.get(name) ?? process.env[envName];
  const num = (name: string, envName: string, dflt: number, min: number, max: number) => {
    const raw = get(name, envName);
    const n = raw === undefined ? dflt : Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be between ${min} and ${max}`);
    return n;
  };
  const list = <T extends string>(name: string, envName: string, all: readonly T[]): T[] => {
    const raw = get(name, envName);
    if (!raw) return [...all];
    const picked = raw.split(',').map((s) => s.trim()).filter(Boolean);
    for (const p of picked) if (!all.includes(p as T)) throw new Error(`--${name}: unknown "${p}" (known: ${all.join(', ')})`);
    return all.filter((a) => picked.includes(a));
  };
  return {
    durationS: num('duration', 'BENCH_DURATION', 5, 0.1, 120),
    warmupS: num('warmup', 'BENCH_WARMUP', 1, 0, 60),
    concurrency: Math.round(num('concurrency', 'BENCH_CONCURRENCY', 8, 1, 256)),
    rounds: Math.round(num('rounds', 'BENCH_ROUNDS', 4, 1, 20)),
    ops: list('ops', 'BENCH_OPS', OPERATIONS.map((o) => o.id)),
    targets: list('targets', 'BENCH_TARGETS', Object.keys(TARGETS) as TargetKey[]),
    build: get('skip-build', 'BENCH_SKIP_BUILD') === undefined,
    ceiling: get('skip-ceiling', 'BENCH_SKIP_CEILING') === undefined,
    json: get('json', 'BENCH_JSON'),
  };
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);

function build(): void {
  log('building Gatehouse (npm run build)…');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`npm run build failed (exit ${r.status ?? r.signal}); fix the build or pass --skip-build to use the existing dist/:\n${(r.stdout + r.stderr).slice(-3000)}`);
  }
}

/**
 * The load generator's own ceiling: the same loop against a bare node:http server returning a
 * fixed 2 kB JSON. A row whose figure comes near it is limited by the client, not the server.
 */
async function measureCeiling(opts: Options): Promise<LoadResult | string> {
  const port = await freePort();
  const child = startChild('bare node:http server', process.execPath, ['--import', 'tsx', 'bench/servers/bare-server.ts'], { BARE_PORT: String(port) }, ROOT);
  const http = new HttpClient(`http://127.0.0.1:${port}`, opts.concurrency);
  try {
    await waitUntilReady(child, `http://127.0.0.1:${port}/`, 30_000);
    const iteration = async () => {
      const res = await http.get('/', { accept: 'application/json' });
      if (res.status !== 200 || !res.body.startsWith('{"issuer"')) throw new Error(`bare server: HTTP ${res.status}`);
    };
    await measure({ concurrency: opts.concurrency, iteration }, 500);
    return summarize([await measure({ concurrency: opts.concurrency, iteration }, 3000)]);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    http.close();
    await child.stop();
  }
}

interface Running {
  key: TargetKey;
  name: string;
  target?: Target;
  http?: HttpClient;
  startError?: string;
}

/** Prepares `op` on one server and runs one probe iteration; a Cell when it cannot be measured. */
async function prepare(r: Running, op: Operation, opts: Options): Promise<((w: number) => Promise<void>) | Cell> {
  if (!r.target || !r.http) return { error: `server did not start: ${r.startError ?? '?'}` };
  try {
    if (op.needsSetup && r.target.setupError) return { error: `not measured, setup incomplete: ${r.target.setupError}` };
    const prepared = await op.prepare({ target: r.target, http: r.http, concurrency: opts.concurrency });
    if ('skip' in prepared) return { skip: prepared.skip };
    await prepared(0); // one probe: a broken endpoint is reported, not hammered for the whole period
    return prepared;
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Measures one operation on every server. The measured time is cut into `rounds` slices per
 * server, run in ABBA order (A B, B A, A B…), so that a change in background load during the run
 * falls on both servers alike instead of on whichever ran second.
 */
async function benchOperation(op: Operation, servers: Running[], opts: Options): Promise<Cell[]> {
  const cells: (Cell | undefined)[] = [];
  const iterations: (((w: number) => Promise<void>) | undefined)[] = [];
  for (const r of servers) {
    const p = await prepare(r, op, opts);
    if (typeof p === 'function') {
      iterations.push(p);
      cells.push(undefined);
    } else {
      iterations.push(undefined);
      cells.push(p);
    }
  }
  const samples: Sample[][] = servers.map(() => []);
  // Server CPU time over the measured slices only (not the warm-up); undefined once unreadable.
  const cpuMs: (number | undefined)[] = servers.map(() => 0);
  const warmed = new Set<number>();
  const sliceMs = (opts.durationS * 1000) / opts.rounds;
  for (let round = 0; round < opts.rounds; round++) {
    const order = servers.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const iteration = iterations[i];
      if (!iteration) continue;
      if (!warmed.has(i) && opts.warmupS > 0) await measure({ concurrency: opts.concurrency, iteration }, opts.warmupS * 1000);
      warmed.add(i);
      const pid = servers[i]!.target?.pid();
      const cpuBefore = cpuTimeMs(pid);
      samples[i]!.push(await measure({ concurrency: opts.concurrency, iteration }, sliceMs));
      const cpuAfter = cpuTimeMs(pid);
      const spent = cpuMs[i];
      cpuMs[i] = spent !== undefined && cpuBefore !== undefined && cpuAfter !== undefined ? spent + cpuAfter - cpuBefore : undefined;
    }
  }
  return servers.map((r, i) => {
    let cell: Cell;
    const pre = cells[i];
    if (pre) {
      cell = pre;
    } else {
      const result = summarize(samples[i]!);
      const cpu = cpuMs[i];
      if (cpu !== undefined && result.ok > 0) result.cpuMsPerOk = cpu / result.ok;
      cell = { result };
    }
    const summary = 'result' in cell
      ? `${cell.result.rps.toFixed(1)} req/s, p50 ${cell.result.p50Ms.toFixed(2)} ms, p99 ${cell.result.p99Ms.toFixed(2)} ms${cell.result.cpuMsPerOk !== undefined ? `, server CPU ${cell.result.cpuMsPerOk.toFixed(2)} ms/req` : ''}${cell.result.errors ? `, ${cell.result.errors} errors` : ''}`
      : 'skip' in cell ? cell.skip : `FAILED: ${cell.error}`;
    log(`  ${op.label.padEnd(34)} ${r.name.padEnd(24)} ${summary}`);
    return cell;
  });
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const loadBefore = os.loadavg()[0] ?? 0;
  if (opts.build && opts.targets.includes('gatehouse')) build();

  const run = randomString(4).toLowerCase().replace(/[^a-z0-9]/g, 'x');
  const users: BenchUser[] = Array.from({ length: opts.concurrency }, (_, i) => ({
    login: `bench.user${i}.${run}@bench.example`,
    password: `Bench-${randomString(9)}-Pw${i}`,
  }));
  // Never contacted: the load generator reads the code from the Location header.
  const redirectUri = 'http://127.0.0.1:9/callback';

  // Both servers are started up front (an idle one costs no CPU) so operations can be interleaved.
  const servers: Running[] = [];
  const notes: string[] = [];
  try {
    for (const key of opts.targets) {
      log(`starting ${key}…`);
      try {
        const target = await TARGETS[key](users, redirectUri);
        servers.push({ key, name: target.name, target, http: new HttpClient(target.baseUrl, opts.concurrency) });
        log(`  ${target.name} at ${target.baseUrl}`);
        for (const n of target.notes) log(`  note: ${n}`);
        notes.push(...target.notes.map((n) => `${target.name}: ${n}`));
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        log(`  ${key} could not be started: ${msg}`);
        servers.push({ key, name: key, startError: msg.split('\n')[0] ?? msg });
      }
    }
    log(`measuring: ${opts.concurrency} workers, ${opts.warmupS} s warm-up + ${opts.durationS} s per operation per server in ${opts.rounds} interleaved slices`);
    const ops = OPERATIONS.filter((o) => opts.ops.includes(o.id));
    const rows: Row[] = [];
    for (const op of ops) rows.push({ label: op.label, cells: await benchOperation(op, servers, opts) });
    let ceiling: LoadResult | string | undefined;
    if (opts.ceiling) {
      ceiling = await measureCeiling(opts);
      log(`  load generator ceiling (bare node:http server) ${typeof ceiling === 'string' ? `FAILED: ${ceiling}` : `${ceiling.rps.toFixed(0)} req/s`}`);
    }
    report(opts, started, loadBefore, servers.map((r) => r.name), rows, notes, ceiling);
  } finally {
    for (const r of servers) {
      r.http?.close();
      await r.target?.stop();
    }
  }
}

function report(opts: Options, started: number, loadBefore: number, names: string[], rows: Row[], notes: string[], ceiling: LoadResult | string | undefined): void {
  const { table, footnotes } = renderTable(names, rows);
  const cpus = os.cpus();
  const out = [
    '',
    `Gatehouse benchmark — ${new Date().toISOString()}`,
    `node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `${opts.concurrency} concurrent workers (keep-alive, 127.0.0.1), ${opts.warmupS} s warm-up + ${opts.durationS} s measured per operation per server (${opts.rounds} interleaved slices)`,
    `req/s ratio = Gatehouse ÷ oidc-provider throughput (above 1: Gatehouse faster); CPU ms/req = the server process's CPU time (all threads) per request over the measured slices; CPU/req ratio = Gatehouse ÷ oidc-provider (below 1: Gatehouse cheaper)`,
    `oidc-provider (SQLite) keeps its state on disk as Gatehouse does: the equivalent configuration. oidc-provider (memory) keeps it in the process (lost on restart) and writes no audit log; it is shown for reference`,
    '',
    table,
    '',
    ...footnotes.map((f, i) => `[${i + 1}] ${f}`),
    ...notes.map((n) => `- ${n}`),
    ...(ceiling === undefined ? [] : [typeof ceiling === 'string'
      ? `- load generator ceiling: not measured (${ceiling})`
      : `- load generator ceiling on this machine: ${ceiling.rps.toFixed(0)} req/s, p50 ${ceiling.p50Ms.toFixed(2)} ms, p99 ${ceiling.p99Ms.toFixed(2)} ms (same loop, bare node:http server, 2 kB JSON); rows near it are limited by the client`]),
    `- load average (1 min) ${loadBefore.toFixed(2)} before, ${(os.loadavg()[0] ?? 0).toFixed(2)} after; total time ${((Date.now() - started) / 1000).toFixed(0)} s`,
    '',
  ];
  process.stdout.write(out.join('\n'));
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify({
      date: new Date().toISOString(), node: process.version, cpus: cpus.length, cpuModel: cpus[0]?.model, options: opts,
      targets: names, operations: rows.map((r) => ({ label: r.label, cells: r.cells })), notes, ceiling,
    }, null, 2));
  }
}

process.on('SIGINT', () => process.exit(130));
main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
