/**
 * POST /api/v1/authorizationServers/{id}/tokenPreview over real HTTP, the whole setup made through
 * the management API: ALLOW with the matching rule's lifetimes and the claims the real flow mints
 * (checked against real tokens), DENY for each reason with Okta's exact error, a change seen at
 * once, and bad input. Nothing usable is ever returned.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomToken } from '../../src/crypto/ids.js';
import { expectJson, json, startTestServer, type TestServer } from '../support/server.js';
import { basic, issueCode, jwtHeader, jwtPayload, postForm } from '../oauth/fixtures.js';

let s: TestServer;
async function expectError(res: Response, status: number, code: string): Promise<any> {
  const body = await json(res);
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.errorCode, code, JSON.stringify(body));
  return body;
}

const tag = randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, 'x');
let server: any;
let webApp: any;
let serviceApp: any;
let orphanApp: any;
let inactiveApp: any;
let group: any;
let policy: any;
let webRule: any;
let serviceRule: any;
const users: Record<string, any> = {};

async function createUser(name: string, over: Record<string, unknown> = {}): Promise<any> {
  const login = `${name}-${tag}@example.com`;
  return expectJson(await s.send('POST', '/api/v1/users', {
    profile: { login, email: login, firstName: name[0]!.toUpperCase() + name.slice(1), lastName: 'Preview', department: 'Sales', ...over },
    credentials: { password: { value: 'Preview-Passw0rd!' } },
  }));
}

async function createApp(label: string, oauthClient: Record<string, unknown>, method = 'client_secret_basic', activate = true): Promise<any> {
  return expectJson(await s.send('POST', `/api/v1/apps?activate=${activate}`, {
    name: 'oidc_client', label: `${label} ${tag}`, signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: { token_endpoint_auth_method: method } },
    settings: { oauthClient },
  }));
}

const rule = (name: string, grantTypes: string[], people: Record<string, unknown>, scopes: string[], minutes = [30, 0, 120]) => ({
  type: 'RESOURCE_ACCESS', name,
  conditions: { people, grantTypes: { include: grantTypes }, scopes: { include: scopes } },
  actions: { token: { accessTokenLifetimeMinutes: minutes[0], refreshTokenLifetimeMinutes: minutes[1], refreshTokenWindowMinutes: minutes[2] } },
});

const preview = (body: unknown, serverId = server.id) => s.send('POST', `/api/v1/authorizationServers/${serverId}/tokenPreview`, body);

before(async () => {
  s = await startTestServer();
  server = await expectJson(await s.send('POST', '/api/v1/authorizationServers', { name: `Preview AS ${tag}`, description: 'Token preview', audiences: ['api://preview'] }), 201);
  const as = `/api/v1/authorizationServers/${server.id}`;
  await expectJson(await s.send('POST', `${as}/scopes`, { name: 'orders:read', consent: 'IMPLICIT', default: true }), 201);
  await expectJson(await s.send('POST', `${as}/scopes`, { name: 'orders:admin', consent: 'REQUIRED' }), 201);
  await expectJson(await s.send('POST', `${as}/claims`, { name: 'department', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'user.department', conditions: { scopes: [] } }), 201);
  await expectJson(await s.send('POST', `${as}/claims`, { name: 'app_label', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'app.label', conditions: { scopes: [] } }), 201);

  group = await expectJson(await s.send('POST', '/api/v1/groups', { profile: { name: `Preview buyers ${tag}` } }));
  webApp = await createApp('Preview web', {
    application_type: 'web', grant_types: ['authorization_code', 'refresh_token', 'implicit'], response_types: ['code', 'token', 'id_token'],
    redirect_uris: ['https://preview.example.com/callback'], refresh_token: { rotation_type: 'ROTATE', leeway: 10 },
  });
  serviceApp = await createApp('Preview service', { application_type: 'service', grant_types: ['client_credentials'] });
  orphanApp = await createApp('Preview orphan', { application_type: 'web', grant_types: ['authorization_code'], redirect_uris: ['https://orphan.example.com/cb'] });
  inactiveApp = await createApp('Preview inactive', { application_type: 'web', grant_types: ['authorization_code'], redirect_uris: ['https://off.example.com/cb'] }, 'client_secret_basic', false);

  users.alice = await createUser('alice');
  users.bob = await createUser('bob');
  users.carol = await createUser('carol');
  users.dave = await createUser('dave');
  await expectJson(await s.send('PUT', `/api/v1/groups/${group.id}/users/${users.alice.id}`), 204);
  await expectJson(await s.send('PUT', `/api/v1/apps/${webApp.id}/groups/${group.id}`, {}));
  for (const u of [users.bob, users.dave]) await expectJson(await s.send('POST', `/api/v1/apps/${webApp.id}/users`, { id: u.id, scope: 'USER' }));
  await expectJson(await s.send('POST', `/api/v1/apps/${orphanApp.id}/users`, { id: users.alice.id, scope: 'USER' }));
  await expectJson(await s.send('POST', `/api/v1/users/${users.dave.id}/lifecycle/suspend`));

  policy = await expectJson(await s.send('POST', `${as}/policies`, {
    type: 'OAUTH_AUTHORIZATION_POLICY', name: 'Preview web policy', priority: 1,
    conditions: { clients: { include: [webApp.credentials.oauthClient.client_id, serviceApp.credentials.oauthClient.client_id] } },
  }), 201);
  webRule = await expectJson(await s.send('POST', `${as}/policies/${policy.id}/rules`,
    rule('Buyers', ['authorization_code', 'implicit'], { groups: { include: [group.id] } }, ['openid', 'profile', 'email', 'offline_access', 'orders:read'])), 201);
  serviceRule = await expectJson(await s.send('POST', `${as}/policies/${policy.id}/rules`,
    rule('Back office', ['authorization_code'], { users: { include: [users.carol.id] } }, ['*'], [15, 0, 60])), 201);
});

after(async () => {
  await s?.close();
});

const clientId = (app: any): string => app.credentials.oauthClient.client_id;
/** Anything in the answer that looks like a signed compact JWT. */
const signedJwts = (body: unknown): string[] => (JSON.stringify(body).match(/ey[\w-]+\.ey[\w-]+\.[\w-]+/g) ?? []);

