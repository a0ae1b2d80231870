/**
 * /api/v1/authorizationServers over real HTTP: servers, signing keys and rotation (manual and
 * scheduled), scopes, claims, policies and rules, each with its bad input and exact error codes, and
 * the effect of those writes on the protocol endpoints where they exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { ID_PREFIX, newId, randomToken, sha256 } from '../../src/crypto/ids.js';
import { EXPIRED_RETENTION_MS, ROTATION_INTERVAL_MS } from '../../src/domain/auth-servers/key-rotation.js';
import type { App, User } from '../../src/domain/model.js';
import { runKeyRotationCheck } from '../../src/keys/auto-rotation.js';
import { expectJson, json, startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;
const BASE = '/api/v1/authorizationServers';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s?.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers

const send = (method: string, path: string, body?: unknown): Promise<Response> =>
  s.api(path, { method, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });

async function expectError(res: Response, status: number, code: string, causes?: string[]): Promise<any> {
  const body = await json(res);
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.errorCode, code, JSON.stringify(body));
  assert.equal(body.errorLink, code);
  assert.ok(body.errorId);
  if (causes) assert.deepEqual(body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary), causes);
  return body;
}

let seq = 0;
const unique = (prefix: string): string => `${prefix} ${++seq} ${randomToken(3)}`;

async function createServer(over: Record<string, unknown> = {}): Promise<any> {
  return expectJson(await send('POST', BASE, { name: unique('Server'), description: 'Test server', audiences: ['api://test'], ...over }), 201);
}

async function keysOf(id: string): Promise<any[]> {
  return expectJson(await send('GET', `${BASE}/${id}/credentials/keys`));
}

const statuses = (keys: { status: string }[]): string[] => keys.map((k) => k.status);

/** An OIDC service app with a client secret, written straight to the store (the apps API is not under test). */
async function createServiceApp(): Promise<{ clientId: string; secret: string }> {
  const c = s.container;
  const now = c.clock.now();
  const id = newId(ID_PREFIX.app);
  const app: App = {
    id, status: 'ACTIVE', clientId: id, created: now, lastUpdated: now,
    body: {
      name: 'oidc_client', label: `Service ${id}`, signOnMode: 'OPENID_CONNECT', features: [], accessibility: {}, visibility: {},
      credentials: {
        userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
        oauthClient: { client_id: id, token_endpoint_auth_method: 'client_secret_basic', autoKeyRotation: true, pkce_required: false },
      },
      settings: {
        app: {}, notes: {},
        oauthClient: {
          application_type: 'service', redirect_uris: [], post_logout_redirect_uris: [], response_types: ['token'],
          grant_types: ['client_credentials'], consent_method: 'TRUSTED', issuer_mode: 'ORG_URL', wildcard_redirect: 'DISABLED',
        },
      },
    },
  };
  await c.store.apps.create(app);
  const secret = randomToken(30);
  await c.store.apps.createSecret({
    id: newId(ID_PREFIX.secret), appId: id, secretSealed: c.box.seal(secret), secretHash: sha256(secret), status: 'ACTIVE', created: now, lastUpdated: now,
  });
  return { clientId: id, secret };
}

async function createUser(): Promise<User> {
  const now = Date.now();
  const login = `rule-${randomToken(6)}@example.com`;
  const user: User = {
    id: newId(ID_PREFIX.user), status: 'ACTIVE', profile: { login, email: login }, passwordHash: null, failedLogins: 0, adminRoles: [],
    created: now, activated: now, statusChanged: now, lastLogin: null, lastUpdated: now, passwordChanged: null,
  };
  await s.container.store.users.create(user);
  return user;
}

/** Skips the test when another module's protocol route is not registered yet. */
async function requireRoute(t: TestContext, res: Response, what: string): Promise<boolean> {
  if (res.status !== 404) return true;
  const body = await res.clone().json().catch(() => ({}));
  if (body.error === 'not_found' || body.errorCode === 'E0000007') {
    t.skip(`${what} is not available in this build`);
    return false;
  }
  return true;
}

function jwtHeader(token: string): { kid: string; alg: string } {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
}

