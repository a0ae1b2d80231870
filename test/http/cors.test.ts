/**
 * CORS over real HTTP (okta-api-model.md §4, pain point 6): trusted vs untrusted origins on every
 * CORS endpoint, preflights, credentials, never `*`, exact origin matching, app redirect-URI origins
 * on the OAuth endpoints only, and a deactivated or deleted origin losing access at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { invalidateAppOrigins } from '../../src/domain/trusted-origins/cors-allow-list.js';
import { json, startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;

const TRUSTED = 'https://spa.example.com';
const REDIRECT_SCOPE_ONLY = 'https://redirect-only.example.com';
const APP_ORIGIN = 'https://app.example.net:8443';
const UNTRUSTED = 'https://evil.example.com';

const REQUIRED_ALLOW_HEADERS = ['Accept', 'Content-Type', 'Authorization', 'X-Okta-User-Agent-Extended', 'DPoP', 'X-Requested-With'];

/** Browser-called endpoints: method, path, and whether app redirect-URI origins are admitted. */
const API_ENDPOINTS: [string, string][] = [
  ['POST', '/api/v1/authn'],
  ['GET', '/api/v1/sessions/me'],
  ['DELETE', '/api/v1/sessions/me'],
  ['POST', '/api/v1/sessions/me/lifecycle/refresh'],
  ['GET', '/api/v1/users/me'],
];
const OAUTH_ENDPOINTS: [string, string][] = [
  ['GET', '/.well-known/openid-configuration'],
  ['GET', '/.well-known/oauth-authorization-server'],
  ['GET', '/oauth2/default/.well-known/openid-configuration'],
  ['GET', '/oauth2/default/.well-known/oauth-authorization-server'],
  ['GET', '/oauth2/v1/keys'],
  ['GET', '/oauth2/default/v1/keys'],
  ['POST', '/oauth2/v1/token'],
  ['POST', '/oauth2/default/v1/token'],
  ['POST', '/oauth2/default/v1/revoke'],
  ['POST', '/oauth2/default/v1/introspect'],
  ['GET', '/oauth2/default/v1/userinfo'],
  ['POST', '/oauth2/v1/userinfo'],
];
const ALL_ENDPOINTS = [...API_ENDPOINTS, ...OAUTH_ENDPOINTS];

