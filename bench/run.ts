/**
 * `npm run bench`: Gatehouse (SQLite, built dist, own process) against panva's oidc-provider
 * (in-memory, own process), same machine, same client, same load, one server at a time.
 * See bench/README.md. Options (or BENCH_* environment variables):
 *
 *   --duration=SECONDS     measured time per operation per server (5)
 *   --warmup=SECONDS       discarded warm-up before each measurement (1)
 *   --concurrency=N        concurrent workers, each with its own keep-alive connection (8)
 *   --ops=a,b              subset of: discovery, client_credentials, introspect, introspect_jwt, refresh_token, signin
 *   --targets=a,b          subset of: gatehouse, oidc-provider
 *   --skip-build           use the existing dist/ instead of running `npm run build`
 *   --json=PATH            also write the raw results as JSON
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { HttpClient } from './lib/http.js';
import { runLoad } from './lib/load.js';
import { randomString } from './lib/pkce.js';
import { OPERATIONS } from './ops.js';
import { renderTable, type Cell, type Row } from './report.js';
import { startGatehouse } from './targets/gatehouse.js';
import { startOidcProvider } from './targets/oidc-provider.js';
import type { BenchUser, Target } from './targets/target.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TARGETS = {
  gatehouse: startGatehouse,
  'oidc-provider': startOidcProvider,
} as const;
type TargetKey = keyof typeof TARGETS;

interface Options {
  durationS: number;
  warmupS: number;
  concurrency: number;
  ops: string[];
  targets: TargetKey[];
  build: boolean;
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
    ops: list('ops', 'BENCH_OPS', OPERATIONS.map((o) => o.id)),
    targets: list('targets', 'BENCH_TARGETS', Object.keys(TARGETS) as TargetKey[]),
    build: get('skip-build', 'BENCH_SKIP_BUILD') === undefined,
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

async function benchTarget(target: Target, opts: Options): Promise<Map<string, Cell>> {
  const cells = new Map<string, Cell>();
  const http = new HttpClient(target.baseUrl, opts.concurrency);
  try {
    for (const op of OPERATIONS.filter((o) => opts.ops.includes(o.id))) {
      const ctx = { target, http, concurrency: opts.concurrency };
      let cell: Cell;
      try {
        if (op.needsSetup && target.setupError) throw new Error(`not measured, setup incomplete: ${target.setupError}`);
        const prepared = await op.prepare(ctx);
        if ('skip' in prepared) {
          cell = { skip: prepared.skip };
        } else {
          await prepared(0); // one probe: a broken endpoint is reported, not hammered for the whole period
          const result = await runLoad({ concurrency: opts.concurrency, warmupMs: opts.warmupS * 1000, durationMs: opts.durationS * 1000, iteration: prepared });
          cell = { result };
        }
      } catch (err) {
        cell = { error: err instanceof Error ? err.message : String(err) };
      }
      cells.set(op.id, cell);
      const summary = 'result' in cell
        ? `${cell.result.rps.toFixed(1)} req/s, p50 ${cell.result.p50Ms.toFixed(2)} ms, p99 ${cell.result.p99Ms.toFixed(2)} ms${cell.result.errors ? `, ${cell.result.errors} errors` : ''}`
        : 'skip' in cell ? cell.skip : `FAILED: ${cell.error}`;
      log(`  ${op.label.padEnd(36)} ${summary}`);
    }
  } finally {
    http.close();
  }
  return cells;
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

  const names: string[] = [];
  const columns: Map<string, Cell>[] = [];
  const notes: string[] = [];
  for (const key of opts.targets) {
    log(`starting ${key}…`);
    let target: Target;
    try {
      target = await TARGETS[key](users, redirectUri);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      log(`  ${key} could not be started: ${msg}`);
      names.push(key);
      columns.push(new Map(opts.ops.map((id) => [id, { error: `server did not start: ${msg.split('\n')[0]}` }])));
      continue;
    }
    try {
      log(`benchmarking ${target.name} at ${target.baseUrl} (${opts.concurrency} workers, ${opts.warmupS} s warm-up + ${opts.durationS} s per operation)`);
      for (const n of target.notes) log(`  note: ${n}`);
      names.push(target.name);
      notes.push(...target.notes.map((n) => `${target.name}: ${n}`));
      columns.push(await benchTarget(target, opts));
    } finally {
      await target.stop();
    }
  }

  const rows: Row[] = OPERATIONS.filter((o) => opts.ops.includes(o.id)).map((o) => ({
    label: o.label,
    cells: columns.map((c) => c.get(o.id) ?? { skip: 'not run' }),
  }));
  const { table, footnotes } = renderTable(names, rows);
  const cpus = os.cpus();
  const out = [
    '',
    `Gatehouse benchmark — ${new Date().toISOString()}`,
    `node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `${opts.concurrency} concurrent workers (keep-alive, 127.0.0.1), ${opts.warmupS} s warm-up + ${opts.durationS} s measured per operation per server; ratio = Gatehouse req/s ÷ oidc-provider req/s`,
    '',
    table,
    '',
    ...footnotes.map((f, i) => `[${i + 1}] ${f}`),
    ...notes.map((n) => `- ${n}`),
    `load average (1 min) ${loadBefore.toFixed(2)} before, ${(os.loadavg()[0] ?? 0).toFixed(2)} after; total time ${((Date.now() - started) / 1000).toFixed(0)} s`,
    '',
  ];
  process.stdout.write(out.join('\n'));
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify({
      date: new Date().toISOString(), node: process.version, cpus: cpus.length, cpuModel: cpus[0]?.model, options: opts,
      targets: names, operations: rows.map((r) => ({ label: r.label, cells: r.cells })), notes,
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
