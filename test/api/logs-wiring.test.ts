/**
 * The System Log is wired to what happens: sign-ins (hosted page and /api/v1/authn, failed, locked
 * out), /authorize decisions, token grants, refresh-token and code reuse, access-policy denials,
 * client authentication failures, revocation, sign-out, and administrators' changes through the
 * management API. Everything is driven over real HTTP and found again with GET /api/v1/logs and a
 * `filter`, with its actor, targets, outcome and client IP; the client IP honours a trusted proxy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LogEvent } from '../../src/audit/log-event.js';
import { flushSystemLog } from '../../src/audit/system-log.js';
import { randomToken } from '../../src/crypto/ids.js';
import { basic, jwtPayload, postForm } from '../oauth/fixtures.js';
import { authorizeWithSignIn, Browser, responseParams } from '../support/browser.js';
import { expectJson, json, startTestServer, TEST_ADMIN_LOGIN, type TestServer } from '../support/server.js';

let s: TestServer;
let adminId: string;
const tag = randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, 'x');
const PASSWORD = 'Wiring-Passw0rd!';
const CB = 'https://wiring.example.com/callback';

const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  s.api(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

/** Events matching a System Log filter, oldest first (after every queued event is written). */
async function logs(filter: string, server = s): Promise<LogEvent[]> {
  await flushSystemLog(server.container);
  const res = await server.api(`/api/v1/logs?limit=1000&filter=${encodeURIComponent(filter)}`);
  assert.equal(res.status, 200);
  return json(res);
}

async function one(filter: string): Promise<LogEvent> {
  const found = await logs(filter);
  assert.equal(found.length, 1, `${filter}: ${JSON.stringify(found.map((e) => [e.eventType, e.outcome]))}`);
  return found[0]!;
}

const targetIds = (e: LogEvent) => e.target.map((t) => t.id);

let server: any;
let policy: any;
let rule: any;
let webApp: any;
let serviceApp: any;
let group: any;
const users: Record<string, any> = {};
const webId = () => webApp.credentials.oauthClient.client_id as string;
const webAuth = () => ({ authorization: basic(webId(), webApp.credentials.oauthClient.client_secret) });
const prefix = () => `/oauth2/${server.id}/v1`;

async function createUser(name: string): Promise<any> {
  const login = `${name}-${tag}@example.com`;
  return expectJson(await send('POST', '/api/v1/users', {
    profile: { login, email: login, firstName: name, lastName: 'Wiring' }, credentials: { password: { value: PASSWORD } },
  }));
}

