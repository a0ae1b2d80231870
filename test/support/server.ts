/**
 * A real Gatehouse node for one test file: fresh database (test/support/database.ts), temporary data
 * folder, a free port, the org URL pointing at it, a known API token and super administrator.
 * Talk to it over HTTP with `server.api(path, init)` (adds `Authorization: SSWS <token>`) or `fetch`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import type { Container } from '../../src/container.js';
import type { Clock } from '../../src/lib/time.js';
import { startServer } from '../../src/server/start.js';
import { createTestDatabase } from './database.js';
import { freePort } from './free-port.js';

export { freePort };

export const TEST_API_TOKEN = 'test-token-0123456789abcdef';
export const TEST_ADMIN_LOGIN = 'admin@example.com';
export const TEST_ADMIN_PASSWORD = 'Admin-Passw0rd!';

export interface TestServer {
  /** Where the node listens, e.g. http://127.0.0.1:40123 (the same as orgUrl). */
  url: string;
  orgUrl: string;
  token: string;
  container: Container;
  /** fetch against the org with the SSWS token and JSON headers; `path` starts with `/`. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** `api` with a method and a body: a string is sent as is, anything else as JSON. */
  send(method: string, path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** A clock the test moves (test/oauth/fixtures.ts TestClock); the system clock otherwise. */
  clock?: Clock;
}

export async function startTestServer(extraEnv: Record<string, string> = {}, opts: TestServerOptions = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-data-'));
  const port = await freePort();
  const orgUrl = `http://127.0.0.1:${port}`;
  let running;
  try {
    running = await startServer(loadConfig({
      GATEHOUSE_DATABASE_URL: db.url,
      GATEHOUSE_PORT: String(port),
      GATEHOUSE_HOST: '127.0.0.1',
      GATEHOUSE_ORG_URL: orgUrl,
      GATEHOUSE_API_TOKEN: TEST_API_TOKEN,
      GATEHOUSE_ADMIN_LOGIN: TEST_ADMIN_LOGIN,
      GATEHOUSE_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      GATEHOUSE_LOG_LEVEL: 'silent',
      GATEHOUSE_DATA_DIR: dataDir,
      ...extraEnv,
    }), opts.clock ? { clock: opts.clock } : {});
  } catch (err) {
    await db.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const server = running;
  const api: TestServer['api'] = (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `SSWS ${TEST_API_TOKEN}`);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return fetch(`${orgUrl}${path}`, { ...init, headers });
  };
  return {
    url: orgUrl,
    orgUrl,
    token: TEST_API_TOKEN,
    container: server.container,
    api,
    send: (method, path, body) =>
      api(path, { method, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) }),
    async close() {
      await server.close();
      await db.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The parsed JSON body of a response that must have `status` (the body is the failure message). */
export async function expectJson<T = any>(res: Response, status = 200): Promise<T> {
  const body = await json<T>(res);
  assert.equal(res.status, status, JSON.stringify(body));
  return body;
}

/** The parsed JSON body of a response (undefined when empty). */
export async function json<T = any>(res: Response): Promise<T> {
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
