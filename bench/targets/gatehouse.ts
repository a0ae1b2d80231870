/**
 * Starts Gatehouse from the built dist (`node bin/gatehouse.js serve`) on a fresh SQLite file in
 * its own process, then configures it through the management API exactly as an operator would:
 * users, an OIDC web app assigned to them, and a custom scope on the `default` server for
 * client_credentials.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpClient, isRouteMissing, parseJson, UnexpectedResponse, type HttpResponse } from '../lib/http.js';
import { randomString } from '../lib/pkce.js';
import { freePort, serverNodeArgs, startChild, waitUntilReady, type ChildServer } from '../lib/proc.js';
import type { BenchUser, Target } from './target.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCOPE = 'bench';

/** A route that is not there yet: reported as such instead of as a benchmark failure. */
export class MissingEndpoint extends Error {
  override name = 'MissingEndpoint';
}

export async function startGatehouse(users: BenchUser[], redirectUri: string): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-'));
  // Also on an interrupted run (Ctrl-C): the children are killed by lib/proc.ts, the folder goes here.
  const removeOnExit = () => rmSync(dataDir, { recursive: true, force: true });
  process.once('exit', removeOnExit);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const apiToken = randomString(32);
  const env: Record<string, string> = {
    GATEHOUSE_PORT: String(port),
    GATEHOUSE_HOST: '127.0.0.1',
    GATEHOUSE_ORG_URL: baseUrl,
    GATEHOUSE_DATABASE_URL: `sqlite:${join(dataDir, 'gatehouse.db')}`,
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_API_TOKEN: apiToken,
    GATEHOUSE_ADMIN_LOGIN: 'admin@bench.example',
    GATEHOUSE_ADMIN_PASSWORD: `Adm1n-${randomString(12)}`,
    GATEHOUSE_LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
  };
  let child: ChildServer | undefined;
  const launch = async () => {
    child = startChild('gatehouse', process.execPath, [...serverNodeArgs(), 'bin/gatehouse.js', 'serve'], env, ROOT);
    await waitUntilReady(child, `${baseUrl}/readyz`, 60_000);
  };
  const stop = async () => {
    await child?.stop();
    await rm(dataDir, { recursive: true, force: true });
    process.removeListener('exit', removeOnExit);
  };

  const notes: string[] = [];
  const issuer = `${baseUrl}/oauth2/default`;
  const client = { id: '', secret: '', redirectUri };
  let setupError: string | undefined;
  try {
    await launch();
    const http = new HttpClient(baseUrl, 4);
    try {
      const api = async (method: string, path: string, body?: unknown): Promise<HttpResponse> => {
        const res = await http.request(method, path, {
          headers: { authorization: `SSWS ${apiToken}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        if (isRouteMissing(res)) throw new MissingEndpoint(`endpoint missing (404): ${method} ${path.split('?')[0]}`);
        return res;
      };

      // Users, created active with a password (argon2id-hashed by Gatehouse).
      const userIds = await Promise.all(users.map(async (u) => {
        const res = await api('POST', '/api/v1/users?activate=true', {
          profile: { login: u.login, email: u.login, firstName: 'Bench', lastName: u.login.split('@')[0] },
          credentials: { password: { value: u.password } },
        });
        const id = parseJson(res).id;
        if (res.status !== 200 || typeof id !== 'string') throw new UnexpectedResponse('create user', res);
        return id;
      }));

      // The OIDC web app, same settings as the oidc-provider client.
      const appRes = await api('POST', '/api/v1/apps', {
        name: 'oidc_client',
        label: 'Benchmark client',
        signOnMode: 'OPENID_CONNECT',
        credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
        settings: {
          oauthClient: {
            application_type: 'web',
            redirect_uris: [redirectUri],
            response_types: ['code'],
            grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
            refresh_token: { rotation_type: 'ROTATE', leeway: 0 },
          },
        },
      });
      const app = parseJson(appRes) as { id?: string; credentials?: { oauthClient?: { client_id?: string; client_secret?: string } } };
      const oauthClient = app.credentials?.oauthClient;
      if (appRes.status !== 200 || !app.id || !oauthClient?.client_id || !oauthClient.client_secret) throw new UnexpectedResponse('create app', appRes);
      client.id = oauthClient.client_id;
      client.secret = oauthClient.client_secret;

      // Assign every bench user to the app.
      await Promise.all(userIds.map(async (id) => {
        const res = await api('POST', `/api/v1/apps/${app.id}/users`, { id, scope: 'USER' });
        if (res.status !== 200) throw new UnexpectedResponse('assign user', res);
      }));

      // A custom scope for client_credentials (which refuses OIDC scopes).
      try {
        const res = await api('POST', '/api/v1/authorizationServers/default/scopes', {
          name: SCOPE, displayName: 'Benchmark', description: 'Benchmark scope', consent: 'IMPLICIT', metadataPublish: 'NO_CLIENTS',
        });
        if (res.status !== 200 && res.status !== 201) throw new UnexpectedResponse('create scope', res);
      } catch (err) {
        if (!(err instanceof MissingEndpoint)) throw err;
        // Fallback while the scopes API is not there: write the scope through the store, server stopped.
        notes.push(`scope "${SCOPE}" inserted through the store: ${err.message}`);
        await child?.stop();
        await insertScopeThroughStore(env);
        await launch();
      }
    } catch (err) {
      // A missing or failing management endpoint: keep the server up for what can still be measured.
      if (!(err instanceof MissingEndpoint || err instanceof UnexpectedResponse)) throw err;
      setupError = err.message;
      notes.push(`setup incomplete: ${err.message}`);
    } finally {
      http.close();
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    name: 'Gatehouse (SQLite)',
    baseUrl,
    issuer,
    paths: {
      discovery: '/oauth2/default/.well-known/openid-configuration',
      token: '/oauth2/default/v1/token',
      introspect: '/oauth2/default/v1/introspect',
    },
    client,
    clientCredentialsScope: SCOPE,
    users,
    introspectsJwtAccessTokens: true,
    ...(setupError === undefined ? {} : { setupError }),
    async signIn(http: HttpClient, user: BenchUser, params: URLSearchParams): Promise<string> {
      const authn = await http.postJson('/api/v1/authn', { username: user.login, password: user.password });
      const body = parseJson(authn);
      if (authn.status !== 200 || body.status !== 'SUCCESS' || typeof body.sessionToken !== 'string') throw new UnexpectedResponse('authn', authn);
      params.set('sessionToken', body.sessionToken);
      const auth = await http.get(`/oauth2/default/v1/authorize?${params}`);
      const location = auth.headers.location;
      if (auth.status !== 302 || !location) throw new UnexpectedResponse('authorize', auth);
      return location;
    },
    notes,
    pid: () => child?.child.pid,
    stop,
  };
}

async function insertScopeThroughStore(env: Record<string, string>): Promise<void> {
  // Imported lazily: only this fallback reaches into Gatehouse's internals.
  const { loadConfig } = await import('../../src/config/config.js');
  const { openStore } = await import('../../src/store/open-store.js');
  const { newId, ID_PREFIX } = await import('../../src/crypto/ids.js');
  const config = loadConfig(env);
  const store = await openStore(config.database);
  try {
    const now = Date.now();
    await store.authServers.createScope({
      id: newId(ID_PREFIX.scope), authServerId: 'default', name: SCOPE, displayName: 'Benchmark', description: 'Benchmark scope',
      consent: 'IMPLICIT', default: false, optional: false, metadataPublish: 'NO_CLIENTS', system: false, created: now, lastUpdated: now,
    });
  } finally {
    await store.close();
  }
}