const authn = (username: string, password: string) =>
  fetch(`${s.orgUrl}/api/v1/authn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

/** Signs in on the hosted page and gets a code for the web app. */
async function codeFor(login: string): Promise<{ b: Browser; res: Response }> {
  const b = new Browser(s.orgUrl);
  const res = await authorizeWithSignIn(b, `${prefix()}/authorize?${new URLSearchParams({
    client_id: webId(), redirect_uri: CB, response_type: 'code', scope: 'openid offline_access', state: 'st',
  })}`, login, PASSWORD);
  return { b, res };
}

before(async () => {
  s = await startTestServer({ GATEHOUSE_LOCKOUT_THRESHOLD: '3' });
  adminId = (await expectJson(await send('GET', '/api/v1/users/me'))).id;
  for (const name of ['alice', 'bob', 'locky', 'temp']) users[name] = await createUser(name);
  group = await expectJson(await send('POST', '/api/v1/groups', { profile: { name: `Wiring staff ${tag}` } }));
  await expectJson(await send('PUT', `/api/v1/groups/${group.id}/users/${users.alice.id}`), 204);
  webApp = await expectJson(await send('POST', '/api/v1/apps', {
    name: 'oidc_client', label: `Wiring web ${tag}`, signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
    settings: { oauthClient: {
      application_type: 'web', grant_types: ['authorization_code', 'refresh_token'], redirect_uris: [CB],
      post_logout_redirect_uris: ['https://wiring.example.com/bye'], refresh_token: { rotation_type: 'ROTATE', leeway: 0 },
    } },
  }));
  serviceApp = await expectJson(await send('POST', '/api/v1/apps', {
    name: 'oidc_client', label: `Wiring service ${tag}`, signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
    settings: { oauthClient: { application_type: 'service', grant_types: ['client_credentials'] } },
  }));
  await expectJson(await send('PUT', `/api/v1/apps/${webApp.id}/groups/${group.id}`, {}));
  server = await expectJson(await send('POST', '/api/v1/authorizationServers', { name: `Wiring AS ${tag}`, description: 'x', audiences: ['api://wiring'] }), 201);
  const as = `/api/v1/authorizationServers/${server.id}`;
  await expectJson(await send('POST', `${as}/scopes`, { name: 'wiring:read', default: true }), 201);
  policy = await expectJson(await send('POST', `${as}/policies`, {
    type: 'OAUTH_AUTHORIZATION_POLICY', name: 'Wiring policy', priority: 1, conditions: { clients: { include: ['ALL_CLIENTS'] } },
  }), 201);
  rule = await expectJson(await send('POST', `${as}/policies/${policy.id}/rules`, {
    type: 'RESOURCE_ACCESS', name: 'Code only',
    conditions: { people: { groups: { include: ['EVERYONE'] } }, grantTypes: { include: ['authorization_code'] }, scopes: { include: ['*'] } },
    actions: { token: { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
  }), 201);
});

after(async () => {
  await s?.close();
});

describe('sign-in', () => {
  it('/api/v1/authn: success, wrong password, unknown user', async () => {
    assert.equal((await authn(users.alice.profile.login, PASSWORD)).status, 200);
    assert.equal((await authn(users.alice.profile.login, 'wrong-password')).status, 401);
    assert.equal((await authn(`ghost-${tag}@example.com`, 'whatever-pass')).status, 401);

    const starts = await logs(`eventType eq "user.session.start" and actor.id eq "${users.alice.id}"`);
    assert.deepEqual(starts.map((e) => [e.outcome.result, e.outcome.reason]), [['SUCCESS', null], ['FAILURE', 'INVALID_CREDENTIALS']]);
    for (const e of starts) {
      assert.equal(e.actor.type, 'User');
      assert.equal(e.actor.alternateId, users.alice.profile.login);
      assert.equal(e.client.ipAddress, '127.0.0.1');
      assert.equal(e.authenticationContext.credentialType, 'PASSWORD');
      assert.equal(e.debugContext.debugData.signInInterface, 'authn_api');
    }
    const ghost = (await logs('eventType eq "user.session.start" and actor.id eq "unknown"'))
      .find((e) => e.actor.alternateId === `ghost-${tag}@example.com`);
    assert.ok(ghost);
    assert.deepEqual(ghost.outcome, { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' });
  });

  it('a lockout: user.account.lock once, then LOCKED_OUT even with the right password', async () => {
    const login = users.locky.profile.login;
    for (let i = 0; i < 2; i++) assert.equal((await authn(login, 'not-the-password')).status, 401);
    assert.equal((await expectJson(await authn(login, 'not-the-password'))).status, 'LOCKED_OUT');
    assert.equal((await expectJson(await authn(login, PASSWORD))).status, 'LOCKED_OUT');
    const lock = await one(`eventType eq "user.account.lock" and target.id eq "${users.locky.id}"`);
    assert.equal(lock.severity, 'WARN');
    assert.deepEqual(lock.outcome, { result: 'FAILURE', reason: 'LOCKED_OUT' });
    assert.equal(lock.actor.id, users.locky.id);
    const starts = await logs(`eventType eq "user.session.start" and actor.id eq "${users.locky.id}"`);
    assert.deepEqual(starts.map((e) => e.outcome.reason), ['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'LOCKED_OUT']);
  });
});

describe('authorize, tokens, reuse, revocation, sign-out', () => {
  let code: string;
  let tokens: any;
  let b: Browser;

  it('a hosted sign-in and an authorization code: session start, SSO to the app, the authorize decision', async () => {
    const signedIn = await codeFor(users.alice.profile.login);
    b = signedIn.b;
    code = responseParams(signedIn.res.headers.get('location')!, 'query').code!;
    assert.ok(code);
    const start = (await logs(`eventType eq "user.session.start" and actor.id eq "${users.alice.id}"`)).at(-1)!;
    assert.equal(start.debugContext.debugData.signInInterface, 'hosted_sign_in');
    assert.equal(start.outcome.result, 'SUCCESS');
    const sso = await one(`eventType eq "user.authentication.sso" and actor.id eq "${users.alice.id}"`);
    assert.deepEqual(targetIds(sso), [webApp.id]);
    assert.equal(sso.target[0]!.type, 'AppInstance');
    assert.equal(sso.client.id, webId());
    const decision = await one(`eventType eq "app.oauth2.as.authorize.code" and actor.id eq "${users.alice.id}"`);
    assert.equal(decision.outcome.result, 'SUCCESS');
    assert.equal(decision.debugContext.debugData.grantedScopes, 'openid offline_access');
    assert.deepEqual(decision.debugContext.debugData.policy, { policyId: policy.id, ruleId: rule.id });
    // As in Okta, the bare authorize event is for refusals only.
    assert.deepEqual(await logs(`eventType eq "app.oauth2.as.authorize" and actor.id eq "${users.alice.id}"`), []);
  });

  it('the token grant: one event per token, each with grant type, scopes and client', async () => {
    const res = await postForm(`${s.orgUrl}${prefix()}/token`, { grant_type: 'authorization_code', code, redirect_uri: CB }, webAuth());
    assert.equal(res.status, 200, res.text);
    tokens = res.body;
    const access = await one(`eventType eq "app.oauth2.as.token.grant.access_token" and actor.id eq "${users.alice.id}"`);
    assert.equal(access.outcome.result, 'SUCCESS');
    assert.equal(access.client.id, webId());
    assert.equal(access.debugContext.debugData.grantType, 'authorization_code');
    assert.equal(access.debugContext.debugData.grantedScopes, 'openid offline_access');
    assert.deepEqual(access.debugContext.debugData.tokens, ['access_token', 'id_token', 'refresh_token']);
    assert.deepEqual(targetIds(access), [jwtPayload(tokens.access_token).jti, webApp.id]);
    // As in Okta, the bare token.grant event is for refusals only.
    assert.deepEqual(await logs(`eventType eq "app.oauth2.as.token.grant" and actor.id eq "${users.alice.id}"`), []);
    await one(`eventType eq "app.oauth2.as.token.grant.id_token" and actor.id eq "${users.alice.id}"`);
    const refresh = await one(`eventType eq "app.oauth2.as.token.grant.refresh_token" and actor.id eq "${users.alice.id}"`);
    assert.equal(refresh.target[0]!.type, 'refresh_token');
    assert.ok(!JSON.stringify(await logs(`actor.id eq "${users.alice.id}"`)).includes(tokens.refresh_token), 'no token value is logged');
  });

  it('a replayed code and a replayed refresh token: detect_reuse (WARN), the grant revoked', async () => {
    const again = await postForm(`${s.orgUrl}${prefix()}/token`, { grant_type: 'authorization_code', code, redirect_uri: CB }, webAuth());
    assert.equal(again.status, 400);
    // A fresh family for the refresh-token replay (the code replay revoked the first).
    const second = await codeFor(users.alice.profile.login);
    const code2 = responseParams(second.res.headers.get('location')!, 'query').code!;
    const first = (await postForm(`${s.orgUrl}${prefix()}/token`, { grant_type: 'authorization_code', code: code2, redirect_uri: CB }, webAuth())).body;
    const rotated = await postForm(`${s.orgUrl}${prefix()}/token`, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, webAuth());
    assert.equal(rotated.status, 200, rotated.text);
    const replayed = await postForm(`${s.orgUrl}${prefix()}/token`, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, webAuth());
    assert.equal(replayed.status, 400);

    const reuse = await logs(`eventType eq "app.oauth2.as.token.detect_reuse" and target.id eq "${users.alice.id}"`);
    assert.deepEqual(reuse.map((e) => e.outcome.reason), ['AUTHORIZATION_CODE_REUSE', 'REFRESH_TOKEN_REUSE']);
    for (const e of reuse) {
      assert.equal(e.severity, 'WARN');
      assert.equal(e.outcome.result, 'FAILURE');
      assert.equal(e.client.id, webId());
      assert.ok(targetIds(e).includes(webApp.id));
    }
    const refused = await logs(`eventType eq "app.oauth2.as.token.grant" and outcome.result eq "FAILURE" and target.id eq "${webApp.id}"`);
    assert.deepEqual(refused.map((e) => e.outcome.reason), ['invalid_authorization_code', 'invalid_refresh_token']);
  });

  it('a revocation', async () => {
    // The browser is still signed in: a new code without a sign-in, and its refresh token revoked.
    const res = await b.get(`${prefix()}/authorize?${new URLSearchParams({
      client_id: webId(), redirect_uri: CB, response_type: 'code', scope: 'openid offline_access', state: 'st',
    })}`);
    const fresh = (await postForm(`${s.orgUrl}${prefix()}/token`,
      { grant_type: 'authorization_code', code: responseParams(res.headers.get('location')!, 'query').code!, redirect_uri: CB }, webAuth())).body;
    const revoked = await postForm(`${s.orgUrl}${prefix()}/revoke`, { token: fresh.refresh_token, token_type_hint: 'refresh_token' }, webAuth());
    assert.equal(revoked.status, 200);
    const e = await one(`eventType eq "app.oauth2.as.token.revoke" and target.id eq "${webApp.id}"`);
    assert.equal(e.actor.id, webId());
    assert.equal(e.actor.type, 'PublicClientApp');
    assert.equal(e.debugContext.debugData.revokedTokenType, 'refresh_token');
    assert.equal(e.debugContext.debugData.tokenTypeHint, 'refresh_token');
  });

  it('sign-out: user.session.end', async () => {
    const res = await b.get(`${prefix()}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://wiring.example.com/bye' })}`);
    assert.equal(res.status, 302);
    const e = await one(`eventType eq "user.session.end" and actor.id eq "${users.alice.id}"`);
    assert.equal(e.debugContext.debugData.endedBy, 'logout');
    assert.deepEqual(targetIds(e), [users.alice.id]);
  });
});

