#!/usr/bin/env node
// `npm run demo`: Gatehouse on its embedded SQLite with examples/openmetadata/gatehouse.yaml applied,
// a demo web app (scripts/demo/app.mjs), and the gateway in front of it on http://localhost:8585.
// Ctrl-C stops all three. Runs the built CLI (bin/gatehouse.js), building dist/ first when missing.
//
// Ports, URLs and the data folder come from the environment, so tests can run several demos at once:
//   GATEHOUSE_PORT (8080), GATEWAY_PORT (8585), DEMO_APP_PORT (8586), DEMO_DATA_DIR (./data/demo),
//   GATEHOUSE_DEMO_PASSWORD (the demo user's password when it is created; default below).
// For tests: DEMO_ACCESS_TOKEN_MINUTES shortens the rule's access-token lifetime (so renewal shows
// within seconds), DEMO_NO_REFRESH=1 renews without refresh tokens, DEMO_FROM_SOURCE=1 runs src/ through tsx instead of the built dist/.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const gatehousePort = Number(env.GATEHOUSE_PORT ?? 8080);
const gatewayPort = Number(env.GATEWAY_PORT ?? 8585);
const appPort = Number(env.DEMO_APP_PORT ?? 8586);
const dataDir = resolve(env.DEMO_DATA_DIR ?? join(root, 'data', 'demo'));
const orgUrl = `http://localhost:${gatehousePort}`;
const gatewayUrl = `http://localhost:${gatewayPort}`;
const demoLogin = 'demo@example.com';
const demoPassword = env.GATEHOUSE_DEMO_PASSWORD || 'Demo-Passw0rd!';
const fromSource = env.DEMO_FROM_SOURCE === '1';
const bin = join(root, 'bin', 'gatehouse.js');
/** node arguments running the gatehouse CLI. */
const cli = (...args) => (fromSource ? ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args] : [bin, ...args]);
const children = [];
let stopping = false;

const say = (line) => process.stdout.write(`[demo] ${line}\n`);

function fail(message) {
  process.stderr.write(`[demo] ${message}\n`);
  stop(1);
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  if (alive.length === 0) process.exit(code);
  let left = alive.length;
  for (const c of alive) {
    c.once('exit', () => { if (--left === 0) process.exit(code); });
    c.kill('SIGTERM');
  }
  setTimeout(() => { for (const c of alive) c.kill('SIGKILL'); process.exit(code); }, 5000).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

/** A secret kept in the data folder, so a second run uses the same one. */
function persistent(name, make) {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

function start(name, args, extraEnv) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (chunk) => chunk.toString().split('\n').filter(Boolean).map((l) => `[${name}] ${l}\n`).join('');
  child.stdout.on('data', (c) => process.stdout.write(prefix(c)));
  child.stderr.on('data', (c) => process.stderr.write(prefix(c)));
  child.on('exit', (code, signal) => {
    if (!stopping) fail(`${name} stopped (${signal ?? `exit ${code}`}); stopping the demo.`);
  });
  children.push(child);
  return child;
}

async function waitFor(url, what, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !stopping) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!stopping) fail(`${what} did not become ready at ${url}`);
  await new Promise(() => undefined);
}