async function activeKid(): Promise<string> {
  const keys = await expectJson(await s.send('GET', `/api/v1/authorizationServers/${server.id}/credentials/keys`));
  return keys.find((k: any) => k.status === 'ACTIVE').kid;
}

/** Claims that differ between any two tokens (time and uniqueness). */
function stable(claims: Record<string, unknown>): Record<string, unknown> {
  const { jti: _j, iat: _i, exp: _e, auth_time: _a, at_hash: _h, ...rest } = claims;
  return rest;
}

describe('ALLOW', () => {
  it('authorization_code: the matching rule, its lifetimes, and the claims of the tokens the code flow mints', async () => {
    const res = await preview({ clientId: clientId(webApp), grantType: 'authorization_code', userId: users.alice.profile.login,
      scopes: ['openid', 'profile', 'email', 'offline_access', 'orders:read'] });
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = await expectJson(res);
    assert.equal(body.result, 'ALLOW');
    assert.deepEqual(body.policy, { id: policy.id, name: 'Preview web policy' });
    assert.deepEqual(body.rule, { id: webRule.id, name: 'Buyers' });
    assert.deepEqual(body.scopes, ['openid', 'profile', 'email', 'offline_access', 'orders:read']);
    assert.deepEqual(body.lifetimes, { accessTokenMinutes: 30, refreshTokenMinutes: 0, refreshTokenWindowMinutes: 120 });

    const kid = await activeKid();
    const { access_token: at, id_token: idt, refresh_token: rt } = body.tokens;
    assert.deepEqual(at.header, { kid, alg: 'RS256' });
    assert.deepEqual(idt.header, { kid, alg: 'RS256' });
    assert.equal(at.payload.iss, `${s.orgUrl}/oauth2/${server.id}`);
    assert.equal(at.payload.aud, 'api://preview');
    assert.equal(at.payload.cid, clientId(webApp));
    assert.equal(at.payload.uid, users.alice.id);
    assert.equal(at.payload.sub, users.alice.profile.login);
    assert.deepEqual(at.payload.scp, body.scopes);
    assert.equal(at.payload.exp - at.payload.iat, 30 * 60);
    assert.equal(at.payload.department, 'Sales');
    assert.equal(at.payload.app_label, `Preview web ${tag}`);
    assert.equal(idt.payload.sub, users.alice.id);
    assert.equal(idt.payload.aud, clientId(webApp));
    assert.equal(idt.payload.preferred_username, users.alice.profile.login);
    assert.equal(idt.payload.email, users.alice.profile.email);
    assert.equal(idt.payload.given_name, undefined, 'a thin ID token beside an access token');
    assert.match(idt.payload.at_hash, /^</);
    assert.deepEqual(rt.present, true);
    assert.equal(rt.rotation, 'ROTATE');
    assert.deepEqual(signedJwts(body), []);
  });

  it('matches what /token really mints for the same grant', async () => {
    const scopes = ['openid', 'email', 'orders:read'];
    const previewed = await expectJson(await preview({ clientId: clientId(webApp), grantType: 'authorization_code', userId: users.alice.id, scopes }));
    const { code } = await issueCode(s.container, {
      serverId: server.id, app: { app: undefined as never, clientId: clientId(webApp), secret: undefined, redirectUri: 'https://preview.example.com/callback' },
      user: users.alice, scopes, lifetimes: { accessTokenSeconds: 30 * 60, refreshTokenSeconds: null, refreshWindowSeconds: 120 * 60 },
    });
    const real = await postForm(`${s.orgUrl}/oauth2/${server.id}/v1/token`,
      { grant_type: 'authorization_code', code, redirect_uri: 'https://preview.example.com/callback' },
      { authorization: basic(clientId(webApp), webApp.credentials.oauthClient.client_secret) });
    assert.equal(real.status, 200, real.text);
    assert.deepEqual(jwtHeader(real.body.access_token), previewed.tokens.access_token.header);
    assert.deepEqual(stable(jwtPayload(real.body.access_token)), stable(previewed.tokens.access_token.payload));
    assert.deepEqual(stable(jwtPayload(real.body.id_token)), stable(previewed.tokens.id_token.payload));
  });

  it('implicit with an ID token alone: a fat ID token, the request-bound nonce, no refresh token', async () => {
    const body = await expectJson(await preview({ clientId: clientId(webApp), grantType: 'implicit', userId: users.alice.id, scopes: ['openid', 'profile'], responseTypes: ['id_token'] }));
    assert.equal(body.result, 'ALLOW');
    assert.equal(body.tokens.access_token, undefined);
    assert.equal(body.tokens.id_token.payload.given_name, 'Alice');
    assert.match(body.tokens.id_token.payload.nonce, /^</);
    assert.deepEqual(body.tokens.refresh_token, { present: false, reason: 'The implicit grant type never returns a refresh token.' });
  });

  it('refresh_token: evaluated as the code flow that started it, with the app\'s rotation', async () => {
    const body = await expectJson(await preview({ clientId: clientId(webApp), grantType: 'refresh_token', userId: users.alice.id, scopes: ['openid', 'offline_access'] }));
    assert.equal(body.result, 'ALLOW');
    assert.equal(body.rule.name, 'Buyers');
    assert.equal(body.tokens.refresh_token.present, true);
    assert.equal(body.tokens.refresh_token.rotation, 'ROTATE');
    assert.ok(body.tokens.id_token);
  });

  it('a refresh token only with offline_access', async () => {
    const body = await expectJson(await preview({ clientId: clientId(webApp), grantType: 'authorization_code', userId: users.alice.id, scopes: ['openid'] }));
    assert.deepEqual(body.tokens.refresh_token, { present: false, reason: 'offline_access is not among the granted scopes.' });
  });
});

