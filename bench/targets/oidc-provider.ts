/**
 * Starts bench/servers/oidc-provider-server.ts in its own process and describes it as a Target:
 * with its default in-memory storage, or with durable storage in a SQLite file (in a temporary
 * folder removed on stop), as Gatehouse keeps its state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CookieJar, UnexpectedResponse, type HttpClient } from '../lib/http.js';
import { randomString } from '../lib/pkce.js';
import { freePort, serverNodeArgs, startChild, waitUntilReady } from '../lib/proc.js';
import type { BenchUser, Target } from './target.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type OidcProviderStorage = 'memory' | 'sqlite';

export async function startOidcProvider(users: BenchUser[], redirectUri: string, storage: OidcProviderStorage = 'memory'): Promise<Target> {
  const port = await freePort();
  const dataDir = storage === 'sqlite' ? mkdtempSync(join(tmpdir(), 'gatehouse-bench-op-')) : undefined;
  const removeData = () => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const client = { id: `bench-${randomString(6)}`, secret: randomString(32), redirectUri };
  const child = startChild('oidc-provider', process.execPath, [...serverNodeArgs(), '--import', 'tsx', 'bench/servers/oidc-provider-server.ts'], {
    OP_PORT: String(port),
    OP_CLIENT_ID: client.id,
    OP_CLIENT_SECRET: client.secret,
    OP_REDIRECT_URI: redirectUri,
    OP_COOKIE_KEY: randomString(32),
    OP_USERS: JSON.stringify(users.map((u, i) => ({ id: `user-${i}`, login: u.login, password: u.password }))),
    ...(dataDir ? { OP_SQLITE_FILE: join(dataDir, 'oidc-provider.db') } : {}),
    NODE_ENV: 'production',
  }, ROOT);
  try {
    await waitUntilReady(child, `${baseUrl}/.well-known/openid-configuration`, 60_000);
  } catch (err) {
    await child.stop();
    removeData();
    throw err;
  }
  const ready = /READY \S+ argon2=argon2id\$v=(\d+)\$(\S+)/.exec(child.output());
  return {
    name: `oidc-provider (${storage === 'sqlite' ? 'SQLite' : 'memory'})`,
    baseUrl,
    issuer: baseUrl,
    paths: { discovery: '/.well-known/openid-configuration', token: '/token', introspect: '/token/introspection' },
    client,
    clientCredentialsScope: 'bench',
    users,
    introspectsJwtAccessTokens: false,
    async signIn(http: HttpClient, user: BenchUser, params: URLSearchParams): Promise<string> {
      // offline_access is only honoured with prompt=consent (OIDC Core §11); the login handler
      // resolves login and consent in the same step, so this adds no round trip.
      params.set('prompt', 'consent');
      const jar = new CookieJar();
      const auth = await http.get(`/auth?${params}`);
      const toInteraction = auth.headers.location;
      if (auth.status !== 303 || !toInteraction?.startsWith('/interaction/')) throw new UnexpectedResponse('authorize', auth);
      jar.store(auth);
      const login = await http.postForm(`${toInteraction}/login`, { username: user.login, password: user.password }, jar.header());
      const resume = login.headers.location;
      if (login.status !== 303 || !resume) throw new UnexpectedResponse('sign-in', login);
      jar.store(login);
      const done = await http.get(resume, jar.header());
      const location = done.headers.location;
      if (done.status !== 303 || !location) throw new UnexpectedResponse('authorize resume', done);
      return location;
    },
    notes: [
      `oidc-provider ${await providerVersion()}, ${storage === 'sqlite'
        ? 'SQLite adapter (bench/servers/oidc-provider-sqlite-adapter.ts: better-sqlite3, WAL, synchronous=NORMAL, like Gatehouse)'
        : 'default in-memory adapter (nothing persisted)'}; login checks passwords with argon2id ${ready ? `${ready[2]} (v${ready[1]})` : '(parameters not reported)'}`,
    ],
    pid: () => child.child.pid,
    stop: async () => {
      await child.stop();
      removeData();
    },
  };
}

async function providerVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../node_modules/oidc-provider/package.json', import.meta.url), 'utf8')) as { version?: string };
  return `v${pkg.version ?? '?'}`;
}