async function adminSend(method: string, path: string, body?: unknown): Promise<any> {
  const res = await s.api(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const out = await json(res);
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(out)}`);
  return out;
}

/** A browser-like request: no SSWS token, an Origin header, form body for POSTs. */
function browser(method: string, path: string, origin: string | undefined, headers: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { accept: 'application/json', ...headers };
  if (origin !== undefined) h.origin = origin;
  const init: RequestInit = { method, headers: h };
  if (method === 'POST' && path.includes('/oauth2/')) {
    h['content-type'] = 'application/x-www-form-urlencoded';
    init.body = 'client_id=nobody';
  } else if (method === 'POST' || method === 'PUT') {
    h['content-type'] = 'application/json';
    init.body = '{}';
  }
  return fetch(`${s.orgUrl}${path}`, init);
}

function preflight(path: string, origin: string | undefined, method = 'POST'): Promise<Response> {
  const headers: Record<string, string> = {
    'access-control-request-method': method,
    'access-control-request-headers': 'accept, content-type, authorization, x-okta-user-agent-extended, dpop',
  };
  if (origin !== undefined) headers.origin = origin;
  return fetch(`${s.orgUrl}${path}`, { method: 'OPTIONS', headers });
}

function varyHasOrigin(res: Response): boolean {
  return (res.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase()).includes('origin');
}

function assertAllowed(res: Response, origin: string, what: string): void {
  assert.equal(res.headers.get('access-control-allow-origin'), origin, `${what}: allow-origin`);
  assert.equal(res.headers.get('access-control-allow-credentials'), 'true', `${what}: allow-credentials`);
  assert.ok(varyHasOrigin(res), `${what}: Vary: Origin`);
}

function assertNotAllowed(res: Response, what: string): void {
  assert.equal(res.headers.get('access-control-allow-origin'), null, `${what}: no allow-origin`);
  assert.equal(res.headers.get('access-control-allow-credentials'), null, `${what}: no allow-credentials`);
  assert.equal(res.headers.get('access-control-allow-methods'), null, `${what}: no allow-methods`);
}

let trustedId: string;

before(async () => {
  s = await startTestServer();
  trustedId = (await adminSend('POST', '/api/v1/trustedOrigins', { name: 'SPA', origin: TRUSTED, scopes: [{ type: 'CORS' }, { type: 'REDIRECT' }] })).id;
  await adminSend('POST', '/api/v1/trustedOrigins', { name: 'Redirect only', origin: REDIRECT_SCOPE_ONLY, scopes: [{ type: 'REDIRECT' }] });
  await adminSend('POST', '/api/v1/apps', {
    name: 'oidc_client', label: 'CORS SPA', signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: { token_endpoint_auth_method: 'none' } },
    settings: { oauthClient: { application_type: 'browser', grant_types: ['authorization_code'], redirect_uris: [`${APP_ORIGIN}/login/callback`] } },
  });
});
after(async () => {
  await s?.close();
});

describe('actual requests', () => {
  it('a trusted CORS origin gets its origin echoed, with credentials, on every CORS endpoint', async () => {
    for (const [method, path] of ALL_ENDPOINTS) {
      const res = await browser(method, path, TRUSTED);
      await res.arrayBuffer();
      assertAllowed(res, TRUSTED, `${method} ${path} (${res.status})`);
      assert.match(res.headers.get('access-control-expose-headers') ?? '', /X-Okta-Request-Id/);
    }
  });

  it('an untrusted origin, a REDIRECT-only origin or no Origin gets no CORS headers, but Vary: Origin', async () => {
    for (const origin of [UNTRUSTED, REDIRECT_SCOPE_ONLY, undefined]) {
      for (const [method, path] of ALL_ENDPOINTS) {
        const res = await browser(method, path, origin);
        await res.arrayBuffer();
        assertNotAllowed(res, `${method} ${path} from ${origin}`);
        assert.ok(varyHasOrigin(res), `${method} ${path}: Vary`);
      }
    }
  });

  it('the origin of an active app redirect URI is allowed on the OAuth endpoints only', async () => {
    for (const [method, path] of OAUTH_ENDPOINTS) {
      const res = await browser(method, path, APP_ORIGIN);
      await res.arrayBuffer();
      assertAllowed(res, APP_ORIGIN, `${method} ${path}`);
    }
    for (const [method, path] of API_ENDPOINTS) {
      const res = await browser(method, path, APP_ORIGIN);
      await res.arrayBuffer();
      assertNotAllowed(res, `${method} ${path}`);
    }
  });

  it('matches scheme://host:port exactly: host case-insensitive, default port implied, nothing else', async () => {
    const path = '/oauth2/default/v1/keys';
    for (const origin of ['https://SPA.Example.com', 'https://spa.example.com:443']) {
      const res = await browser('GET', path, origin);
      await res.arrayBuffer();
      assertAllowed(res, origin, origin);
    }
    for (const origin of [
      'https://spa.example.com/', 'http://spa.example.com', 'https://spa.example.com:8443', 'https://sub.spa.example.com',
      'https://spa.example.com.evil.com', 'null', '*', 'https://spa.example.com/path', 'spa.example.com', 'https://app.example.net',
    ]) {
      const res = await browser('GET', path, origin);
      await res.arrayBuffer();
      assertNotAllowed(res, origin);
    }
  });

  it('error responses carry the CORS headers too, so the browser can read the error', async () => {
    const res = await browser('POST', '/oauth2/default/v1/token', TRUSTED);
    assert.ok(res.status >= 400);
    const body = await json(res);
    assert.ok(body.error);
    assertAllowed(res, TRUSTED, 'token error');
    const missing = await browser('GET', '/oauth2/nope/v1/keys', TRUSTED);
    await missing.arrayBuffer();
    assert.ok(missing.status >= 400);
    assertAllowed(missing, TRUSTED, 'unknown server');
  });

  it('non-CORS endpoints never get CORS headers, even for a trusted origin', async () => {
    for (const [method, path] of [['GET', '/api/v1/users'], ['GET', '/api/v1/trustedOrigins'], ['GET', '/oauth2/default/v1/authorize'], ['GET', '/healthz']] as const) {
      const res = await fetch(`${s.orgUrl}${path}`, { method, headers: { origin: TRUSTED, authorization: `SSWS ${s.token}` } });
      await res.arrayBuffer();
      assertNotAllowed(res, path);
    }
  });

  it('never answers with a wildcard', async () => {
    for (const origin of [TRUSTED, APP_ORIGIN, UNTRUSTED, '*']) {
      for (const [method, path] of ALL_ENDPOINTS) {
        for (const res of [await browser(method, path, origin), await preflight(path, origin, method)]) {
          await res.arrayBuffer();
          assert.notEqual(res.headers.get('access-control-allow-origin'), '*');
        }
      }
    }
  });
});

describe('preflight', () => {
  it('a trusted origin gets 204 with methods, the SDK headers, credentials and max-age, without authentication', async () => {
    for (const [method, path] of ALL_ENDPOINTS) {
      const res = await preflight(path, TRUSTED, method);
      assert.equal(res.status, 204, `${path}: ${res.status}`);
      assert.equal(await res.text(), '');
      assertAllowed(res, TRUSTED, `OPTIONS ${path}`);
      const methods = (res.headers.get('access-control-allow-methods') ?? '').split(',').map((m) => m.trim());
      assert.ok(methods.includes(method), `${path}: ${methods.join()}`);
      const headers = (res.headers.get('access-control-allow-headers') ?? '').split(',').map((h) => h.trim());
      for (const h of REQUIRED_ALLOW_HEADERS) assert.ok(headers.includes(h), `${path}: ${h}`);
      assert.equal(res.headers.get('access-control-max-age'), '3600');
    }
  });

  it('token, revoke and introspect allow POST only; keys and discovery GET', async () => {
    assert.equal((await preflight('/oauth2/default/v1/token', TRUSTED)).headers.get('access-control-allow-methods'), 'POST, OPTIONS');
    assert.equal((await preflight('/oauth2/v1/keys', TRUSTED, 'GET')).headers.get('access-control-allow-methods'), 'GET, OPTIONS');
  });

  it('an app redirect-URI origin may preflight the OAuth endpoints only', async () => {
    assertAllowed(await preflight('/oauth2/default/v1/token', APP_ORIGIN), APP_ORIGIN, 'token');
    assertNotAllowed(await preflight('/api/v1/sessions/me', APP_ORIGIN, 'GET'), 'sessions/me');
  });

  it('a wildcard (SUBDOMAIN) redirect URI admits one label matching the pattern', async () => {
    await adminSend('POST', '/api/v1/apps', {
      name: 'oidc_client', label: 'Wildcard SPA', signOnMode: 'OPENID_CONNECT',
      credentials: { oauthClient: { token_endpoint_auth_method: 'none' } },
      settings: {
        oauthClient: {
          application_type: 'browser', grant_types: ['authorization_code'], wildcard_redirect: 'SUBDOMAIN',
          redirect_uris: ['https://tenant-*.wild.example.com/callback'],
        },
      },
    });
    // App changes reach the allow-list within the cache TTL; the apps service may invalidate it at once.
    invalidateAppOrigins(s.container);
    for (const origin of ['https://tenant-acme.wild.example.com', 'https://tenant-a-b.wild.example.com']) {
      assertAllowed(await preflight('/oauth2/default/v1/token', origin), origin, origin);
    }
    for (const origin of [
      'https://tenant-.wild.example.com', 'https://x.tenant-acme.wild.example.com', 'https://tenant-acme.wild.example.com:8443',
      'http://tenant-acme.wild.example.com', 'https://acme.wild.example.com', 'https://tenant-acme.wild.example.com.evil.com',
    ]) {
      assertNotAllowed(await preflight('/oauth2/default/v1/token', origin), origin);
    }
  });

  it('an untrusted origin gets a bare 204 that grants nothing', async () => {
    for (const [method, path] of ALL_ENDPOINTS) {
      const res = await preflight(path, UNTRUSTED, method);
      assert.equal(res.status, 204, path);
      assertNotAllowed(res, `OPTIONS ${path}`);
      assert.equal(res.headers.get('access-control-max-age'), null);
      assert.ok(varyHasOrigin(res));
    }
  });

  it('OPTIONS never 404s, whether or not the route defines OPTIONS', async () => {
    for (const path of ['/api/v1/sessions/me', '/api/v1/authn', '/api/v1/users/me', '/api/v1/users', '/no/such/path', '/oauth2/default/v1/authorize']) {
      for (const res of [await preflight(path, TRUSTED, 'GET'), await fetch(`${s.orgUrl}${path}`, { method: 'OPTIONS' })]) {
        await res.arrayBuffer();
        assert.equal(res.status, 204, `${path}: ${res.status}`);
      }
    }
  });
});

describe('changes to trusted origins', () => {
  it('deactivating an origin stops CORS at once; activating restores it; deleting ends it', async () => {
    const path = '/api/v1/sessions/me';
    assertAllowed(await preflight(path, TRUSTED, 'GET'), TRUSTED, 'before');

    await adminSend('POST', `/api/v1/trustedOrigins/${trustedId}/lifecycle/deactivate`);
    assertNotAllowed(await preflight(path, TRUSTED, 'GET'), 'preflight after deactivate');
    const actual = await browser('GET', path, TRUSTED);
    await actual.arrayBuffer();
    assertNotAllowed(actual, 'request after deactivate');

    await adminSend('POST', `/api/v1/trustedOrigins/${trustedId}/lifecycle/activate`);
    assertAllowed(await preflight(path, TRUSTED, 'GET'), TRUSTED, 'after activate');

    // Dropping the CORS scope (keeping REDIRECT) also ends CORS.
    await adminSend('PUT', `/api/v1/trustedOrigins/${trustedId}`, { name: 'SPA', origin: TRUSTED, scopes: [{ type: 'REDIRECT' }] });
    assertNotAllowed(await preflight(path, TRUSTED, 'GET'), 'after scope change');
    await adminSend('PUT', `/api/v1/trustedOrigins/${trustedId}`, { name: 'SPA', origin: TRUSTED, scopes: [{ type: 'CORS' }] });
    assertAllowed(await preflight(path, TRUSTED, 'GET'), TRUSTED, 'after scope restored');

    await adminSend('DELETE', `/api/v1/trustedOrigins/${trustedId}`);
    assertNotAllowed(await preflight(path, TRUSTED, 'GET'), 'after delete');
  });

  it('a new origin works at once', async () => {
    const origin = 'http://localhost:3000';
    assertNotAllowed(await preflight('/api/v1/authn', origin), 'before');
    await adminSend('POST', '/api/v1/trustedOrigins', { name: 'Local dev', origin, scopes: [{ type: 'CORS' }] });
    assertAllowed(await preflight('/api/v1/authn', origin), origin, 'after');
  });

  it('serves the allow-list from memory: no database read per request', async () => {
    const repo = s.container.store.trustedOrigins;
    const original = repo.listActive;
    let reads = 0;
    (repo as { listActive: typeof original }).listActive = async () => {
      reads++;
      return original.call(repo);
    };
    try {
      for (let i = 0; i < 20; i++) await (await preflight('/api/v1/authn', 'http://localhost:3000')).arrayBuffer();
      assert.ok(reads <= 1, `reads: ${reads}`);
    } finally {
      (repo as { listActive: typeof original }).listActive = original;
    }
  });
});

describe('across nodes (a change this node did not make)', () => {
  let s2: TestServer;
  before(async () => {
    s2 = await startTestServer({ GATEHOUSE_CACHE_TTL_SECONDS: '1' });
  });
  after(async () => {
    await s2?.close();
  });

  it('is seen within the cache TTL', async () => {
    const origin = 'https://other-node.example.com';
    const ask = () => fetch(`${s2.orgUrl}/api/v1/authn`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    assertNotAllowed(await ask(), 'before');
    // Written straight to the database, as another node would.
    const now = Date.now();
    await s2.container.store.trustedOrigins.create({
      id: 'tosOtherNode', name: 'Other node', origin, status: 'ACTIVE', scopes: [{ type: 'CORS' }],
      created: now, createdBy: null, lastUpdated: now, lastUpdatedBy: null,
    });
    // Within half the TTL the cached list still answers; past the TTL the next request reloads it.
    assertNotAllowed(await ask(), 'within the TTL');
    await new Promise((r) => setTimeout(r, 1100));
    assertAllowed(await ask(), origin, 'after the TTL');
  });
});