describe('refusals', () => {
  it('an unassigned user: app.oauth2.as.authorize FAILURE user_not_assigned', async () => {
    const { res } = await codeFor(users.bob.profile.login);
    assert.equal(responseParams(res.headers.get('location')!, 'query').error, 'access_denied');
    const e = await one(`eventType eq "app.oauth2.as.authorize" and actor.id eq "${users.bob.id}"`);
    assert.deepEqual(e.outcome, { result: 'FAILURE', reason: 'user_not_assigned' });
    assert.deepEqual(targetIds(e), [webApp.id]);
    assert.equal(e.debugContext.debugData.errorDescription, 'User is not assigned to the client application.');
  });

  it('prompt=none without a session: login_required', async () => {
    const res = await new Browser(s.orgUrl).get(`${prefix()}/authorize?${new URLSearchParams({
      client_id: webId(), redirect_uri: CB, response_type: 'code', scope: 'openid', state: 'st', prompt: 'none',
    })}`);
    assert.equal(responseParams(res.headers.get('location')!, 'query').error, 'login_required');
    const e = (await logs(`eventType eq "app.oauth2.as.authorize" and target.id eq "${webApp.id}" and outcome.result eq "FAILURE"`)).at(-1)!;
    assert.equal(e.outcome.reason, 'login_required');
    assert.equal(e.actor.id, webId());
  });

  it('an access-policy denial: policy.evaluate DENY naming the policy and the rules evaluated', async () => {
    const service = serviceApp.credentials.oauthClient;
    const res = await postForm(`${s.orgUrl}${prefix()}/token`, { grant_type: 'client_credentials' }, { authorization: basic(service.client_id, service.client_secret) });
    assert.equal(res.status, 401);
    const e = await one(`eventType eq "policy.evaluate" and target.id eq "${policy.id}"`);
    assert.deepEqual(e.outcome, { result: 'DENY', reason: 'no_matching_policy' });
    assert.deepEqual(targetIds(e), [policy.id, rule.id, serviceApp.id]);
    assert.equal(e.target[1]!.detailEntry!.mismatch, 'grant_type');
    assert.equal(e.debugContext.debugData.grantType, 'client_credentials');
    assert.deepEqual(e.debugContext.debugData.policiesEvaluated, [{ policy: 'Wiring policy', rules: [{ rule: 'Code only', mismatch: 'grant_type' }] }]);
    const grant = await one(`eventType eq "app.oauth2.as.token.grant" and target.id eq "${serviceApp.id}"`);
    assert.deepEqual(grant.outcome, { result: 'FAILURE', reason: 'no_matching_policy' });
  });

  it('a client authentication failure: token.grant FAILURE invalid_client', async () => {
    const res = await postForm(`${s.orgUrl}${prefix()}/token`, { grant_type: 'authorization_code', code: 'x', redirect_uri: CB }, { authorization: basic(webId(), 'not-the-secret-at-all') });
    assert.equal(res.status, 401);
    const e = (await logs(`eventType eq "app.oauth2.as.token.grant" and outcome.result eq "FAILURE"`)).find((x) => x.outcome.reason === 'invalid_client')!;
    assert.ok(e);
    assert.equal(e.client.id, webId());
    assert.equal(e.actor.id, webId());
    assert.equal(e.client.ipAddress, '127.0.0.1');
  });
});