function readEnvFile(path) {
  const out = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

async function main() {
  if (!fromSource && !existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    say('dist/ is missing: running npm run build');
    const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) return fail('npm run build failed');
  }
  mkdirSync(dataDir, { recursive: true });
  const apiToken = persistent('api-token', () => `demo-${randomBytes(24).toString('base64url')}`);
  const adminPassword = persistent('admin-password', () => `Adm1n-${randomBytes(9).toString('base64url')}`);

  say(`starting Gatehouse on ${orgUrl} (embedded SQLite in ${dataDir})`);
  start('gatehouse', cli('serve'), {
    GATEHOUSE_PORT: String(gatehousePort),
    GATEHOUSE_HOST: '127.0.0.1',
    GATEHOUSE_ORG_URL: orgUrl,
    GATEHOUSE_DATABASE_URL: `sqlite:${join(dataDir, 'gatehouse.db')}`,
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_API_TOKEN: apiToken,
    GATEHOUSE_ADMIN_LOGIN: 'admin',
    GATEHOUSE_ADMIN_PASSWORD: adminPassword,
    GATEHOUSE_LOG_LEVEL: env.GATEHOUSE_LOG_LEVEL ?? 'warn',
  });
  await waitFor(`${orgUrl}/readyz`, 'Gatehouse');

  // The example names http://localhost:8585; on another gateway port, apply a copy naming that one.
  let file = join(root, 'examples', 'openmetadata', 'gatehouse.yaml');
  const minutes = env.DEMO_ACCESS_TOKEN_MINUTES;
  if (gatewayUrl !== 'http://localhost:8585' || minutes) {
    const copy = join(dataDir, 'gatehouse.yaml');
    let text = readFileSync(file, 'utf8').replaceAll('http://localhost:8585', gatewayUrl);
    if (minutes) text = text.replace(/accessTokenLifetimeMinutes: \d+/, `accessTokenLifetimeMinutes: ${Number(minutes)}`);
    writeFileSync(copy, text);
    file = copy;
  }
  const envFile = join(dataDir, 'gateway.env');
  say(`applying ${file.startsWith(root) ? file.slice(root.length + 1) : file}`);
  const applied = spawnSync(process.execPath, [...cli('apply'), '-f', file, '--org-url', orgUrl, '--token', apiToken, '--output-env', envFile], {
    cwd: root, env: { ...env, GATEHOUSE_DEMO_PASSWORD: demoPassword }, encoding: 'utf8',
  });
  // The plan is worth seeing; the client secret is not printed here (it is in the env file).
  process.stdout.write(applied.stdout.split('\n').filter((l) => l && !/client_secret/.test(l)).map((l) => `[apply] ${l}\n`).join(''));
  if (applied.status !== 0) return fail(`gatehouse apply failed:\n${applied.stderr}`);

  say(`starting the demo app on http://127.0.0.1:${appPort}`);
  start('app', [join(root, 'scripts', 'demo', 'app.mjs')], { DEMO_APP_PORT: String(appPort), DEMO_APP_HOST: '127.0.0.1' });
  await waitFor(`http://127.0.0.1:${appPort}/healthz`, 'the demo app');

  say(`starting the gateway on ${gatewayUrl}`);
  start('gateway', cli('gateway'), {
    ...readEnvFile(envFile),
    GATEWAY_UPSTREAM_URL: `http://127.0.0.1:${appPort}`,
    GATEWAY_PORT: String(gatewayPort),
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_SESSION_STORE: `sqlite:${join(dataDir, 'gateway-sessions.db')}`,
    GATEWAY_LOG_LEVEL: env.GATEWAY_LOG_LEVEL ?? 'warn',
    // DEMO_NO_REFRESH=1: no refresh tokens; the page renews silently (prompt=none) through /silent-callback.
    ...(env.DEMO_NO_REFRESH === '1' ? { GATEWAY_REFRESH: 'false', OIDC_SCOPE: 'openid email profile' } : {}),
  });
  await waitFor(`${gatewayUrl}/readyz`, 'the gateway');

  process.stdout.write(`
Gatehouse demo is running. Open ${gatewayUrl}

  Sign in as        ${demoLogin}
  password          ${demoPassword}${env.GATEHOUSE_DEMO_PASSWORD ? ' (from GATEHOUSE_DEMO_PASSWORD)' : ''}

  Gatehouse         ${orgUrl}  (admin / ${adminPassword}; API token in ${join(dataDir, 'api-token')})
  Gateway settings  ${envFile}

Press Ctrl-C to stop.
`);
}

main().catch((err) => fail(err?.stack ?? String(err)));