async function clientCredentials(serverId: string, app: { clientId: string; secret: string }, scope: string): Promise<Response> {
  return fetch(`${s.orgUrl}/oauth2/${serverId}/v1/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${app.clientId}:${app.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
  });
}

const RULE = {
  type: 'RESOURCE_ACCESS',
  name: 'Rule',
  conditions: {
    people: { groups: { include: ['EVERYONE'] } },
    grantTypes: { include: ['client_credentials', 'authorization_code'] },
    scopes: { include: ['*'] },
  },
  actions: { token: { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
};

const POLICY = { type: 'OAUTH_AUTHORIZATION_POLICY', name: 'Policy', description: 'desc', conditions: { clients: { include: ['ALL_CLIENTS'] } } };

// ---------------------------------------------------------------------------------------------
// Servers

describe('authorization servers', () => {
  it('creates a server in Okta shape, with an ACTIVE and a NEXT key, the system scopes and no policy', async () => {
    const server = await createServer({ name: 'Sample Authorization Server', audiences: ['https://api.resource.com'] });
    assert.match(server.id, /^aus[A-Za-z0-9]{17}$/);
    assert.equal(server.name, 'Sample Authorization Server');
    assert.equal(server.description, 'Test server');
    assert.deepEqual(server.audiences, ['https://api.resource.com']);
    assert.equal(server.issuer, `${s.orgUrl}/oauth2/${server.id}`);
    assert.equal(server.issuerMode, 'ORG_URL');
    assert.equal(server.status, 'ACTIVE');
    assert.match(server.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const signing = server.credentials.signing;
    assert.equal(signing.rotationMode, 'AUTO');
    assert.equal(signing.use, 'sig');
    assert.equal(Date.parse(signing.nextRotation) - Date.parse(signing.lastRotated), 90 * DAY);
    const self = `${s.orgUrl}${BASE}/${server.id}`;
    assert.deepEqual(server._links.self, { href: self, hints: { allow: ['GET', 'DELETE', 'PUT'] } });
    assert.equal(server._links.scopes.href, `${self}/scopes`);
    assert.equal(server._links.claims.href, `${self}/claims`);
    assert.equal(server._links.policies.href, `${self}/policies`);
    assert.equal(server._links.rotateKey.href, `${self}/credentials/lifecycle/keyRotate`);
    assert.equal(server._links.deactivate.href, `${self}/lifecycle/deactivate`);
    assert.equal(server._links.activate, undefined);
    assert.deepEqual(server._links.metadata.map((m: any) => [m.name, m.href]), [
      ['oauth-authorization-server', `${server.issuer}/.well-known/oauth-authorization-server`],
      ['openid-configuration', `${server.issuer}/.well-known/openid-configuration`],
    ]);

    const keys = await keysOf(server.id);
    assert.deepEqual(statuses(keys), ['ACTIVE', 'NEXT']);
    assert.equal(signing.kid, keys[0].kid);

    const scopes = await expectJson(await send('GET', `${BASE}/${server.id}/scopes`));
    assert.deepEqual(scopes.map((x: any) => x.name).sort(), ['address', 'email', 'offline_access', 'openid', 'phone', 'profile']);
    assert.ok(scopes.every((x: any) => x.system === true));
    assert.deepEqual(await expectJson(await send('GET', `${BASE}/${server.id}/policies`)), []);
    assert.deepEqual(await expectJson(await send('GET', `${BASE}/${server.id}/claims`)), []);

    const fetched = await expectJson(await send('GET', `${BASE}/${server.id}`));
    assert.deepEqual(fetched, server);
  });

  it('accepts issuerMode CUSTOM_URL and DYNAMIC and rotationMode MANUAL (no nextRotation)', async () => {
    const custom = await createServer({ issuerMode: 'CUSTOM_URL' });
    assert.equal(custom.issuerMode, 'CUSTOM_URL');
    assert.equal(custom.issuer, `${s.orgUrl}/oauth2/${custom.id}`);
    const dynamic = await createServer({ issuerMode: 'DYNAMIC', credentials: { signing: { rotationMode: 'MANUAL' } } });
    assert.equal(dynamic.issuerMode, 'DYNAMIC');
    assert.equal(dynamic.credentials.signing.rotationMode, 'MANUAL');
    assert.equal(dynamic.credentials.signing.nextRotation, undefined);
  });

  it('refuses bad servers with E0000001 and the field causes, writing nothing', async () => {
    const before = (await expectJson(await send('GET', BASE))).length;
    await expectError(await send('POST', BASE, { audiences: ['api://x'] }), 400, 'E0000001', ['name: The field cannot be left blank']);
    await expectError(await send('POST', BASE, { name: unique('S') }), 400, 'E0000001', ['audiences: The field cannot be left blank']);
    await expectError(await send('POST', BASE, { name: unique('S'), audiences: [] }), 400, 'E0000001', ['audiences: The field cannot be left blank']);
    await expectError(await send('POST', BASE, { name: unique('S'), audiences: ['a', 'b'] }), 400, 'E0000001', ['audiences: Only one audience is supported']);
    await expectError(await send('POST', BASE, { name: unique('S'), audiences: 'api://x' }), 400, 'E0000001', ['audiences: The field must be an array of non-blank strings']);
    await expectError(await send('POST', BASE, { name: unique('S'), audiences: ['a'], issuerMode: 'OTHER' }), 400, 'E0000001',
      ["issuerMode: 'OTHER' is not a valid value: must be one of ORG_URL, CUSTOM_URL, DYNAMIC"]);
    await expectError(await send('POST', BASE, { name: unique('S'), audiences: ['a'], credentials: { signing: { rotationMode: 'SOMETIMES' } } }), 400, 'E0000001',
      ["credentials.signing.rotationMode: 'SOMETIMES' is not a valid value: must be one of AUTO, MANUAL"]);
    await expectError(await send('POST', BASE, { name: 42, audiences: ['a'], status: 'GONE' }), 400, 'E0000001',
      ['name: The field must be a string', "status: 'GONE' is not a valid value: must be one of ACTIVE, INACTIVE"]);
    await expectError(await send('POST', BASE, ['not', 'an', 'object']), 400, 'E0000003');
    await expectError(await send('POST', BASE, '{"name": '), 400, 'E0000003');
    assert.equal((await expectJson(await send('GET', BASE))).length, before);
  });

  it('refuses a duplicate name (case-insensitively), on create and on replace', async () => {
    const a = await createServer();
    const dup = await expectError(await send('POST', BASE, { name: a.name.toUpperCase(), audiences: ['api://x'] }), 400, 'E0000001',
      ['name: An object with this field already exists in the current organization']);
    assert.equal(dup.errorSummary, 'Api validation failed: name');
    const b = await createServer();
    await expectError(await send('PUT', `${BASE}/${b.id}`, { name: a.name, audiences: ['api://x'] }), 400, 'E0000001',
      ['name: An object with this field already exists in the current organization']);
  });

  it('answers unknown servers with 404 E0000007 on every operation', async () => {
    const id = 'ausNoSuchServer000000';
    const summary = `Not found: Resource not found: ${id} (AuthorizationServer)`;
    for (const [method, path, body] of [
      ['GET', '', undefined], ['PUT', '', { name: 'x', audiences: ['a'] }], ['DELETE', '', undefined],
      ['POST', '/lifecycle/activate', undefined], ['POST', '/lifecycle/deactivate', undefined],
      ['GET', '/credentials/keys', undefined], ['GET', '/credentials/keys/kid', undefined], ['POST', '/credentials/lifecycle/keyRotate', { use: 'sig' }],
      ['GET', '/scopes', undefined], ['POST', '/scopes', { name: 'a' }], ['GET', '/claims', undefined], ['GET', '/policies', undefined],
      ['POST', '/policies', POLICY], ['GET', '/policies/00pX/rules', undefined],
    ] as const) {
      const err = await expectError(await send(method, `${BASE}/${id}${path}`, body), 404, 'E0000007');
      assert.equal(err.errorSummary, summary, `${method} ${path}`);
    }
  });

  it('lists servers with q (name or audience), limit and a Link to the next page', async () => {
    const tag = randomToken(4).replace(/[^a-z0-9]/gi, 'q');
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createServer({ name: `List ${tag} ${i}` }));
    const byAudience = await createServer({ audiences: [`api://aud-${tag}`] });
    const all = await expectJson(await send('GET', `${BASE}?q=${tag}`));
    assert.deepEqual(all.map((x: any) => x.id).sort(), [...made, byAudience].map((x) => x.id).sort());

    const res = await send('GET', `${BASE}?q=${tag}&limit=2`);
    const page1 = await expectJson(res);
    assert.equal(page1.length, 2);
    const link = res.headers.get('link') ?? '';
    assert.match(link, /rel="self"/);
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
    assert.ok(next, link);
    assert.ok(next.startsWith(`${s.orgUrl}${BASE}?`));
    const res2 = await send('GET', next.slice(s.orgUrl.length));
    const page2 = await expectJson(res2);
    assert.equal(page2.length, 2);
    assert.doesNotMatch(res2.headers.get('link') ?? '', /rel="next"/);
    assert.deepEqual([...page1, ...page2].map((x: any) => x.id).sort(), all.map((x: any) => x.id).sort());
    assert.ok(page1[0].credentials.signing.kid);
    await expectError(await send('GET', `${BASE}?limit=abc`), 400, 'E0000029');
  });

  it('replaces a server: name, description, audience, modes; left-out optional fields keep their value', async () => {
    const server = await createServer();
    const name = unique('Renamed');
    const updated = await expectJson(await send('PUT', `${BASE}/${server.id}`, {
      name, audiences: ['api://new'], issuerMode: 'DYNAMIC', credentials: { signing: { rotationMode: 'MANUAL', use: 'sig' } },
      issuer: 'https://ignored.example.com', status: 'ACTIVE',
    }));
    assert.equal(updated.name, name);
    assert.equal(updated.description, 'Test server');
    assert.deepEqual(updated.audiences, ['api://new']);
    assert.equal(updated.issuerMode, 'DYNAMIC');
    assert.equal(updated.issuer, `${s.orgUrl}/oauth2/${server.id}`);
    assert.equal(updated.credentials.signing.rotationMode, 'MANUAL');
    assert.equal(updated.credentials.signing.nextRotation, undefined);
    assert.equal(updated.created, server.created);
    assert.deepEqual(await expectJson(await send('GET', `${BASE}/${server.id}`)), updated);
    await expectError(await send('PUT', `${BASE}/${server.id}`, { name }), 400, 'E0000001', ['audiences: The field cannot be left blank']);
    await expectError(await send('PUT', `${BASE}/${server.id}`, { name, audiences: ['a'], credentials: { signing: { use: 'enc' } } }), 400, 'E0000001',
      ["credentials.signing.use: Invalid value specified for key 'use' parameter"]);
  });

  it('deactivates and activates a server (204), and the links follow the status', async () => {
    const server = await createServer();
    assert.equal((await send('POST', `${BASE}/${server.id}/lifecycle/deactivate`)).status, 204);
    const inactive = await expectJson(await send('GET', `${BASE}/${server.id}`));
    assert.equal(inactive.status, 'INACTIVE');
    assert.equal(inactive._links.activate.href, `${s.orgUrl}${BASE}/${server.id}/lifecycle/activate`);
    assert.equal(inactive._links.deactivate, undefined);
    assert.equal((await send('POST', `${BASE}/${server.id}/lifecycle/deactivate`)).status, 204);
    assert.equal((await send('POST', `${BASE}/${server.id}/lifecycle/activate`)).status, 204);
    assert.equal((await expectJson(await send('GET', `${BASE}/${server.id}`))).status, 'ACTIVE');
  });

  it('deletes a server with everything under it', async () => {
    const server = await createServer();
    const policy = await expectJson(await send('POST', `${BASE}/${server.id}/policies`, POLICY), 201);
    await expectJson(await send('POST', `${BASE}/${server.id}/policies/${policy.id}/rules`, RULE), 201);
    assert.equal((await send('DELETE', `${BASE}/${server.id}`)).status, 204);
    await expectError(await send('GET', `${BASE}/${server.id}`), 404, 'E0000007');
    assert.deepEqual(await s.container.store.signingKeys.listForServer(server.id), []);
    assert.deepEqual(await s.container.store.authServers.listPolicies(server.id), []);
    assert.deepEqual(await s.container.store.authServers.listRules(server.id, policy.id), []);
    assert.deepEqual(await s.container.store.authServers.listScopes(server.id), []);
  });

  it('keeps the default server: it can be renamed and deactivated but not deleted (403 E0000006)', async () => {
    const original = await expectJson(await send('GET', `${BASE}/default`));
    assert.equal(original.issuer, `${s.orgUrl}/oauth2/default`);
    assert.deepEqual(original.audiences, ['api://default']);
    await expectError(await send('DELETE', `${BASE}/default`), 403, 'E0000006');
    const renamed = await expectJson(await send('PUT', `${BASE}/default`, { name: 'Default renamed', audiences: ['api://default'] }));
    assert.equal(renamed.name, 'Default renamed');
    assert.equal((await send('POST', `${BASE}/default/lifecycle/deactivate`)).status, 204);
    assert.equal((await send('POST', `${BASE}/default/lifecycle/activate`)).status, 204);
    await expectJson(await send('PUT', `${BASE}/default`, { name: original.name, audiences: ['api://default'] }));
    assert.equal((await expectJson(await send('GET', `${BASE}/default`))).status, 'ACTIVE');
  });

  it('requires an SSWS token', async () => {
    const res = await fetch(`${s.orgUrl}${BASE}`);
    await expectError(res, 401, 'E0000011');
  });

  it("serves a new server's discovery document, and stops when it is deactivated", async (t) => {
    const server = await createServer();
    const url = `${s.orgUrl}/oauth2/${server.id}/.well-known/openid-configuration`;
    const res = await fetch(url);
    if (!(await requireRoute(t, res, 'discovery'))) return;
    const doc = await expectJson(res);
    assert.equal(doc.issuer, server.issuer);
    assert.equal(doc.jwks_uri, `${server.issuer}/v1/keys`);
    assert.equal((await send('POST', `${BASE}/${server.id}/lifecycle/deactivate`)).status, 204);
    assert.notEqual((await fetch(url)).status, 200);
  });
});