describe('DENY', () => {
  async function denied(body: unknown): Promise<any> {
    const out = await expectJson(await preview(body));
    assert.equal(out.result, 'DENY', JSON.stringify(out));
    assert.deepEqual(Object.keys(out).sort(), ['error', 'error_description', 'reason', 'result']);
    return out;
  }

  it('rule: no rule allows the grant type, then the rule is changed and the preview follows at once', async () => {
    const out = await denied({ clientId: clientId(serviceApp), grantType: 'client_credentials' });
    assert.equal(out.error, 'access_denied');
    assert.equal(out.error_description, 'Policy evaluation failed for this request, please check the policy configurations.');
    assert.equal(out.reason.type, 'rule');
    assert.match(out.reason.detail, /^No rule in policy "Preview web policy" allows grant type client_credentials; rules checked: Buyers \(grant types: authorization_code, implicit\), Back office \(grant types: authorization_code\)\. /);

    const as = `/api/v1/authorizationServers/${server.id}/policies/${policy.id}/rules/${serviceRule.id}`;
    await expectJson(await s.send('PUT', as, rule('Back office', ['authorization_code', 'client_credentials'], { users: { include: [users.carol.id] } }, ['*'], [15, 0, 60])));
    const allowed = await expectJson(await preview({ clientId: clientId(serviceApp), grantType: 'client_credentials' }));
    assert.equal(allowed.result, 'ALLOW');
    assert.deepEqual(allowed.rule, { id: serviceRule.id, name: 'Back office' });
    assert.deepEqual(allowed.scopes, ['orders:read'], 'the default scope, as the real flow');
    assert.deepEqual(allowed.lifetimes, { accessTokenMinutes: 15, refreshTokenMinutes: 0, refreshTokenWindowMinutes: 60 });
    const at = allowed.tokens.access_token.payload;
    assert.equal(at.sub, clientId(serviceApp));
    assert.equal(at.uid, undefined);
    assert.equal(at.exp - at.iat, 15 * 60);
    assert.equal(allowed.tokens.id_token, undefined);

    // …and /token agrees, claim for claim.
    const real = await postForm(`${s.orgUrl}/oauth2/${server.id}/v1/token`, { grant_type: 'client_credentials' },
      { authorization: basic(clientId(serviceApp), serviceApp.credentials.oauthClient.client_secret) });
    assert.equal(real.status, 200, real.text);
    assert.deepEqual(stable(jwtPayload(real.body.access_token)), stable(at));
  });

  it('rule: the user is in none of the rules\' people', async () => {
    const out = await denied({ clientId: clientId(webApp), grantType: 'authorization_code', userId: users.bob.id, scopes: ['openid'] });
    assert.equal(out.error_description, 'Policy evaluation failed for this request, please check the policy configurations.');
    assert.equal(out.reason.type, 'rule');
    assert.match(out.reason.detail, new RegExp(`^No rule in policy "Preview web policy" includes user "${users.bob.profile.login}"; rules checked: Buyers \\(people: users none; groups Preview buyers ${tag}\\), Back office \\(people: users ${users.carol.profile.login}; groups none\\)`));
  });

  it('policy: no policy applies to the client', async () => {
    const out = await denied({ clientId: clientId(orphanApp), grantType: 'authorization_code', userId: users.alice.id, scopes: ['openid'] });
    assert.equal(out.error, 'access_denied');
    assert.equal(out.error_description, 'Policy evaluation failed for this request, please check the policy configurations.');
    assert.equal(out.reason.type, 'policy');
    assert.match(out.reason.detail, new RegExp(`^No active access policy of authorization server "Preview AS ${tag}" applies to client ${clientId(orphanApp)} \\(policies: "Preview web policy" \\(clients: `));
  });

  it('assignment: the user is not assigned to the app', async () => {
    const out = await denied({ clientId: clientId(webApp), grantType: 'authorization_code', userId: users.carol.id, scopes: ['openid'] });
    assert.equal(out.error, 'access_denied');
    assert.equal(out.error_description, 'User is not assigned to the client application.');
    assert.equal(out.reason.type, 'assignment');
    assert.match(out.reason.detail, new RegExp(`^User "${users.carol.profile.login}" is not assigned to app "Preview web ${tag}"`));
  });

  it('scope: unknown, needing openid, needing consent without a user', async () => {
    let out = await denied({ clientId: clientId(webApp), grantType: 'authorization_code', userId: users.alice.id, scopes: ['openid', 'orders:nope'] });
    assert.equal(out.error, 'invalid_scope');
    assert.equal(out.error_description, 'One or more scopes are not configured for the authorization server resource.');
    assert.equal(out.reason.type, 'scope');
    assert.match(out.reason.detail, /does not define the scopes orders:nope/);
    out = await denied({ clientId: clientId(webApp), grantType: 'authorization_code', userId: users.alice.id, scopes: ['email'] });
    assert.equal(out.error_description, "Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope.");
    out = await denied({ clientId: clientId(serviceApp), grantType: 'client_credentials', scopes: ['orders:admin'] });
    assert.equal(out.error, 'consent_required');
    assert.equal(out.error_description, 'The following scopes require user consent and cannot be granted for the client credentials grant type: [orders:admin].');
    out = await denied({ clientId: clientId(serviceApp), grantType: 'client_credentials', scopes: ['openid'] });
    assert.equal(out.error_description, "Cannot request 'openid' scopes using client credentials.");
  });

  it('grant_type: the app does not allow it', async () => {
    const out = await denied({ clientId: clientId(webApp), grantType: 'client_credentials' });
    assert.equal(out.error, 'unauthorized_client');
    assert.equal(out.error_description, 'The client is not authorized to use the provided grant type. Configured grant types: [authorization_code, refresh_token, implicit].');
    assert.equal(out.reason.type, 'grant_type');
    assert.match(out.reason.detail, /does not allow the client_credentials grant type/);
  });

  it('user_status: a suspended user', async () => {
    let out = await denied({ clientId: clientId(webApp), grantType: 'authorization_code', userId: users.dave.id, scopes: ['openid'] });
    assert.equal(out.error, 'access_denied');
    assert.equal(out.error_description, 'User status is invalid.');
    assert.equal(out.reason.type, 'user_status');
    assert.match(out.reason.detail, /is SUSPENDED; .*unsuspend the user/);
    out = await denied({ clientId: clientId(webApp), grantType: 'refresh_token', userId: users.dave.id, scopes: ['openid'] });
    assert.equal(out.error, 'invalid_grant');
    assert.equal(out.error_description, 'The refresh token is invalid or expired.');
  });

  it('app_status: an inactive app', async () => {
    const out = await denied({ clientId: clientId(inactiveApp), grantType: 'authorization_code', userId: users.alice.id });
    assert.equal(out.error, 'invalid_client');
    assert.equal(out.error_description, "Invalid value for 'client_id' parameter.");
    assert.equal(out.reason.type, 'app_status');
  });

  it('server_status: an inactive authorization server', async () => {
    const other = await expectJson(await s.send('POST', '/api/v1/authorizationServers', { name: `Off AS ${tag}`, description: 'x', audiences: ['api://off'] }), 201);
    await expectJson(await s.send('POST', `/api/v1/authorizationServers/${other.id}/lifecycle/deactivate`), 204);
    const out = await expectJson(await preview({ clientId: clientId(webApp), grantType: 'authorization_code', userId: users.alice.id }, other.id));
    assert.equal(out.result, 'DENY');
    assert.equal(out.error_description, 'The authorization server id is invalid.');
    assert.equal(out.reason.type, 'server_status');
  });
});

