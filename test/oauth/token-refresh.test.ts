/**
 * The user grants at POST /v1/token: authorization_code (code binding, PKCE, replay revoking what the
 * first redemption issued) and refresh_token (STATIC and ROTATE, Okta's leeway, reuse detection,
 * scope narrowing, the exact body okta-auth-js looks for), on custom and org servers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/domain/model.js';
import { sha256 } from '../../src/crypto/ids.js';
import {
  assign, basic, createApp, createUser, issueCode, jwtPayload, pkce, postForm, startOAuthServer,
  type AppOptions, type CodeOptions, type OAuthTestServer, type Reply, type TestApp,
} from './fixtures.js';

const INVALID_CODE = { error: 'invalid_grant', error_description: 'The authorization code is invalid or has expired.' };
const INVALID_REFRESH = { error: 'invalid_grant', error_description: 'The refresh token is invalid or expired.' };

let s: OAuthTestServer;
let user: User;
let web: TestApp;
let spa: TestApp;
const customToken = () => `${s.orgUrl}/oauth2/default/v1/token`;
const orgToken = () => `${s.orgUrl}/oauth2/v1/token`;

before(async () => {
  s = await startOAuthServer();
  user = await createUser(s.container, { login: 'jane@example.com', email: 'jane@example.com', firstName: 'Jane', lastName: 'Doe' });
  web = await newApp();
  spa = await newApp({ method: 'none' });
});
after(() => s.close());

async function newApp(opts: AppOptions = {}, who: User = user): Promise<TestApp> {
  const app = await createApp(s.container, opts);
  await assign(s.container, app, who);
  return app;
}

function clientAuth(app: TestApp): { params: Record<string, string>; headers: Record<string, string> } {
  return app.secret === undefined
    ? { params: { client_id: app.clientId }, headers: {} }
    : { params: {}, headers: { authorization: basic(app.clientId, app.secret) } };
}

async function redeem(code: string, app: TestApp, extra: Record<string, string> = {}, url = customToken()): Promise<Reply> {
  const auth = clientAuth(app);
  return postForm(url, { grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, ...auth.params, ...extra }, auth.headers);
}

/** Issues a code and redeems it; PKCE for public clients. */
async function login(app: TestApp, scopes: string[], opts: Partial<CodeOptions> & { url?: string } = {}): Promise<Reply> {
  const { url, ...codeOpts } = opts;
  const pair = pkce();
  const withPkce = app.secret === undefined;
  const { code } = await issueCode(s.container, {
    serverId: 'default', app, user, scopes,
    ...(withPkce ? { codeChallenge: pair.challenge, codeChallengeMethod: 'S256' } : {}),
    ...codeOpts,
  });
  const res = await redeem(code, app, withPkce ? { code_verifier: pair.verifier } : {}, url);
  return res;
}

async function refresh(app: TestApp, refreshToken: string, extra: Record<string, string> = {}, url = customToken()): Promise<Reply> {
  const auth = clientAuth(app);
  return postForm(url, { grant_type: 'refresh_token', refresh_token: refreshToken, ...auth.params, ...extra }, auth.headers);
}

async function introspect(app: TestApp, token: string, url = `${s.orgUrl}/oauth2/default/v1/introspect`): Promise<Record<string, unknown>> {
  const auth = clientAuth(app);
  return (await postForm(url, { token, ...auth.params }, auth.headers)).body;
}