// ---------------------------------------------------------------------------------------------
// Keys

describe('signing keys', () => {
  it('lists and reads keys in Okta shape; unknown kid is 404', async () => {
    const server = await createServer();
    const keys = await keysOf(server.id);
    for (const key of keys) {
      assert.deepEqual(Object.keys(key), ['status', 'alg', 'e', 'n', 'kid', 'kty', 'use', '_links']);
      assert.equal(key.alg, 'RS256');
      assert.equal(key.kty, 'RSA');
      assert.equal(key.use, 'sig');
      assert.equal(key.e, 'AQAB');
      assert.ok(key.n.length > 300);
      const self = `${s.orgUrl}${BASE}/${server.id}/credentials/keys/${key.kid}`;
      assert.deepEqual(key._links, { self: { href: self, hints: { allow: ['GET'] } } });
      assert.deepEqual(await expectJson(await send('GET', `${BASE}/${server.id}/credentials/keys/${key.kid}`)), key);
    }
    assert.doesNotMatch(JSON.stringify(keys), /"d"|private|PRIVATE/);
    await expectError(await send('GET', `${BASE}/${server.id}/credentials/keys/nope`), 404, 'E0000007');
    // Another server's kid is not this server's key.
    const other = await keysOf((await createServer()).id);
    await expectError(await send('GET', `${BASE}/${server.id}/credentials/keys/${other[0].kid}`), 404, 'E0000007');
  });

  it('rotates: ACTIVE becomes EXPIRED, NEXT becomes ACTIVE, a fresh NEXT appears', async () => {
    const server = await createServer({ credentials: { signing: { rotationMode: 'MANUAL' } } });
    const [active, next] = await keysOf(server.id);
    const rotated = await expectJson(await send('POST', `${BASE}/${server.id}/credentials/lifecycle/keyRotate`, { use: 'sig' }));
    assert.deepEqual(statuses(rotated), ['ACTIVE', 'NEXT', 'EXPIRED']);
    assert.equal(rotated[0].kid, next.kid);
    assert.equal(rotated[2].kid, active.kid);
    assert.ok(![active.kid, next.kid].includes(rotated[1].kid));
    const after = await expectJson(await send('GET', `${BASE}/${server.id}`));
    assert.equal(after.credentials.signing.kid, next.kid);
    assert.ok(Date.parse(after.credentials.signing.lastRotated) >= Date.parse(server.credentials.signing.lastRotated));

    const again = await expectJson(await send('POST', `${BASE}/${server.id}/credentials/lifecycle/keyRotate`, { use: 'sig' }));
    assert.deepEqual(statuses(again), ['ACTIVE', 'NEXT', 'EXPIRED', 'EXPIRED']);
    assert.equal(again[0].kid, rotated[1].kid);
  });

  it('refuses keyRotate without use "sig" (E0000001, as the spec example)', async () => {
    const server = await createServer();
    for (const body of [{ use: 'enc' }, {}, undefined]) {
      const err = await expectError(await send('POST', `${BASE}/${server.id}/credentials/lifecycle/keyRotate`, body), 400, 'E0000001',
        ["Invalid value specified for key 'use' parameter"]);
      assert.equal(err.errorSummary, 'Api validation failed: rotateKeys');
    }
    assert.deepEqual(statuses(await keysOf(server.id)), ['ACTIVE', 'NEXT']);
  });

  it('publishes the new key in /oauth2/{id}/v1/keys and signs tokens with it after a rotation', async (t) => {
    const server = await createServer({ credentials: { signing: { rotationMode: 'MANUAL' } } });
    const jwks = await fetch(`${s.orgUrl}/oauth2/${server.id}/v1/keys`);
    if (!(await requireRoute(t, jwks, 'the keys endpoint'))) return;
    const before = (await expectJson(jwks)).keys.map((k: any) => k.kid);
    const [active, next] = await keysOf(server.id);
    assert.deepEqual(before.sort(), [active.kid, next.kid].sort());

    const rotated = await expectJson(await send('POST', `${BASE}/${server.id}/credentials/lifecycle/keyRotate`, { use: 'sig' }));
    const published = (await expectJson(await fetch(`${s.orgUrl}/oauth2/${server.id}/v1/keys`))).keys.map((k: any) => k.kid);
    assert.deepEqual(published.sort(), rotated.map((k: any) => k.kid).sort(), 'ACTIVE, NEXT and EXPIRED are all published');

    // With a policy in place, a client_credentials token is signed by the new ACTIVE key.
    const policy = await expectJson(await send('POST', `${BASE}/${server.id}/policies`, POLICY), 201);
    await expectJson(await send('POST', `${BASE}/${server.id}/policies/${policy.id}/rules`, RULE), 201);
    await expectJson(await send('POST', `${BASE}/${server.id}/scopes`, { name: 'api:read' }), 201);
    const token = await clientCredentials(server.id, await createServiceApp(), 'api:read');
    if (!(await requireRoute(t, token, 'the token endpoint'))) return;
    assert.equal(jwtHeader((await expectJson(token)).access_token).kid, rotated[0].kid);
  });
});

