/**
 * deploy/docker, statically (no Docker engine here): the Dockerfile's stages, user, health checks and
 * commands; that its build-context filter lets in what the build copies and nothing else; the Compose
 * file's services, health checks, dependencies and wiring; and the demo upstream, run for real.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { freePort } from '../support/server.js';
import { read, readEnvFile, ROOT } from './support.js';

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Dockerfile → stages (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const start = i + 1;
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = `${line.slice(0, -1)} ${lines[++i]!.replace(/^\s*#.*$/, '')}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    assert.ok(m, `Dockerfile:${start}: cannot read "${line}"`);
    const op = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    if (op === 'FROM') {
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      assert.ok(f, `Dockerfile:${start}: FROM ${rest}`);
      stages.push({ name: f[2] ?? String(stages.length), from: f[1]!, instructions: [] });
    } else if (op === 'ARG' && stages.length === 0) {
      const [k, v] = rest.split('=');
      args.set(k!, v ?? '');
    } else {
      assert.ok(stages.length, `Dockerfile:${start}: ${op} before FROM`);
      stages.at(-1)!.instructions.push({ op, args: rest, line: start });
    }
  }
  return { args, stages };
}

/** The instructions that apply to `target`: its own and its parents' (FROM another stage). */
function lineage(stages: Stage[], target: string): Stage[] {
  const chain: Stage[] = [];
  let s = stages.find((x) => x.name === target);
  while (s) {
    chain.unshift(s);
    const from = s.from;
    s = stages.find((x) => x.name === from);
  }
  return chain;
}

const last = (chain: Stage[], op: string) => chain.flatMap((s) => s.instructions).filter((i) => i.op === op).at(-1);
const json = (i: Instruction | undefined) => JSON.parse(i?.args.replace(/^CMD\s+/, '') ?? 'null');

/** Docker's build-context filter, for the plain patterns the allow-list uses. */
function dockerignoreAllows(patterns: string[], path: string): boolean {
  let included = true;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const p = (negate ? raw.slice(1) : raw).replace(/\/$/, '');
    const hit = p === '*' ? true : p === '**' || path === p || path.startsWith(`${p}/`);
    if (hit) included = negate;
  }
  return included;
}

