/**
 * `gatehouse serve` as an operator runs it: it starts on the configured database and answers
 * /healthz and /readyz, prints a generated admin password once, and refuses to start — with a
 * one-line reason and a non-zero exit — on a bad variable, an unreachable database or a busy port.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/server.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  output(): string;
  /** Resolves once stdout contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<Run>;
  exited: Promise<Run>;
}

// Every child is killed when the file ends, even after a failed assertion, so none outlives the run.
const children = new Set<ReturnType<typeof spawn>>();

function startCli(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [...CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return {
    output: () => stdout,
    exited,
    async waitFor(text, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (!stdout.includes(text)) {
        if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before "${text}": ${stderr}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}"; stdout: ${stdout}; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function runToExit(args: string[], env: Record<string, string>): Promise<Run> {
  const run = startCli(args, env);
  const timer = setTimeout(() => void run.stop(), 90_000);
  const result = await run.exited;
  clearTimeout(timer);
  return result;
}

let db: TestDatabase;
let dataDir: string;

before(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await db.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

test('serve starts, reports health and readiness, prints the generated password only on first start', async () => {
  const port = await freePort();
  const env = { GATEHOUSE_DATABASE_URL: db.url, GATEHOUSE_PORT: String(port), GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'warn' };
  const first = startCli(['serve'], env);
  await first.waitFor('password:');
  const password = /password:\s+(\S+)/.exec(first.output())?.[1];
  assert.ok(password && password.length >= 16);
  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
  const authn = await fetch(`http://127.0.0.1:${port}/api/v1/authn`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }),
  });
  assert.equal(authn.status, 200);
  assert.equal((await first.stop()).code, 0);

  const second = startCli(['serve'], env);
  await second.waitFor('Gatehouse is listening');
  assert.doesNotMatch(second.output(), /password:/);
  await second.stop();
});

test('a bad variable stops the start with a clear reason', async () => {
  const run = await runToExit(['serve'], { GATEHOUSE_DATABASE_URL: db.url, GATEHOUSE_PORT: 'eighty', GATEHOUSE_DATA_DIR: dataDir });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /GATEHOUSE_PORT/);
  const url = await runToExit(['serve'], { GATEHOUSE_DATABASE_URL: 'mysql://x', GATEHOUSE_DATA_DIR: dataDir });
  assert.notEqual(url.code, 0);
  assert.match(url.stderr, /GATEHOUSE_DATABASE_URL/);
  const org = await runToExit(['serve'], { GATEHOUSE_ORG_URL: 'not a url', GATEHOUSE_DATABASE_URL: db.url, GATEHOUSE_DATA_DIR: dataDir });
  assert.notEqual(org.code, 0);
  assert.match(org.stderr, /GATEHOUSE_ORG_URL/);
});

test('an unreachable database stops the start', async () => {
  const closedPort = await freePort();
  const run = await runToExit(['serve'], {
    GATEHOUSE_DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/nowhere`, GATEHOUSE_PORT: String(await freePort()), GATEHOUSE_DATA_DIR: dataDir,
  });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /cannot start: cannot connect to PostgreSQL/);
});

test('a port in use stops the start', async () => {
  const blocker: Server = createServer();
  const port = await freePort();
  await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
  try {
    const run = await runToExit(['serve'], { GATEHOUSE_DATABASE_URL: db.url, GATEHOUSE_PORT: String(port), GATEHOUSE_DATA_DIR: dataDir });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, new RegExp(`port ${port} .*already in use`));
  } finally {
    blocker.close();
  }
});

test('unknown commands and help', async () => {
  const unknown = await runToExit(['frobnicate'], {});
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const help = await runToExit(['help'], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /serve/);
});