// ---------------------------------------------------------------------------------------------
// Scheduled rotation

describe('scheduled key rotation', () => {
  /** The node's dependencies with the clock moved forward. */
  const at = (offsetMs: number) => ({ ...s.container, clock: { now: () => Date.now() + offsetMs } });

  it('does nothing before 90 days, rotates AUTO servers after, and is idempotent', async () => {
    const server = await createServer();
    const manual = await createServer({ credentials: { signing: { rotationMode: 'MANUAL' } } });
    const [active, next] = await keysOf(server.id);

    await runKeyRotationCheck(at(0));
    assert.deepEqual((await keysOf(server.id)).map((k) => k.kid), [active.kid, next.kid]);

    const later = 91 * DAY;
    await runKeyRotationCheck(at(later));
    const rotated = await keysOf(server.id);
    assert.deepEqual(statuses(rotated), ['ACTIVE', 'NEXT', 'EXPIRED']);
    assert.equal(rotated[0].kid, next.kid);
    assert.equal(rotated[2].kid, active.kid);
    const shown = await expectJson(await send('GET', `${BASE}/${server.id}`));
    assert.equal(shown.credentials.signing.kid, next.kid);
    assert.ok(Date.parse(shown.credentials.signing.lastRotated) >= Date.now() + later - 60_000);
    assert.equal(Date.parse(shown.credentials.signing.nextRotation) - Date.parse(shown.credentials.signing.lastRotated), ROTATION_INTERVAL_MS);

    await runKeyRotationCheck(at(later + 60_000));
    assert.deepEqual((await keysOf(server.id)).map((k) => k.kid), rotated.map((k) => k.kid));
    assert.deepEqual(statuses(await keysOf(manual.id)), ['ACTIVE', 'NEXT']);
  });

  it('purges an EXPIRED key once its retention has ended', async () => {
    const server = await createServer();
    const later = 91 * DAY;
    await runKeyRotationCheck(at(later));
    const rotated = await keysOf(server.id);
    assert.deepEqual(statuses(rotated), ['ACTIVE', 'NEXT', 'EXPIRED']);
    await runKeyRotationCheck(at(later + EXPIRED_RETENTION_MS - DAY));
    assert.deepEqual(statuses(await keysOf(server.id)), ['ACTIVE', 'NEXT', 'EXPIRED']);
    await runKeyRotationCheck(at(later + EXPIRED_RETENTION_MS + 60_000));
    assert.deepEqual((await keysOf(server.id)).map((k) => k.kid), rotated.slice(0, 2).map((k) => k.kid));
  });

  it('rotates exactly once when several nodes check at the same moment', async () => {
    const server = await createServer();
    const later = 91 * DAY;
    await Promise.all([runKeyRotationCheck(at(later)), runKeyRotationCheck(at(later)), runKeyRotationCheck(at(later))]);
    const keys = await keysOf(server.id);
    assert.equal(keys.filter((k) => k.status === 'ACTIVE').length, 1);
    assert.equal(keys.filter((k) => k.status === 'EXPIRED').length, 1);
    assert.ok(keys.some((k) => k.status === 'NEXT'));
  });

  it('gives a server that lost its NEXT key a new one', async () => {
    const server = await createServer();
    const [, next] = await keysOf(server.id);
    await s.container.store.signingKeys.delete(server.id, next.kid);
    s.container.keys.invalidate(server.id);
    await runKeyRotationCheck(at(0));
    const keys = await keysOf(server.id);
    assert.deepEqual(statuses(keys), ['ACTIVE', 'NEXT']);
    assert.notEqual(keys[1].kid, next.kid);
  });
});

// ---------------------------------------------------------------------------------------------
// Scopes