describe('authorization_code', () => {
  it('returns access, thin ID and refresh tokens shaped as Okta\'s', async () => {
    const res = await login(web, ['openid', 'profile', 'email', 'offline_access'], { nonce: 'n-0S6_WzA2Mj' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('pragma'), 'no-cache');
    assert.deepEqual(Object.keys(res.body), ['token_type', 'expires_in', 'access_token', 'scope', 'refresh_token', 'id_token']);
    assert.equal(res.body.scope, 'openid profile email offline_access');
    assert.equal(res.body.expires_in, 3600);

    const at = jwtPayload(res.body.access_token);
    assert.equal(at.sub, 'jane@example.com');
    assert.equal(at.uid, user.id);
    assert.equal(at.cid, web.clientId);
    assert.deepEqual(at.scp, ['openid', 'profile', 'email', 'offline_access']);
    assert.equal(typeof at.auth_time, 'number');

    const id = jwtPayload(res.body.id_token);
    assert.equal(id.sub, user.id);
    assert.equal(id.aud, web.clientId);
    assert.equal(id.iss, `${s.orgUrl}/oauth2/default`);
    assert.equal(id.nonce, 'n-0S6_WzA2Mj');
    assert.deepEqual(id.amr, ['pwd']);
    assert.match(id.idp, /^00o/);
    assert.equal(id.idp, await s.container.store.settings.get('org_id'));
    assert.equal(id.auth_time, at.auth_time);
    const digest = createHash('sha256').update(res.body.access_token).digest();
    assert.equal(id.at_hash, digest.subarray(0, 16).toString('base64url'));
    assert.equal(id.name, 'Jane Doe');
    assert.equal(id.preferred_username, 'jane@example.com');
    assert.equal(id.email, 'jane@example.com');
    assert.equal(id.given_name, undefined, 'thin ID token');
  });

  it('issues no refresh token without offline_access or without the refresh_token grant', async () => {
    let res = await login(web, ['openid', 'email']);
    assert.equal(res.status, 200);
    assert.equal(res.body.refresh_token, undefined);
    const noRefresh = await newApp({ grantTypes: ['authorization_code'] });
    res = await login(noRefresh, ['openid', 'offline_access']);
    assert.equal(res.status, 200);
    assert.equal(res.body.refresh_token, undefined);
  });

  it('issues no ID token without openid', async () => {
    const res = await login(web, ['profile']);
    assert.equal(res.status, 200);
    assert.equal(res.body.id_token, undefined);
  });

  it('works on the org server', async () => {
    const res = await login(web, ['openid', 'offline_access'], { serverId: 'org', url: orgToken() });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(jwtPayload(res.body.id_token).iss, s.orgUrl);
    assert.equal(jwtPayload(res.body.access_token).iss, s.orgUrl);
    const again = await refresh(web, res.body.refresh_token, {}, orgToken());
    assert.equal(again.status, 200);
  });

  it('uses the ID-token issuer carried in the code', async () => {
    const res = await login(web, ['openid'], { idTokenIssuer: s.orgUrl });
    assert.equal(jwtPayload(res.body.id_token).iss, s.orgUrl);
  });

  it('revokes what the first redemption issued when a code is replayed', async () => {
    const { code } = await issueCode(s.container, { serverId: 'default', app: web, user, scopes: ['openid', 'offline_access'] });
    const first = await redeem(code, web);
    assert.equal(first.status, 200);
    assert.equal((await introspect(web, first.body.access_token)).active, true);
    const second = await redeem(code, web);
    assert.equal(second.status, 400);
    assert.deepEqual(second.body, INVALID_CODE);
    assert.deepEqual(await introspect(web, first.body.access_token), { active: false });
    assert.deepEqual(await introspect(web, first.body.refresh_token), { active: false });
    assert.deepEqual((await refresh(web, first.body.refresh_token)).body, INVALID_REFRESH);
  });

  it('lets exactly one of 10 concurrent redemptions of a code succeed', async () => {
    const { code } = await issueCode(s.container, { serverId: 'default', app: web, user, scopes: ['openid', 'offline_access'] });
    const results = await Promise.all(Array.from({ length: 10 }, () => redeem(code, web)));
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 1);
    for (const r of results.filter((x) => x.status !== 200)) assert.deepEqual(r.body, INVALID_CODE);
    // The replays revoked the winner's grant: nothing it got survives.
    assert.deepEqual(await introspect(web, ok[0]!.body.access_token), { active: false });
    assert.deepEqual(await introspect(web, ok[0]!.body.refresh_token), { active: false });
  });

  it('rejects unknown, malformed and expired codes', async () => {
    for (const code of ['nope', 'x'.repeat(5000)]) {
      const res = await redeem(code, web);
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, INVALID_CODE);
    }
    const { code } = await issueCode(s.container, { serverId: 'default', app: web, user, scopes: ['openid'] });
    s.clock.advance(301_000);
    const res = await redeem(code, web);
    assert.deepEqual(res.body, INVALID_CODE);
  });

  it('requires code and redirect_uri', async () => {
    const auth = clientAuth(web);
    let res = await postForm(customToken(), { grant_type: 'authorization_code', redirect_uri: web.redirectUri }, auth.headers);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: "The required parameter 'code' is missing." });
    const { code } = await issueCode(s.container, { serverId: 'default', app: web, user, scopes: ['openid'] });
    res = await postForm(customToken(), { grant_type: 'authorization_code', code }, auth.headers);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: "The required parameter 'redirect_uri' is missing." });
    // The malformed request did not burn the code.
    assert.equal((await redeem(code, web)).status, 200);
  });

  it('binds the code to its redirect_uri, client and server', async () => {
    let { code } = await issueCode(s.container, { serverId: 'default', app: web, user, scopes: ['openid'] });
    let res = await redeem(code, web, { redirect_uri: `${web.redirectUri}/` });
    assert.deepEqual(res.body, { error: 'invalid_grant', error_description: "The 'redirect_uri' does not match the redirection URI used in the authorization request." });

    ({ code } = await issueCode(s.container, { serverId: 'default', app: web, user, scopes: ['openid'] }));
    const other = await newApp();
    res = await redeem(code, other, { redirect_uri: web.redirectUri });
    assert.deepEqual(res.body, {
      error: 'invalid_grant',
      error_description: "The grant was issued to another client. Please make sure the 'client_id' matches the one used at the authorize request.",
    });

    ({ code } = await issueCode(s.container, { serverId: 'org', app: web, user, scopes: ['openid'] }));
    res = await redeem(code, web);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'The grant was issued for another authorization server.' });
  });

  it('checks PKCE', async () => {
    const pair = pkce();
    const issue = (app: TestApp, withChallenge = true, method = 'S256') => issueCode(s.container, {
      serverId: 'default', app, user, scopes: ['openid'],
      ...(withChallenge ? { codeChallenge: pair.challenge, codeChallengeMethod: method } : {}),
    });
    const cases: Array<[TestApp, boolean, Record<string, string>, Record<string, string>, string?]> = [
      [spa, true, {}, { error: 'invalid_request', error_description: 'PKCE code verifier is required by the application.' }],
      [spa, true, { code_verifier: pkce().verifier }, { error: 'invalid_grant', error_description: 'PKCE verification failed.' }],
      [spa, true, { code_verifier: 'short' }, { error: 'invalid_grant', error_description: 'PKCE verification failed.' }],
      [spa, true, { code_verifier: `${pair.verifier}!` }, { error: 'invalid_grant', error_description: 'PKCE verification failed.' }],
      [spa, true, { code_verifier: pair.verifier }, { error: 'invalid_grant', error_description: 'PKCE verification failed.' }, 'plain'],
      [web, false, { code_verifier: pair.verifier }, { error: 'invalid_request', error_description: 'PKCE code challenge should be specified in the authorize request for code verification.' }],
      [spa, false, {}, { error: 'invalid_request', error_description: 'PKCE code challenge is required by the application.' }],
    ];
    for (const [app, withChallenge, extra, expected, method] of cases) {
      const { code } = await issue(app, withChallenge, method);
      const res = await redeem(code, app, extra);
      assert.equal(res.status, 400, JSON.stringify(expected));
      assert.deepEqual(res.body, expected);
    }
    const { code } = await issue(spa);
    const res = await redeem(code, spa, { code_verifier: pair.verifier });
    assert.equal(res.status, 200);
    // A confidential client may use PKCE too.
    const { code: webCode } = await issue(web);
    assert.equal((await redeem(webCode, web, { code_verifier: pair.verifier })).status, 200);
  });

  it('re-checks that the user is active and assigned', async () => {
    const other = await createUser(s.container);
    const app = await newApp({}, other);
    let { code } = await issueCode(s.container, { serverId: 'default', app, user: other, scopes: ['openid'] });
    await s.container.store.apps.unassignUser(app.app.id, other.id);
    let res = await redeem(code, app);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'access_denied', error_description: 'User is not assigned to the client application.' });

    await assign(s.container, app, other);
    ({ code } = await issueCode(s.container, { serverId: 'default', app, user: other, scopes: ['openid'] }));
    await s.container.store.users.update({ ...other, status: 'SUSPENDED' });
    res = await redeem(code, app);
    assert.deepEqual(res.body, INVALID_CODE);
  });

  it('requires the app to allow the grant type', async () => {
    const app = await newApp({ grantTypes: ['client_credentials'], applicationType: 'service' });
    const { code } = await issueCode(s.container, { serverId: 'default', app, user, scopes: ['openid'] });
    const res = await redeem(code, app);
    assert.deepEqual(res.body, {
      error: 'unauthorized_client',
      error_description: 'The client is not authorized to use the provided grant type. Configured grant types: [client_credentials].',
    });
  });
});