describe('administrators\' changes', () => {
  const byAdmin = (e: LogEvent) => {
    assert.equal(e.actor.id, adminId);
    assert.equal(e.actor.type, 'User');
    assert.equal(e.actor.alternateId, TEST_ADMIN_LOGIN);
    assert.equal(e.client.ipAddress, '127.0.0.1');
    assert.match(e.transaction.id!, /^req/);
  };

  it('users: create, profile update, lifecycle, deactivation and deletion', async () => {
    const temp = users.temp;
    await expectJson(await send('POST', `/api/v1/users/${temp.id}`, { profile: { nickName: 'T' } }));
    await expectJson(await send('POST', `/api/v1/users/${temp.id}/lifecycle/suspend`));
    await expectJson(await send('DELETE', `/api/v1/users/${temp.id}`), 204);
    await expectJson(await send('DELETE', `/api/v1/users/${temp.id}`), 204);
    const events = await logs(`target.id eq "${temp.id}"`);
    assert.deepEqual(events.map((e) => e.eventType), [
      'user.lifecycle.create', 'user.lifecycle.activate', 'user.account.update_profile',
      'user.lifecycle.suspend', 'user.lifecycle.deactivate', 'user.lifecycle.delete.initiated',
    ]);
    for (const e of events) {
      byAdmin(e);
      assert.equal(e.outcome.result, 'SUCCESS');
      assert.deepEqual(e.target.map((t) => [t.type, t.alternateId]), [['User', temp.profile.login]], e.eventType);
    }
  });

  it('groups and memberships, app assignments', async () => {
    const add = await one(`eventType eq "group.user_membership.add" and target.id eq "${users.alice.id}"`);
    byAdmin(add);
    assert.deepEqual(add.target.map((t) => [t.type, t.id, t.displayName]), [
      ['User', users.alice.id, 'alice Wiring'], ['UserGroup', group.id, `Wiring staff ${tag}`],
    ]);
    const assigned = await one(`eventType eq "group.application_assignment.add" and target.id eq "${webApp.id}"`);
    assert.deepEqual(assigned.target.map((t) => [t.type, t.id]), [['UserGroup', group.id], ['AppInstance', webApp.id]]);
    const created = await one(`eventType eq "application.lifecycle.create" and target.id eq "${webApp.id}"`);
    assert.equal(created.target[0]!.displayName, `Wiring web ${tag}`);
    assert.ok(!JSON.stringify(created).includes(webApp.credentials.oauthClient.client_secret), 'no secret is logged');
  });

  it('authorization servers: server, scope, policy and rule, key rotation', async () => {
    byAdmin(await one(`eventType eq "oauth2.as.created" and target.id eq "${server.id}"`));
    const scope = await one(`eventType eq "oauth2.scope.created" and target.id eq "${server.id}"`);
    assert.deepEqual(scope.target.map((t) => [t.type, t.alternateId]), [['OAuth2Scope', 'wiring:read'], ['AuthorizationServer', `Wiring AS ${tag}`]]);
    const added = await one(`eventType eq "policy.rule.add" and target.id eq "${rule.id}"`);
    assert.deepEqual(added.target.map((t) => [t.type, t.id, t.displayName]), [
      ['PolicyRule', rule.id, 'Code only'], ['PolicyEntity', policy.id, 'Wiring policy'], ['AuthorizationServer', server.id, `Wiring AS ${tag}`],
    ]);
    await one(`eventType eq "policy.lifecycle.create" and target.id eq "${policy.id}"`);
    await expectJson(await send('POST', `/api/v1/authorizationServers/${server.id}/credentials/lifecycle/keyRotate`, { use: 'sig' }));
    const rotated = await one(`eventType eq "app.oauth2.as.key.rollover" and target.id eq "${server.id}"`);
    byAdmin(rotated);
    const keys = rotated.debugContext.debugData.keys as { kid: string; status: string }[];
    assert.ok(keys.some((k) => k.status === 'ACTIVE') && keys.every((k) => Object.keys(k).join() === 'kid,status'), JSON.stringify(keys));
  });

  it('a refused change is logged as a FAILURE with Okta\'s error; a deleted object keeps its name', async () => {
    const res = await send('DELETE', `/api/v1/apps/${serviceApp.id}`);
    assert.equal(res.status, 403);
    const refused = await one(`eventType eq "application.lifecycle.delete" and target.id eq "${serviceApp.id}"`);
    byAdmin(refused);
    assert.equal(refused.outcome.result, 'FAILURE');
    assert.equal(refused.outcome.reason, 'Delete application forbidden.');
    assert.equal(refused.debugContext.debugData.errorCode, 'E0000056');

    await expectJson(await send('POST', `/api/v1/apps/${serviceApp.id}/lifecycle/deactivate`));
    await expectJson(await send('DELETE', `/api/v1/apps/${serviceApp.id}`), 204);
    const events = await logs(`target.id eq "${serviceApp.id}" and (eventType sw "application.lifecycle")`);
    assert.deepEqual(events.map((e) => [e.eventType, e.outcome.result]), [
      ['application.lifecycle.create', 'SUCCESS'], ['application.lifecycle.delete', 'FAILURE'],
      ['application.lifecycle.deactivate', 'SUCCESS'], ['application.lifecycle.delete', 'SUCCESS'],
    ]);
    assert.equal(events.at(-1)!.target[0]!.displayName, `Wiring service ${tag}`);
  });

  it('reads are not logged, and without trustProxy X-Forwarded-For is ignored', async () => {
    const before = (await logs(`actor.id eq "${adminId}"`)).length;
    await expectJson(await send('GET', '/api/v1/users'));
    await expectJson(await send('POST', '/api/v1/groups', { profile: { name: `Forwarded ${tag}` } }, { 'x-forwarded-for': '198.51.100.7' }));
    const after = await logs(`actor.id eq "${adminId}"`);
    assert.equal(after.length, before + 1);
    assert.equal(after.at(-1)!.client.ipAddress, '127.0.0.1');
  });
});