describe('scopes', () => {
  let server: any;
  before(async () => {
    server = await createServer();
  });
  const scopes = (): string => `${BASE}/${server.id}/scopes`;

  it('creates a scope with Okta defaults (IMPLICIT, NO_CLIENTS) and reads it back', async () => {
    const scope = await expectJson(await send('POST', scopes(), { name: 'car:drive', description: 'Drive car', displayName: 'Saml Jackson', consent: 'REQUIRED' }), 201);
    assert.match(scope.id, /^scp/);
    assert.deepEqual({ ...scope, id: undefined, _links: undefined }, {
      id: undefined, name: 'car:drive', displayName: 'Saml Jackson', description: 'Drive car', system: false, default: false,
      consent: 'REQUIRED', optional: false, metadataPublish: 'NO_CLIENTS', _links: undefined,
    });
    assert.deepEqual(scope._links.self, { href: `${s.orgUrl}${scopes()}/${scope.id}`, hints: { allow: ['GET', 'PUT', 'DELETE'] } });
    assert.deepEqual(await expectJson(await send('GET', `${scopes()}/${scope.id}`)), scope);
    const plain = await expectJson(await send('POST', scopes(), { name: 'car:wash' }), 201);
    assert.equal(plain.consent, 'IMPLICIT');
    assert.equal(plain.metadataPublish, 'NO_CLIENTS');
    assert.equal(plain.displayName, null);
  });

  it('refuses bad scopes with field causes', async () => {
    await expectError(await send('POST', scopes(), {}), 400, 'E0000001', ['name: The field cannot be left blank']);
    await expectError(await send('POST', scopes(), { name: 'two words' }), 400, 'E0000001',
      ['name: A scope name must not contain spaces, double quotes or backslashes']);
    await expectError(await send('POST', scopes(), { name: 'okta.users.read' }), 400, 'E0000001', ["name: The 'okta.' prefix is reserved for Okta scopes"]);
    await expectError(await send('POST', scopes(), { name: 'x:y', consent: 'ALWAYS', metadataPublish: 'SOME', default: 'yes', optional: 1 }), 400, 'E0000001', [
      "consent: 'ALWAYS' is not a valid value: must be one of REQUIRED, IMPLICIT, FLEXIBLE",
      'default: The field must be true or false',
      'optional: The field must be true or false',
      "metadataPublish: 'SOME' is not a valid value: must be one of ALL_CLIENTS, NO_CLIENTS",
    ]);
    await expectError(await send('POST', scopes(), { name: 'openid' }), 400, 'E0000001', ['name: An object with this field already exists']);
    await expectError(await send('POST', scopes(), 'nope'), 400, 'E0000003');
  });

  it('replaces a scope, keeping fields left out; refuses a duplicate name', async () => {
    const scope = await expectJson(await send('POST', scopes(), { name: 'order:read', consent: 'REQUIRED', default: true }), 201);
    const updated = await expectJson(await send('PUT', `${scopes()}/${scope.id}`, { name: 'order:list', description: 'List orders', metadataPublish: 'ALL_CLIENTS' }));
    assert.equal(updated.name, 'order:list');
    assert.equal(updated.description, 'List orders');
    assert.equal(updated.metadataPublish, 'ALL_CLIENTS');
    assert.equal(updated.consent, 'REQUIRED');
    assert.equal(updated.default, true);
    await expectError(await send('PUT', `${scopes()}/${scope.id}`, { name: 'email' }), 400, 'E0000001', ['name: An object with this field already exists']);
  });

  it('lets system scopes be edited but not renamed or deleted', async () => {
    const list = await expectJson(await send('GET', scopes()));
    const openid = list.find((x: any) => x.name === 'openid');
    const edited = await expectJson(await send('PUT', `${scopes()}/${openid.id}`, { name: 'openid', consent: 'IMPLICIT', description: 'Sign in' }));
    assert.equal(edited.description, 'Sign in');
    assert.equal(edited.system, true);
    await expectError(await send('PUT', `${scopes()}/${openid.id}`, { name: 'oidc' }), 400, 'E0000001', ['name: The name of a system scope cannot be changed']);
    await expectError(await send('DELETE', `${scopes()}/${openid.id}`), 403, 'E0000006');
  });

  it('deletes a custom scope; unknown scope ids are 404', async () => {
    const scope = await expectJson(await send('POST', scopes(), { name: 'temp:scope' }), 201);
    assert.equal((await send('DELETE', `${scopes()}/${scope.id}`)).status, 204);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const err = await expectError(await send(method, `${scopes()}/${scope.id}`, method === 'PUT' ? { name: 'a' } : undefined), 404, 'E0000007');
      assert.equal(err.errorSummary, `Not found: Resource not found: ${scope.id} (OAuth2Scope)`);
    }
  });

  it('lists scopes with q and limit, paging with a Link header', async () => {
    for (const n of ['pq:one', 'pq:two', 'pq:three']) await expectJson(await send('POST', scopes(), { name: n }), 201);
    assert.deepEqual((await expectJson(await send('GET', `${scopes()}?q=pq:`))).map((x: any) => x.name).sort(), ['pq:one', 'pq:three', 'pq:two']);
    const res = await send('GET', `${scopes()}?q=pq:&limit=2`);
    assert.equal((await expectJson(res)).length, 2);
    const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    assert.ok(next);
    assert.equal((await expectJson(await send('GET', next.slice(s.orgUrl.length)))).length, 1);
  });
});

// ---------------------------------------------------------------------------------------------
// Claims