describe('deploy/docker/Dockerfile', () => {
  const { args, stages } = parseDockerfile(read('deploy/docker/Dockerfile'));
  const base = (from: string) => from.replace(/^\$\{(\w+)\}$/, (_, k: string) => args.get(k) ?? '');

  it('is multi-stage: a build stage on node:20-bookworm-slim, a runtime, and the two images', () => {
    assert.deepEqual(stages.map((s) => s.name), ['build', 'runtime', 'gateway', 'gatehouse']);
    assert.equal(base(stages[0]!.from), 'node:20-bookworm-slim');
    assert.equal(base(stages[1]!.from), base(stages[0]!.from), 'runtime on the same base (same libc for the native modules)');
    assert.equal(stages.at(-1)!.name, 'gatehouse', 'gatehouse is the default target (last)');
    assert.deepEqual(lineage(stages, 'gateway').map((s) => s.name), ['runtime', 'gateway']);
    assert.deepEqual(lineage(stages, 'gatehouse').map((s) => s.name), ['runtime', 'gatehouse']);
  });

  it('builds with the toolchain for better-sqlite3, npm ci, npm run build and npm prune --omit=dev', () => {
    const run = stages[0]!.instructions.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    const words = run.split(/\s+/);
    for (const pkg of ['python3', 'make', 'g++']) assert.ok(words.includes(pkg), `${pkg} installed in the build stage`);
    assert.match(run, /npm ci\b/);
    assert.match(run, /npm rebuild better-sqlite3/);
    assert.match(run, /npm run build/);
    assert.match(run, /npm prune --omit=dev/);
    const runtimeRuns = stages.slice(1).flatMap((s) => s.instructions).filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    assert.doesNotMatch(runtimeRuns, /apt-get install|npm (ci|install)/, 'nothing is installed in the runtime stages');
    const copies = stages[1]!.instructions.filter((i) => i.op === 'COPY').map((i) => i.args);
    assert.ok(copies.every((c) => c.startsWith('--from=build')), 'the runtime copies only build output');
    assert.ok(copies.some((c) => /node_modules/.test(c)) && copies.some((c) => /\/dist\b/.test(c)) && copies.some((c) => /\/bin\b/.test(c)));
  });

  for (const [target, command, port, prefix] of [['gatehouse', 'serve', 8080, 'GATEHOUSE'], ['gateway', 'gateway', 8585, 'GATEWAY']] as const) {
    it(`${target}: non-root, port ${port}, a HEALTHCHECK with node's fetch on /healthz, \`gatehouse ${command}\``, () => {
      const chain = lineage(stages, target);
      const user = last(chain, 'USER')?.args ?? 'root';
      assert.match(user, /^[1-9]\d*(:[1-9]\d*)?$/, 'a numeric non-root user (Kubernetes can check runAsNonRoot)');
      assert.equal(last(chain, 'EXPOSE')?.args, String(port));
      const health = last(chain, 'HEALTHCHECK')?.args ?? '';
      assert.ok(health, 'HEALTHCHECK present');
      assert.match(health, /CMD \["node", "-e", ".*fetch\(.*\/healthz/);
      assert.match(health, new RegExp(`process\\.env\\.${prefix}_PORT\\|\\|${port}`));
      assert.doesNotMatch(health, /curl|wget/);
      assert.deepEqual(json(last(chain, 'CMD')), ['node', 'bin/gatehouse.js', command]);
      const env = chain.flatMap((s) => s.instructions).filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
      assert.match(env, new RegExp(`${prefix}_HOST=0\\.0\\.0\\.0`), 'listens beyond the container\'s loopback');
      assert.match(env, new RegExp(`${prefix}_PORT=${port}`));
    });
  }

  it('declares the data volume, owned by the runtime user', () => {
    const runtime = stages.find((s) => s.name === 'runtime')!;
    assert.match(runtime.instructions.find((i) => i.op === 'VOLUME')?.args ?? '', /\/var\/lib\/gatehouse/);
    assert.match(runtime.instructions.filter((i) => i.op === 'RUN').map((i) => i.args).join(' '), /chown gatehouse:gatehouse \/var\/lib\/gatehouse/);
    const gatehouseEnv = stages.find((s) => s.name === 'gatehouse')!.instructions.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    assert.match(gatehouseEnv, /GATEHOUSE_DATABASE_URL=sqlite:\/var\/lib\/gatehouse\//);
    assert.match(gatehouseEnv, /GATEHOUSE_DATA_DIR=\/var\/lib\/gatehouse/);
  });

  it('Dockerfile.dockerignore lets in what the build copies, and keeps out the rest', () => {
    const patterns = read('deploy/docker/Dockerfile.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const sources = stages[0]!.instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    assert.ok(sources.length >= 5);
    for (const src of sources) {
      assert.ok(existsSync(join(ROOT, src)), `${src} exists in the repository`);
      assert.ok(dockerignoreAllows(patterns, src), `${src} reaches the build context`);
      if (statSync(join(ROOT, src)).isDirectory()) assert.ok(dockerignoreAllows(patterns, `${src}/x.ts`));
    }
    for (const out of ['node_modules', 'node_modules/x/index.js', 'dist/cli/main.js', '.git/config', 'test/deploy/docker.test.ts', 'data/gatehouse.db',
      'deploy/docker/gatehouse.env', 'deploy/docker/gateway.env', '.env', 'README.md']) {
      assert.ok(!dockerignoreAllows(patterns, out), `${out} stays out of the build context`);
    }
  });
});

describe('deploy/docker/compose.yaml', () => {
  const compose = parse(read('deploy/docker/compose.yaml'));
  const services = compose.services as Record<string, any>;

  it('runs PostgreSQL, Gatehouse, the gateway and the demo app', () => {
    assert.deepEqual(Object.keys(services).sort(), ['demo-app', 'gatehouse', 'gateway', 'postgres']);
  });

  it('gives every service a health check, and starts each after what it needs is healthy', () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(Array.isArray(s.healthcheck?.test) && s.healthcheck.test.length > 1, `${name}: healthcheck`);
      assert.doesNotMatch(s.healthcheck.test.join(' '), /\bcurl\b|\bwget\b/, `${name}: no curl in the images`);
      assert.ok(s.restart, `${name}: a restart policy`);
    }
    assert.deepEqual(services.gatehouse.depends_on, { postgres: { condition: 'service_healthy' } });
    assert.deepEqual(Object.keys(services.gateway.depends_on).sort(), ['demo-app', 'gatehouse', 'postgres']);
    for (const dep of Object.values<any>(services.gateway.depends_on)) assert.equal(dep.condition, 'service_healthy');
    assert.equal(services.gateway.depends_on.gatehouse.restart, true, 'recreated with the namespace it joins');
    assert.match(services.gatehouse.healthcheck.test.join(' '), /127\.0\.0\.1:8080\/readyz/, 'Gatehouse is healthy once migrated');
    assert.match(services.gateway.healthcheck.test.join(' '), /127\.0\.0\.1:8585\/readyz/);
    assert.match(services.postgres.healthcheck.test.join(' '), /pg_isready/);
  });

  it('builds both images from deploy/docker/Dockerfile with the repository as context', () => {
    const { stages } = parseDockerfile(read('deploy/docker/Dockerfile'));
    for (const [name, target] of [['gatehouse', 'gatehouse'], ['gateway', 'gateway']] as const) {
      const b = services[name].build;
      assert.equal(b.context, '../..');
      assert.equal(b.dockerfile, 'deploy/docker/Dockerfile');
      assert.equal(b.target, target);
      assert.ok(stages.some((s) => s.name === target));
      assert.ok(existsSync(join(ROOT, 'deploy/docker', b.context, b.dockerfile)));
    }
  });

  it('wires the seed\'s URLs: Gatehouse on :8080, the gateway on :8585 in Gatehouse\'s network, the demo app unpublished', () => {
    assert.equal(services.gateway.network_mode, 'service:gatehouse', 'localhost:8080 is Gatehouse for the gateway too');
    assert.equal(services.gateway.ports, undefined, 'a service in another\'s namespace publishes nothing itself');
    const published = (services.gatehouse.ports as string[]).map((p) => p.split(':').slice(-2).join(':'));
    assert.deepEqual(published.sort(), ['8080:8080', '8585:8585']);
    for (const p of services.gatehouse.ports as string[]) assert.match(p, /^127\.0\.0\.1:/, 'published on loopback only');
    assert.equal(services['demo-app'].ports, undefined, 'the app is reachable only through the gateway');
    const gateway = readEnvFile('deploy/docker/gateway.env.example');
    assert.equal(new URL(gateway.get('GATEWAY_UPSTREAM_URL')!).hostname, 'demo-app');
    assert.equal(new URL(gateway.get('GATEWAY_UPSTREAM_URL')!).port, services['demo-app'].environment.PORT);
    const org = readEnvFile('deploy/docker/gatehouse.env.example').get('GATEHOUSE_ORG_URL')!;
    assert.ok(gateway.get('AUTHENTICATION_AUTHORITY')!.startsWith(`${org}/oauth2/`), 'the issuer the gateway checks is on the org URL');
  });

  it('reads each service\'s settings from an env file that has an example', () => {
    for (const [name, file] of [['postgres', 'postgres.env'], ['gatehouse', 'gatehouse.env'], ['gateway', 'gateway.env']] as const) {
      assert.equal(services[name].env_file, file);
      assert.ok(existsSync(join(ROOT, 'deploy/docker', `${file}.example`)), `${file}.example`);
    }
    assert.equal(read('deploy/docker/.gitignore').trim(), '*.env', 'the real env files are never committed');
  });

  it('mounts files that exist, read-only', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of (s.volumes ?? []) as string[]) {
        const [src, , mode] = v.split(':');
        if (!src!.startsWith('.')) continue;
        assert.ok(existsSync(join(ROOT, 'deploy/docker', src!)), `${name}: ${src} exists`);
        assert.equal(mode, 'ro', `${name}: ${src} mounted read-only`);
      }
    }
    assert.ok(statSync(join(ROOT, 'deploy/docker/postgres-init/10-gateway-db.sh')).mode & 0o111, 'the init script is executable');
  });

  it('hardens the application containers', () => {
    for (const name of ['gatehouse', 'gateway', 'demo-app']) {
      const s = services[name];
      assert.equal(s.read_only, true, `${name}: read-only root`);
      assert.deepEqual(s.cap_drop, ['ALL'], `${name}: no capabilities`);
      assert.deepEqual(s.security_opt, ['no-new-privileges:true'], `${name}: no-new-privileges`);
    }
    assert.equal(services['demo-app'].user, 'node');
  });
});

describe('deploy/docker/demo-upstream.mjs', () => {
  it('answers /healthz and shows what the gateway passed on', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'deploy/docker/demo-upstream.mjs')], { env: { PORT: String(port), PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      const claims = Buffer.from(JSON.stringify({ sub: '00u1', email: 'demo@example.com' })).toString('base64url');
      const res = await fetch(`http://127.0.0.1:${port}/reports?x=1`, {
        headers: { 'x-auth-request-user': 'demo', 'x-gatehouse-identity': `e30.${claims}.sig`, cookie: 'secret=1' },
      });
      const body = await res.json();
      assert.equal(body.user, 'demo');
      assert.equal(body.path, '/reports?x=1');
      assert.deepEqual(body.claims, { sub: '00u1', email: 'demo@example.com' });
      assert.equal(body.headers.cookie, undefined, 'only identity headers are shown');
      const html = await (await fetch(`http://127.0.0.1:${port}/`, { headers: { accept: 'text/html', 'x-auth-request-user': '<b>x</b>' } })).text();
      assert.match(html, /Signed in as &#60;b&#62;x&#60;\/b&#62;/, 'escaped');
      assert.match(html, /href="\/api\/v1\/auth\/logout"/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