describe('bad input', () => {
  const good = () => ({ clientId: clientId(webApp), grantType: 'authorization_code', userId: users.alice.id });

  it('unknown server, client or user: 404 E0000007', async () => {
    await expectError(await preview(good(), 'ausNoSuchServer'), 404, 'E0000007');
    await expectError(await preview({ ...good(), clientId: '0oaNoSuchClient' }), 404, 'E0000007');
    await expectError(await preview({ ...good(), userId: 'nobody@example.com' }), 404, 'E0000007');
  });

  it('invalid fields: 400 E0000001 naming them', async () => {
    let body = await expectError(await preview({ ...good(), grantType: 'password' }), 400, 'E0000001');
    assert.deepEqual(body.errorCauses.map((c: any) => c.errorSummary),
      ["grantType: 'password' is not a valid value. Valid values: authorization_code, implicit, client_credentials, refresh_token"]);
    body = await expectError(await preview({ clientId: clientId(webApp), grantType: 'implicit' }), 400, 'E0000001');
    assert.deepEqual(body.errorCauses.map((c: any) => c.errorSummary), ['userId: The field cannot be left blank']);
    await expectError(await preview({ ...good(), scopes: 'openid' }), 400, 'E0000001');
    await expectError(await preview({ ...good(), responseTypes: ['token'] }), 400, 'E0000001');
    await expectError(await preview({ ...good(), grantType: 'implicit', responseTypes: ['code'] }), 400, 'E0000001');
    await expectError(await preview({ grantType: 'client_credentials' }), 400, 'E0000001');
  });

  it('a body that is not an object: 400 E0000003; no API token: 401 E0000011', async () => {
    await expectError(await preview('[1]'), 400, 'E0000003');
    await expectError(await fetch(`${s.orgUrl}/api/v1/authorizationServers/${server.id}/tokenPreview`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(good()),
    }), 401, 'E0000011');
  });
});