describe('claims', () => {
  let server: any;
  before(async () => {
    server = await createServer();
    await expectJson(await send('POST', `${BASE}/${server.id}/scopes`, { name: 'groups' }), 201);
  });
  const claims = (): string => `${BASE}/${server.id}/claims`;

  it('creates GROUPS and EXPRESSION claims in Okta shape', async () => {
    const groups = await expectJson(await send('POST', claims(), {
      name: 'Support', status: 'ACTIVE', claimType: 'IDENTITY', valueType: 'GROUPS', value: 'Support', group_filter_type: 'CONTAINS',
      conditions: { scopes: ['profile'] }, alwaysIncludeInToken: true, system: true,
    }), 201);
    assert.match(groups.id, /^ocl/);
    assert.deepEqual({ ...groups, id: undefined, _links: undefined }, {
      id: undefined, name: 'Support', status: 'ACTIVE', claimType: 'IDENTITY', valueType: 'GROUPS', value: 'Support',
      conditions: { scopes: ['profile'] }, system: false, alwaysIncludeInToken: true, group_filter_type: 'CONTAINS', _links: undefined,
    });
    assert.deepEqual(groups._links.self, { href: `${s.orgUrl}${claims()}/${groups.id}`, hints: { allow: ['GET', 'PUT', 'DELETE'] } });
    assert.deepEqual(await expectJson(await send('GET', `${claims()}/${groups.id}`)), groups);

    const expr = await expectJson(await send('POST', claims(), { name: 'email_addr', claimType: 'RESOURCE', value: 'user.email', alwaysIncludeInToken: false }), 201);
    assert.equal(expr.valueType, 'EXPRESSION');
    assert.equal(expr.alwaysIncludeInToken, true, 'access-token claims are always included');
    assert.equal(expr.group_filter_type, undefined);
    assert.deepEqual(expr.conditions, { scopes: [] });
    const idClaim = await expectJson(await send('POST', claims(), { name: 'email_addr', claimType: 'IDENTITY', value: 'user.email', alwaysIncludeInToken: false }), 201);
    assert.equal(idClaim.alwaysIncludeInToken, false);
    // The spec's create example wraps the claim in an array.
    const wrapped = await expectJson(await send('POST', claims(), [{ name: 'dept', claimType: 'RESOURCE', value: 'user.department' }]), 201);
    assert.equal(wrapped.name, 'dept');
    const listed = await expectJson(await send('GET', claims()));
    assert.deepEqual(listed.map((x: any) => x.id).sort(), [groups.id, expr.id, idClaim.id, wrapped.id].sort());
  });

  it('refuses reserved names and bad claims with field causes', async () => {
    for (const name of ['sub', 'iss', 'aud', 'exp', 'iat', 'jti', 'cid', 'uid', 'scp', 'ver', 'auth_time', 'amr', 'idp', 'nonce', 'at_hash', 'c_hash']) {
      await expectError(await send('POST', claims(), { name, claimType: 'RESOURCE', value: 'user.email' }), 400, 'E0000001',
        [`name: '${name}' is a reserved claim name and cannot be used`]);
    }
    await expectError(await send('POST', claims(), {}), 400, 'E0000001', [
      'name: The field cannot be left blank', 'claimType: The field cannot be left blank', 'value: The field cannot be left blank',
    ]);
    await expectError(await send('POST', claims(), { name: 'n', claimType: null, value: 'v' }), 400, 'E0000001', ['claimType: The field cannot be left blank']);
    await expectError(await send('POST', claims(), { name: 'x', claimType: 'BOTH', valueType: 'SYSTEM', value: 'v', status: 'ON' }), 400, 'E0000001', [
      "claimType: 'BOTH' is not a valid value: must be one of RESOURCE, IDENTITY",
      "valueType: 'SYSTEM' is not a valid value: must be one of EXPRESSION, GROUPS",
      "status: 'ON' is not a valid value: must be one of ACTIVE, INACTIVE",
    ]);
    await expectError(await send('POST', claims(), { name: 'g', claimType: 'IDENTITY', valueType: 'GROUPS', value: 'Sales' }), 400, 'E0000001',
      ['group_filter_type: The field cannot be left blank']);
    await expectError(await send('POST', claims(), { name: 'g', claimType: 'IDENTITY', valueType: 'GROUPS', value: 'Sales', group_filter_type: 'LIKE' }), 400, 'E0000001',
      ["group_filter_type: 'LIKE' is not a valid value: must be one of STARTS_WITH, EQUALS, CONTAINS, REGEX"]);
    // Values are checked with the Expression Language parser and the safe-regex checks that minting uses.
    const causeOf = async (res: Response): Promise<string> => (await expectError(res, 400, 'E0000001')).errorCauses.map((c: any) => c.errorSummary).join(' | ');
    assert.match(await causeOf(await send('POST', claims(), { name: 'g', claimType: 'IDENTITY', valueType: 'GROUPS', value: '(unclosed', group_filter_type: 'REGEX' })),
      /^value: Invalid regular expression: .+$/);
    assert.match(await causeOf(await send('POST', claims(), { name: 'g', claimType: 'IDENTITY', valueType: 'GROUPS', value: '(a+)+$', group_filter_type: 'REGEX' })),
      /^value: Invalid regular expression: .*nested quantifier/);
    for (const value of ['user.email ==', '(user.email', 'user.__proto__']) {
      assert.match(await causeOf(await send('POST', claims(), { name: 'e', claimType: 'RESOURCE', value })), /^value: Invalid expression: .+\(at position \d+\)$/, value);
    }
    await expectJson(await send('POST', claims(), { name: 'full_name', claimType: 'IDENTITY', value: 'user.firstName + " " + String.toUpperCase(user.lastName)' }), 201);
    await expectJson(await send('POST', claims(), { name: 'eng', claimType: 'IDENTITY', valueType: 'GROUPS', value: 'Eng.*', group_filter_type: 'REGEX' }), 201);
    await expectError(await send('POST', claims(), { name: 'c', claimType: 'RESOURCE', value: 'user.email', conditions: { scopes: ['nope'] } }), 400, 'E0000001',
      ["conditions.scopes: The scope 'nope' does not exist on this authorization server"]);
    await expectError(await send('POST', claims(), { name: 'c', claimType: 'RESOURCE', value: 'user.email', conditions: { scopes: 'groups' } }), 400, 'E0000001',
      ['conditions.scopes: The field must be an array of non-blank strings']);
    await expectJson(await send('POST', claims(), { name: 'dup', claimType: 'RESOURCE', value: 'user.email' }), 201);
    await expectError(await send('POST', claims(), { name: 'dup', claimType: 'RESOURCE', value: 'user.login' }), 400, 'E0000001',
      ['name: An object with this field already exists']);
  });

  it('replaces and deletes a claim; unknown claim ids are 404', async () => {
    const claim = await expectJson(await send('POST', claims(), { name: 'grp', claimType: 'IDENTITY', valueType: 'GROUPS', value: 'Eng', group_filter_type: 'STARTS_WITH' }), 201);
    const updated = await expectJson(await send('PUT', `${claims()}/${claim.id}`, {
      name: 'grp', claimType: 'IDENTITY', valueType: 'EXPRESSION', value: 'user.login', conditions: { scopes: ['groups'] }, status: 'INACTIVE',
    }));
    assert.equal(updated.valueType, 'EXPRESSION');
    assert.equal(updated.group_filter_type, undefined);
    assert.deepEqual(updated.conditions, { scopes: ['groups'] });
    assert.equal(updated.status, 'INACTIVE');
    assert.deepEqual(await expectJson(await send('GET', `${claims()}/${claim.id}`)), updated);
    await expectError(await send('PUT', `${claims()}/${claim.id}`, { name: 'sub', value: 'user.login' }), 400, 'E0000001',
      ["name: 'sub' is a reserved claim name and cannot be used"]);
    assert.equal((await send('DELETE', `${claims()}/${claim.id}`)).status, 204);
    const err = await expectError(await send('GET', `${claims()}/${claim.id}`), 404, 'E0000007');
    assert.equal(err.errorSummary, `Not found: Resource not found: ${claim.id} (OAuth2Claim)`);
    await expectError(await send('DELETE', `${claims()}/${claim.id}`), 404, 'E0000007');
  });
});

// ---------------------------------------------------------------------------------------------
// Policies