describe('refresh_token', () => {
  it('STATIC: returns the same refresh token and moves the idle window', async () => {
    const first = await login(web, ['openid', 'email', 'offline_access']);
    const id = sha256(first.body.refresh_token);
    const before = (await s.container.store.refreshTokens.get(id))!;
    s.clock.advance(5000);
    const res = await refresh(web, first.body.refresh_token);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body), ['token_type', 'expires_in', 'access_token', 'scope', 'refresh_token', 'id_token']);
    assert.equal(res.body.refresh_token, first.body.refresh_token);
    assert.equal(res.body.scope, 'openid email offline_access');
    assert.notEqual(res.body.access_token, first.body.access_token);
    const after = (await s.container.store.refreshTokens.get(id))!;
    assert.ok(after.idleExpiresAt! > before.idleExpiresAt!);
    const idToken = jwtPayload(res.body.id_token);
    assert.equal(idToken.sub, user.id);
    assert.equal(idToken.auth_time, jwtPayload(first.body.id_token).auth_time);
    assert.equal(jwtPayload(res.body.access_token).jti.split('.')[1], jwtPayload(first.body.access_token).jti.split('.')[1]);
    // Still usable.
    assert.equal((await refresh(web, first.body.refresh_token)).status, 200);
  });

  it('ROTATE: a new token each time, inheriting the absolute expiry', async () => {
    const app = await newApp({ refreshToken: { rotation_type: 'ROTATE', leeway: 30 } });
    const first = await login(app, ['openid', 'offline_access'], {
      lifetimes: { accessTokenSeconds: 600, refreshTokenSeconds: 86400, refreshWindowSeconds: 3600 },
    });
    const r1 = await refresh(app, first.body.refresh_token);
    assert.equal(r1.status, 200);
    assert.notEqual(r1.body.refresh_token, first.body.refresh_token);
    const a = (await s.container.store.refreshTokens.get(sha256(first.body.refresh_token)))!;
    const b = (await s.container.store.refreshTokens.get(sha256(r1.body.refresh_token)))!;
    assert.equal(b.expiresAt, a.expiresAt);
    assert.equal(b.grantId, a.grantId);
    assert.notEqual(a.rotatedAt, null);
    const r2 = await refresh(app, r1.body.refresh_token);
    assert.equal(r2.status, 200);
    assert.notEqual(r2.body.refresh_token, r1.body.refresh_token);
  });

  it('ROTATE: the old token still works within the leeway; after it, reuse revokes the family', async () => {
    const app = await newApp({ refreshToken: { rotation_type: 'ROTATE', leeway: 30 } });
    const first = await login(app, ['openid', 'offline_access']);
    const r1 = await refresh(app, first.body.refresh_token);
    assert.equal(r1.status, 200);
    s.clock.advance(10_000);
    const retry = await refresh(app, first.body.refresh_token);
    assert.equal(retry.status, 200, 'within the leeway');
    assert.notEqual(retry.body.refresh_token, r1.body.refresh_token);
    s.clock.advance(25_000);
    const replay = await refresh(app, first.body.refresh_token);
    assert.equal(replay.status, 400);
    assert.deepEqual(replay.body, INVALID_REFRESH);
    // Reuse detection killed every token of the family and the access tokens of the grant.
    for (const t of [r1.body.refresh_token, retry.body.refresh_token]) assert.deepEqual((await refresh(app, t)).body, INVALID_REFRESH);
    assert.deepEqual(await introspect(app, r1.body.access_token), { active: false });
  });

  it('ROTATE with leeway 0: any reuse is a replay', async () => {
    const app = await newApp({ method: 'none', refreshToken: { rotation_type: 'ROTATE', leeway: 0 } });
    const first = await login(app, ['openid', 'offline_access']);
    const r1 = await refresh(app, first.body.refresh_token);
    assert.equal(r1.status, 200);
    const replay = await refresh(app, first.body.refresh_token);
    assert.deepEqual(replay.body, INVALID_REFRESH);
    assert.deepEqual((await refresh(app, r1.body.refresh_token)).body, INVALID_REFRESH);
  });

  it('ROTATE with leeway 0: exactly one of 10 concurrent refreshes succeeds', async () => {
    const app = await newApp({ refreshToken: { rotation_type: 'ROTATE', leeway: 0 } });
    const first = await login(app, ['openid', 'offline_access']);
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(app, first.body.refresh_token)));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    for (const r of results.filter((x) => x.status !== 200)) {
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, INVALID_REFRESH);
    }
  });

  it('SPAs rotate by default', async () => {
    const first = await login(spa, ['openid', 'offline_access']);
    const res = await refresh(spa, first.body.refresh_token);
    assert.equal(res.status, 200);
    assert.notEqual(res.body.refresh_token, first.body.refresh_token);
  });

  it('narrows scopes to a subset of the original, never widens them', async () => {
    const first = await login(web, ['openid', 'profile', 'email', 'offline_access']);
    let res = await refresh(web, first.body.refresh_token, { scope: 'openid email' });
    assert.equal(res.status, 200);
    assert.equal(res.body.scope, 'openid email');
    assert.deepEqual(jwtPayload(res.body.access_token).scp, ['openid', 'email']);
    res = await refresh(web, first.body.refresh_token, { scope: 'profile' });
    assert.equal(res.body.id_token, undefined);
    // The refresh token keeps its original scopes.
    res = await refresh(web, first.body.refresh_token);
    assert.equal(res.body.scope, 'openid profile email offline_access');
    res = await refresh(web, first.body.refresh_token, { scope: 'openid phone address' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      error: 'access_denied',
      error_description: 'Some of the scopes requested for the refresh request were not granted in the original authorize request. Denied scopes: [phone, address].',
    });
    res = await refresh(web, first.body.refresh_token, { scope: 'openid "bad"' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_scope');
  });

  it('answers every dead token with exactly the body okta-auth-js expects', async () => {
    const other = await newApp();
    const alive = await login(web, ['openid', 'offline_access']);
    const revoked = await login(web, ['openid', 'offline_access']);
    await s.container.store.refreshTokens.revoke(sha256(revoked.body.refresh_token), s.container.clock.now());
    const orgToken_ = await login(web, ['openid', 'offline_access'], { serverId: 'org', url: orgToken() });
    const cases: Array<[TestApp, string, string?]> = [
      [web, 'garbage'],
      [web, 'x'.repeat(3000)],
      [web, revoked.body.refresh_token],
      [other, alive.body.refresh_token],
      [web, orgToken_.body.refresh_token],
      [web, alive.body.access_token],
    ];
    for (const [app, token] of cases) {
      const res = await refresh(app, token);
      assert.equal(res.status, 400);
      assert.equal(res.text, JSON.stringify(INVALID_REFRESH));
    }
    // The other client's attempt did not hurt the owner.
    assert.equal((await refresh(web, alive.body.refresh_token)).status, 200);
  });

  it('expires tokens by absolute lifetime and by idle window', async () => {
    const absolute = await login(web, ['openid', 'offline_access'], {
      lifetimes: { accessTokenSeconds: 300, refreshTokenSeconds: 3600, refreshWindowSeconds: null },
    });
    const idle = await login(web, ['openid', 'offline_access'], {
      lifetimes: { accessTokenSeconds: 300, refreshTokenSeconds: null, refreshWindowSeconds: 600 },
    });
    s.clock.advance(500_000);
    // Using the idle one moves its window (the default policy's 7 days now apply).
    assert.equal((await refresh(web, idle.body.refresh_token)).status, 200);
    s.clock.advance(3_200_000);
    assert.deepEqual((await refresh(web, absolute.body.refresh_token)).body, INVALID_REFRESH);
    assert.equal((await refresh(web, idle.body.refresh_token)).status, 200);

    const shortIdle = await login(web, ['openid', 'offline_access'], {
      lifetimes: { accessTokenSeconds: 300, refreshTokenSeconds: null, refreshWindowSeconds: 600 },
    });
    s.clock.advance(601_000);
    assert.deepEqual((await refresh(web, shortIdle.body.refresh_token)).body, INVALID_REFRESH);
  });

  it('re-checks the user and the app', async () => {
    const other = await createUser(s.container);
    const app = await newApp({}, other);
    const code = await issueCode(s.container, { serverId: 'default', app, user: other, scopes: ['openid', 'offline_access'] });
    const first = await redeem(code.code, app);
    assert.equal(first.status, 200);

    await s.container.store.apps.unassignUser(app.app.id, other.id);
    let res = await refresh(app, first.body.refresh_token);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'access_denied', error_description: 'User is not assigned to the client application.' });
    await assign(s.container, app, other);
    assert.equal((await refresh(app, first.body.refresh_token)).status, 200);

    await s.container.store.users.update({ ...other, status: 'DEPROVISIONED' });
    res = await refresh(app, first.body.refresh_token);
    assert.deepEqual(res.body, INVALID_REFRESH);
    await s.container.store.users.update({ ...other, status: 'ACTIVE' });

    await s.container.store.apps.update({
      ...app.app, body: { ...app.app.body, settings: { ...app.app.body.settings, oauthClient: { ...app.app.body.settings.oauthClient, grant_types: ['authorization_code'] } } },
    });
    s.container.cache.invalidateClient(app.clientId);
    res = await refresh(app, first.body.refresh_token);
    assert.deepEqual(res.body, {
      error: 'unauthorized_client',
      error_description: 'The client is not authorized to use the provided grant type. Configured grant types: [authorization_code].',
    });
  });

  it('evaluates the access policy as the authorization_code grant', async () => {
    const c = s.container;
    const first = await login(web, ['openid', 'offline_access']);
    const [policy] = await c.store.authServers.listPolicies('default');
    const [rule] = await c.store.authServers.listRules('default', policy!.id);
    await c.store.authServers.updateRule({
      ...rule!,
      conditions: { ...rule!.conditions, grantTypes: { include: ['client_credentials'] } },
    });
    c.cache.invalidateServer('default');
    try {
      const res = await refresh(web, first.body.refresh_token);
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, { error: 'access_denied', error_description: 'Policy evaluation failed for this request, please check the policy configurations.' });
    } finally {
      await c.store.authServers.updateRule(rule!);
      c.cache.invalidateServer('default');
    }
    await c.store.authServers.updateRule({ ...rule!, actions: { token: { ...rule!.actions.token, accessTokenLifetimeMinutes: 15 } } });
    c.cache.invalidateServer('default');
    try {
      const res = await refresh(web, first.body.refresh_token);
      assert.equal(res.body.expires_in, 900);
    } finally {
      await c.store.authServers.updateRule(rule!);
      c.cache.invalidateServer('default');
    }
  });

  it('requires the refresh_token parameter and rejects duplicates', async () => {
    const auth = clientAuth(web);
    let res = await postForm(customToken(), { grant_type: 'refresh_token' }, auth.headers);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: "The required parameter 'refresh_token' is missing." });
    res = await postForm(customToken(), { grant_type: 'refresh_token', refresh_token: ['a', 'b'] }, auth.headers);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'Duplicate parameter provided in request. Duplicated parameters: [refresh_token].' });
  });
});