describe('behind a trusted proxy', () => {
  let proxied: TestServer;
  before(async () => {
    process.env.GATEHOUSE_TRUST_PROXY = 'true';
    try {
      proxied = await startTestServer();
    } finally {
      delete process.env.GATEHOUSE_TRUST_PROXY;
    }
  });
  after(async () => {
    await proxied?.close();
  });

  it('the client IP is the forwarded one', async () => {
    const g = await expectJson(await proxied.api('/api/v1/groups', {
      method: 'POST', headers: { 'x-forwarded-for': '203.0.113.9' }, body: JSON.stringify({ profile: { name: `Proxied ${tag}` } }),
    }));
    const [e] = await logs(`eventType eq "group.lifecycle.create" and target.id eq "${g.id}"`, proxied);
    assert.equal(e!.client.ipAddress, '203.0.113.9');
    assert.deepEqual(e!.request.ipChain.map((x) => x.ip), ['203.0.113.9']);
    const failed = await fetch(`${proxied.url}/api/v1/authn`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.10' }, body: JSON.stringify({ username: 'nobody@example.com', password: 'x-password' }),
    });
    assert.equal(failed.status, 401);
    const [start] = await logs('eventType eq "user.session.start" and client.ipAddress eq "203.0.113.10"', proxied);
    assert.ok(start);
  });
});