describe('policies', () => {
  let server: any;
  before(async () => {
    server = await createServer();
  });
  const policies = (): string => `${BASE}/${server.id}/policies`;
  const order = async (): Promise<string[]> => (await expectJson(await send('GET', policies()))).map((p: any) => `${p.priority}:${p.name}`);

  it('creates policies in Okta shape, last by default, and renumbers on insert, move and delete', async () => {
    const a = await expectJson(await send('POST', policies(), { ...POLICY, name: 'A' }), 201);
    assert.match(a.id, /^00p/);
    assert.deepEqual({ ...a, id: undefined, created: undefined, lastUpdated: undefined, _links: undefined }, {
      type: 'OAUTH_AUTHORIZATION_POLICY', id: undefined, status: 'ACTIVE', name: 'A', description: 'desc', priority: 1, system: false,
      conditions: { clients: { include: ['ALL_CLIENTS'] } }, created: undefined, lastUpdated: undefined, _links: undefined,
    });
    const self = `${s.orgUrl}${policies()}/${a.id}`;
    assert.deepEqual(a._links, {
      self: { href: self, hints: { allow: ['GET', 'PUT', 'DELETE'] } },
      deactivate: { href: `${self}/lifecycle/deactivate`, hints: { allow: ['POST'] } },
      rules: { href: `${self}/rules`, hints: { allow: ['GET'] } },
    });
    await expectJson(await send('POST', policies(), { ...POLICY, name: 'B' }), 201);
    const c = await expectJson(await send('POST', policies(), { ...POLICY, name: 'C', priority: 1 }), 201);
    assert.equal(c.priority, 1);
    assert.deepEqual(await order(), ['1:C', '2:A', '3:B']);
    await expectJson(await send('POST', policies(), { ...POLICY, name: 'D', priority: 99 }), 201);
    assert.deepEqual(await order(), ['1:C', '2:A', '3:B', '4:D']);

    const moved = await expectJson(await send('PUT', `${policies()}/${c.id}`, { ...POLICY, name: 'C', priority: 3 }));
    assert.equal(moved.priority, 3);
    assert.deepEqual(await order(), ['1:A', '2:B', '3:C', '4:D']);
    await expectJson(await send('PUT', `${policies()}/${c.id}`, { ...POLICY, name: 'C2', description: 'renamed' }));
    assert.deepEqual(await order(), ['1:A', '2:B', '3:C2', '4:D']);

    assert.equal((await send('DELETE', `${policies()}/${a.id}`)).status, 204);
    assert.deepEqual(await order(), ['1:B', '2:C2', '3:D']);
    await expectError(await send('GET', `${policies()}/${a.id}`), 404, 'E0000007');
  });

  it('accepts client ids of existing apps and refuses unknown ones', async () => {
    const app = await createServiceApp();
    const p = await expectJson(await send('POST', policies(), { ...POLICY, name: unique('Clients'), conditions: { clients: { include: [app.clientId] } } }), 201);
    assert.deepEqual(p.conditions.clients.include, [app.clientId]);
    await expectError(await send('POST', policies(), { ...POLICY, name: unique('Clients'), conditions: { clients: { include: [app.clientId, '0oaNoSuchClient'] } } }),
      400, 'E0000001', ["conditions.clients.include: The client '0oaNoSuchClient' does not exist"]);
  });

  it('refuses bad policies with field causes, writing nothing', async () => {
    const before = await order();
    await expectError(await send('POST', policies(), { type: 'OKTA_SIGN_ON', conditions: {} }), 400, 'E0000001', [
      "type: 'OKTA_SIGN_ON' is not a valid value: must be one of OAUTH_AUTHORIZATION_POLICY",
      'name: The field cannot be left blank',
      'conditions.clients.include: The field cannot be left blank',
    ]);
    await expectError(await send('POST', policies(), { ...POLICY, name: 'x'.repeat(101), status: 'ON', priority: 0 }), 400, 'E0000001', [
      'name: The field cannot exceed 100 characters',
      "status: 'ON' is not a valid value: must be one of ACTIVE, INACTIVE",
      'priority: The field must be a positive integer',
    ]);
    await expectError(await send('POST', policies(), { ...POLICY, name: 'B' }), 400, 'E0000001', ['name: An object with this field already exists']);
    await expectError(await send('POST', policies(), { ...POLICY, name: 'E', conditions: { clients: { include: 'ALL_CLIENTS' } } }), 400, 'E0000001',
      ['conditions.clients.include: The field must be an array of non-blank strings']);
    assert.deepEqual(await order(), before);
  });

  it('deactivates and activates a policy (204)', async () => {
    const p = await expectJson(await send('POST', policies(), { ...POLICY, name: unique('Life') }), 201);
    assert.equal((await send('POST', `${policies()}/${p.id}/lifecycle/deactivate`)).status, 204);
    const inactive = await expectJson(await send('GET', `${policies()}/${p.id}`));
    assert.equal(inactive.status, 'INACTIVE');
    assert.equal(inactive._links.activate.href, `${s.orgUrl}${policies()}/${p.id}/lifecycle/activate`);
    assert.equal((await send('POST', `${policies()}/${p.id}/lifecycle/activate`)).status, 204);
    assert.equal((await expectJson(await send('GET', `${policies()}/${p.id}`))).status, 'ACTIVE');
    await expectError(await send('POST', `${policies()}/00pNoSuchPolicy/lifecycle/activate`), 404, 'E0000007');
  });
});

// ---------------------------------------------------------------------------------------------
// Rules

describe('policy rules', () => {
  let server: any;
  let policy: any;
  before(async () => {
    server = await createServer();
    await expectJson(await send('POST', `${BASE}/${server.id}/scopes`, { name: 'api:read' }), 201);
    policy = await expectJson(await send('POST', `${BASE}/${server.id}/policies`, POLICY), 201);
  });
  const rules = (): string => `${BASE}/${server.id}/policies/${policy.id}/rules`;
  const order = async (): Promise<string[]> => (await expectJson(await send('GET', rules()))).map((r: any) => `${r.priority}:${r.name}`);

  it('creates rules in Okta shape with default lifetimes, ordered by priority', async () => {
    const rule = await expectJson(await send('POST', rules(), {
      type: 'RESOURCE_ACCESS', name: 'First', conditions: { people: { groups: { include: ['EVERYONE'] } }, grantTypes: { include: ['client_credentials'] }, scopes: { include: ['api:read', 'openid'] } },
    }), 201);
    assert.match(rule.id, /^0pr/);
    assert.deepEqual({ ...rule, id: undefined, created: undefined, lastUpdated: undefined, _links: undefined }, {
      type: 'RESOURCE_ACCESS', id: undefined, status: 'ACTIVE', name: 'First', priority: 1, created: undefined, lastUpdated: undefined, system: false,
      conditions: {
        people: { users: { include: [], exclude: [] }, groups: { include: ['EVERYONE'], exclude: [] } },
        grantTypes: { include: ['client_credentials'] }, scopes: { include: ['api:read', 'openid'] },
      },
      actions: { token: { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
      _links: undefined,
    });
    const self = `${s.orgUrl}${rules()}/${rule.id}`;
    assert.deepEqual(rule._links, {
      self: { href: self, hints: { allow: ['GET', 'PUT', 'DELETE'] } },
      deactivate: { href: `${self}/lifecycle/deactivate`, hints: { allow: ['POST'] } },
    });
    assert.deepEqual(await expectJson(await send('GET', `${rules()}/${rule.id}`)), rule);

    const user = await createUser();
    const second = await expectJson(await send('POST', rules(), {
      ...RULE, name: 'Second', priority: 1,
      conditions: { ...RULE.conditions, people: { users: { include: [user.id] }, groups: { exclude: [] } } },
      actions: { token: { accessTokenLifetimeMinutes: 5, refreshTokenLifetimeMinutes: 10080, refreshTokenWindowMinutes: 10080 } },
    }), 201);
    assert.deepEqual(second.conditions.people.users, { include: [user.id], exclude: [] });
    assert.deepEqual(await order(), ['1:Second', '2:First']);
  });

  it('enforces Okta token lifetime limits with field causes', async () => {
    const withToken = (token: Record<string, number>) => ({ ...RULE, name: unique('Lifetimes'), actions: { token } });
    const t = (f: string) => `actions.token.${f}`;
    await expectError(await send('POST', rules(), withToken({ accessTokenLifetimeMinutes: 4 })), 400, 'E0000001',
      [`${t('accessTokenLifetimeMinutes')}: The access token lifetime must be between 5 and 1440 minutes`]);
    await expectError(await send('POST', rules(), withToken({ accessTokenLifetimeMinutes: 1441 })), 400, 'E0000001',
      [`${t('accessTokenLifetimeMinutes')}: The access token lifetime must be between 5 and 1440 minutes`]);
    await expectError(await send('POST', rules(), withToken({ refreshTokenWindowMinutes: 9 })), 400, 'E0000001',
      [`${t('refreshTokenWindowMinutes')}: The refresh token window must be between 10 and 2628000 minutes`]);
    await expectError(await send('POST', rules(), withToken({ refreshTokenWindowMinutes: 2628001 })), 400, 'E0000001',
      [`${t('refreshTokenWindowMinutes')}: The refresh token window must be between 10 and 2628000 minutes`]);
    await expectError(await send('POST', rules(), withToken({ accessTokenLifetimeMinutes: 120, refreshTokenLifetimeMinutes: 60, refreshTokenWindowMinutes: 10 })), 400, 'E0000001',
      [`${t('refreshTokenLifetimeMinutes')}: The refresh token lifetime must be at least the access token lifetime`]);
    await expectError(await send('POST', rules(), withToken({ refreshTokenLifetimeMinutes: 100, refreshTokenWindowMinutes: 200 })), 400, 'E0000001',
      [`${t('refreshTokenLifetimeMinutes')}: The refresh token lifetime must be at least the refresh token window`]);
    await expectError(await send('POST', rules(), withToken({ refreshTokenLifetimeMinutes: -1 })), 400, 'E0000001',
      [`${t('refreshTokenLifetimeMinutes')}: The refresh token lifetime must be 0 (unlimited) or at most 2628000 minutes`]);
    await expectError(await send('POST', rules(), withToken({ accessTokenLifetimeMinutes: 60.5 } as any)), 400, 'E0000001',
      [`${t('accessTokenLifetimeMinutes')}: The field must be an integer`]);
    const edge = await expectJson(await send('POST', rules(), withToken({ accessTokenLifetimeMinutes: 1440, refreshTokenLifetimeMinutes: 2628000, refreshTokenWindowMinutes: 2628000 })), 201);
    assert.deepEqual(edge.actions.token, { accessTokenLifetimeMinutes: 1440, refreshTokenLifetimeMinutes: 2628000, refreshTokenWindowMinutes: 2628000 });
  });

  it('refuses unknown grant types, scopes, users and groups, and missing fields', async () => {
    const bad = (conditions: Record<string, unknown>) => ({ ...RULE, name: unique('Bad'), conditions: { ...RULE.conditions, ...conditions } });
    await expectError(await send('POST', rules(), bad({ grantTypes: { include: ['client_credentials', 'magic'] } })), 400, 'E0000001',
      ["conditions.grantTypes.include: 'magic' is not a valid grant type"]);
    await expectError(await send('POST', rules(), bad({ scopes: { include: ['api:write'] } })), 400, 'E0000001',
      ["conditions.scopes.include: The scope 'api:write' does not exist on this authorization server"]);
    await expectError(await send('POST', rules(), bad({ people: { users: { include: ['00uNoSuchUser'] }, groups: { exclude: ['00gNoSuchGroup'] } } })), 400, 'E0000001', [
      "conditions.people.users.include: The user '00uNoSuchUser' does not exist",
      "conditions.people.groups.exclude: The group '00gNoSuchGroup' does not exist",
    ]);
    await expectError(await send('POST', rules(), { type: 'SIGN_ON', conditions: { people: 'everyone' } }), 400, 'E0000001', [
      "type: 'SIGN_ON' is not a valid value: must be one of RESOURCE_ACCESS",
      'name: The field cannot be left blank',
      'conditions.people: The field must be an object',
      'conditions.grantTypes.include: The field cannot be left blank',
      'conditions.scopes.include: The field cannot be left blank',
    ]);
    await expectError(await send('POST', rules(), { ...RULE, name: 'First' }), 400, 'E0000001', ['name: An object with this field already exists']);
    // Every grant type of Okta's GrantType enum is accepted, device code and token exchange included.
    await expectJson(await send('POST', rules(), bad({ grantTypes: { include: ['urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange', 'password', 'implicit'] } })), 201);
  });

  it('replaces, deactivates, activates and deletes a rule, renumbering the others', async () => {
    const rule = await expectJson(await send('POST', rules(), { ...RULE, name: 'Third' }), 201);
    const updated = await expectJson(await send('PUT', `${rules()}/${rule.id}`, { ...RULE, name: 'Third', priority: 1, actions: { token: { accessTokenLifetimeMinutes: 30 } } }));
    assert.equal(updated.priority, 1);
    assert.deepEqual(updated.actions.token, { accessTokenLifetimeMinutes: 30, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 });
    assert.equal((await order())[0], '1:Third');
    assert.equal((await send('POST', `${rules()}/${rule.id}/lifecycle/deactivate`)).status, 204);
    assert.equal((await expectJson(await send('GET', `${rules()}/${rule.id}`))).status, 'INACTIVE');
    assert.equal((await send('POST', `${rules()}/${rule.id}/lifecycle/activate`)).status, 204);
    const countBefore = (await order()).length;
    assert.equal((await send('DELETE', `${rules()}/${rule.id}`)).status, 204);
    const after = await order();
    assert.equal(after.length, countBefore - 1);
    assert.deepEqual(after.map((x) => Number(x.split(':')[0])), after.map((_, i) => i + 1));
    const err = await expectError(await send('GET', `${rules()}/${rule.id}`), 404, 'E0000007');
    assert.equal(err.errorSummary, `Not found: Resource not found: ${rule.id} (AuthorizationServerPolicyRule)`);
    await expectError(await send('GET', `${BASE}/${server.id}/policies/00pNoSuchPolicy/rules`), 404, 'E0000007');
  });

  it("removes a policy's rules with the policy", async () => {
    const p = await expectJson(await send('POST', `${BASE}/${server.id}/policies`, { ...POLICY, name: unique('Doomed') }), 201);
    const r = await expectJson(await send('POST', `${BASE}/${server.id}/policies/${p.id}/rules`, RULE), 201);
    assert.equal((await send('DELETE', `${BASE}/${server.id}/policies/${p.id}`)).status, 204);
    await expectError(await send('GET', `${BASE}/${server.id}/policies/${p.id}/rules/${r.id}`), 404, 'E0000007');
  });
});

// ---------------------------------------------------------------------------------------------
// Effect on the protocol

describe('effect on the token endpoint', () => {
  it('takes policy, rule and scope changes into account at once', async (t) => {
    const server = await createServer();
    const app = await createServiceApp();
    await expectJson(await send('POST', `${BASE}/${server.id}/scopes`, { name: 'api:read' }), 201);
    const first = await clientCredentials(server.id, app, 'api:read');
    if (!(await requireRoute(t, first, 'the token endpoint'))) return;
    assert.equal(first.status, 401, 'a new server has no policy: nothing matches');

    const policy = await expectJson(await send('POST', `${BASE}/${server.id}/policies`, { ...POLICY, conditions: { clients: { include: [app.clientId] } } }), 201);
    const rule = await expectJson(await send('POST', `${BASE}/${server.id}/policies/${policy.id}/rules`, {
      ...RULE, actions: { token: { accessTokenLifetimeMinutes: 15 } },
    }), 201);
    const granted = await expectJson(await clientCredentials(server.id, app, 'api:read'));
    assert.equal(granted.expires_in, 900);

    assert.equal((await send('POST', `${BASE}/${server.id}/policies/${policy.id}/rules/${rule.id}/lifecycle/deactivate`)).status, 204);
    assert.equal((await clientCredentials(server.id, app, 'api:read')).status, 401);
    assert.equal((await send('POST', `${BASE}/${server.id}/policies/${policy.id}/rules/${rule.id}/lifecycle/activate`)).status, 204);
    assert.equal((await clientCredentials(server.id, app, 'api:read')).status, 200);

    const scope = (await expectJson(await send('GET', `${BASE}/${server.id}/scopes?q=api:read`)))[0];
    assert.equal((await send('DELETE', `${BASE}/${server.id}/scopes/${scope.id}`)).status, 204);
    assert.equal((await clientCredentials(server.id, app, 'api:read')).status, 400, 'a deleted scope is unknown at once');
  });
});
