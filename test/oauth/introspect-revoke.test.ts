/**
 * POST /v1/introspect (RFC 7662) and POST /v1/revoke (RFC 7009): client authentication, every token
 * kind, tokens of other servers and other clients, and revocation reaching access tokens and grants.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/domain/model.js';
import {
  addScope, assign, basic, clientKey, createApp, createUser, issueCode, jwtPayload, pkce, postForm, request, startOAuthServer,
  type OAuthTestServer, type Reply, type TestApp,
} from './fixtures.js';

const INVALID_CLIENT = {
  error: 'invalid_client',
  error_description: 'Client authentication failed. Either the client or the client credentials are invalid.',
};

let s: OAuthTestServer;
let user: User;
let web: TestApp;
let spa: TestApp;
let service: TestApp;
const base = () => `${s.orgUrl}/oauth2/default/v1`;

before(async () => {
  s = await startOAuthServer();
  user = await createUser(s.container, { login: 'sam@example.com', email: 'sam@example.com' });
  web = await createApp(s.container);
  spa = await createApp(s.container, { method: 'none' });
  service = await createApp(s.container, { applicationType: 'service', grantTypes: ['client_credentials'] });
  for (const app of [web, spa]) await assign(s.container, app, user);
  await addScope(s.container, 'default', 'api:read', { default: true });
});
after(() => s.close());

async function tokens(app: TestApp, scopes = ['openid', 'offline_access'], serverId = 'default'): Promise<Record<string, string>> {
  const pair = pkce();
  const { code } = await issueCode(s.container, { serverId, app, user, scopes, codeChallenge: pair.challenge, codeChallengeMethod: 'S256' });
  const url = serverId === 'org' ? `${s.orgUrl}/oauth2/v1/token` : `${base()}/token`;
  const auth: Record<string, string> = app.secret === undefined ? {} : { authorization: basic(app.clientId, app.secret) };
  const res = await postForm(url, {
    grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, code_verifier: pair.verifier,
    ...(app.secret === undefined ? { client_id: app.clientId } : {}),
  }, auth);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

function as(app: TestApp): { params: Record<string, string>; headers: Record<string, string> } {
  return app.secret === undefined
    ? { params: { client_id: app.clientId }, headers: {} }
    : { params: {}, headers: { authorization: basic(app.clientId, app.secret) } };
}

async function introspect(app: TestApp, token: string, extra: Record<string, string> = {}, url = `${base()}/introspect`): Promise<Reply> {
  const a = as(app);
  return postForm(url, { token, ...a.params, ...extra }, a.headers);
}

async function revoke(app: TestApp, token: string, extra: Record<string, string> = {}, url = `${base()}/revoke`): Promise<Reply> {
  const a = as(app);
  return postForm(url, { token, ...a.params, ...extra }, a.headers);
}

describe('introspect', () => {
  it('describes an active access token', async () => {
    const t = await tokens(web);
    const res = await introspect(web, t.access_token!, { token_type_hint: 'access_token' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const at = jwtPayload(t.access_token!);
    assert.deepEqual(res.body, {
      active: true, token_type: 'Bearer', scope: 'openid offline_access', client_id: web.clientId, username: 'sam@example.com',
      exp: at.exp, iat: at.iat, sub: 'sam@example.com', aud: 'api://default', iss: `${s.orgUrl}/oauth2/default`, jti: at.jti, uid: user.id,
    });
  });

  it('describes an active refresh token', async () => {
    const t = await tokens(web);
    const res = await introspect(web, t.refresh_token!, { token_type_hint: 'refresh_token' });
    assert.equal(res.status, 200);
    assert.equal(res.body.active, true);
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.scope, 'openid offline_access');
    assert.equal(res.body.client_id, web.clientId);
    assert.equal(res.body.username, 'sam@example.com');
    assert.equal(res.body.sub, 'sam@example.com');
    assert.equal(res.body.uid, user.id);
    assert.equal(typeof res.body.iat, 'number');
    assert.equal(typeof res.body.exp, 'number', 'the idle window bounds it');
  });

  it('describes an ID token', async () => {
    const t = await tokens(web);
    const res = await introspect(web, t.id_token!, { token_type_hint: 'id_token' });
    assert.equal(res.body.active, true);
    assert.equal(res.body.sub, user.id);
    assert.equal(res.body.aud, web.clientId);
  });

  it('describes a client-credentials token (no uid)', async () => {
    const cc = await postForm(`${base()}/token`, { grant_type: 'client_credentials' }, { authorization: basic(service.clientId, service.secret) });
    const res = await introspect(service, cc.body.access_token);
    assert.equal(res.body.active, true);
    assert.equal(res.body.sub, service.clientId);
    assert.equal(res.body.uid, undefined);
  });

  it('is inactive for garbage, tampered, expired and foreign tokens', async () => {
    const t = await tokens(web);
    const [h, p, sig] = t.access_token!.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, scp: ['admin'] })).toString('base64url')}.${sig}`;
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
    const orgTokens = await tokens(web, ['openid', 'offline_access'], 'org');
    for (const token of ['garbage', 'a.b.c', tampered, unsigned, orgTokens.access_token!, orgTokens.refresh_token!, orgTokens.id_token!, 'x'.repeat(20000)]) {
      const res = await introspect(web, token);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { active: false });
    }
    // The org server knows its own tokens.
    const res = await introspect(web, orgTokens.access_token!, {}, `${s.orgUrl}/oauth2/v1/introspect`);
    assert.equal(res.body.active, true);
    assert.equal(res.body.iss, s.orgUrl);
    s.clock.advance(3601_000);
    assert.deepEqual((await introspect(web, t.access_token!)).body, { active: false });
  });

  it('is inactive once the user is deactivated', async () => {
    const other = await createUser(s.container);
    await assign(s.container, web, other);
    const { code } = await issueCode(s.container, { serverId: 'default', app: web, user: other, scopes: ['openid', 'offline_access'] });
    const t = (await postForm(`${base()}/token`, { grant_type: 'authorization_code', code, redirect_uri: web.redirectUri }, { authorization: basic(web.clientId, web.secret) })).body;
    await s.container.store.users.update({ ...other, status: 'SUSPENDED' });
    for (const token of [t.access_token, t.refresh_token, t.id_token]) assert.deepEqual((await introspect(web, token)).body, { active: false });
  });

  it('lets a public client authenticate with its client_id (body, query or Basic) and see only its own tokens', async () => {
    const mine = await tokens(spa);
    const theirs = await tokens(web);
    assert.equal((await introspect(spa, mine.access_token!)).body.active, true);
    assert.equal((await postForm(`${base()}/introspect?client_id=${spa.clientId}`, { token: mine.refresh_token! })).body.active, true);
    assert.equal((await postForm(`${base()}/introspect`, { token: mine.access_token! }, { authorization: basic(spa.clientId) })).body.active, true);
    for (const token of [theirs.access_token!, theirs.refresh_token!, theirs.id_token!]) {
      assert.deepEqual((await introspect(spa, token)).body, { active: false });
    }
    // A confidential client (a resource server) may introspect any token of the server.
    assert.equal((await introspect(service, mine.access_token!)).body.active, true);
  });

  it('requires client authentication and a token', async () => {
    const t = await tokens(web);
    let res = await postForm(`${base()}/introspect`, { token: t.access_token! });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, INVALID_CLIENT);
    res = await postForm(`${base()}/introspect`, { token: t.access_token! }, { authorization: basic(web.clientId, 'wrong') });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
    res = await postForm(`${base()}/introspect`, { token: t.access_token!, client_id: web.clientId });
    assert.equal(res.status, 401);
    res = await introspect(web, '');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: "The 'token' parameter is required." });
    res = await postForm(`${base()}/introspect`, { token: ['a', 'b'] }, as(web).headers);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_request');
    res = await request(`${base()}/introspect`, { method: 'POST', headers: { 'content-type': 'application/json', ...as(web).headers }, body: JSON.stringify({ token: t.access_token }) });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_request');
  });

  it('accepts private_key_jwt with the introspection endpoint as audience', async () => {
    const key = clientKey('ES256');
    const rs = await createApp(s.container, { method: 'private_key_jwt', applicationType: 'service', grantTypes: ['client_credentials'], jwks: { keys: [key.jwk] } });
    const t = await tokens(web);
    const now = Math.floor(Date.now() / 1000) + Math.floor(s.clock.offsetMs / 1000);
    const assertion = key.assertion({ iss: rs.clientId, sub: rs.clientId, aud: `${base()}/introspect`, exp: now + 60, jti: randomUUID() });
    const res = await postForm(`${base()}/introspect`, {
      token: t.access_token!, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.active, true);
  });
});

describe('revoke', () => {
  it('revokes an access token', async () => {
    const t = await tokens(web);
    const res = await revoke(web, t.access_token!, { token_type_hint: 'access_token' });
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
    assert.deepEqual((await introspect(web, t.access_token!)).body, { active: false });
    // The refresh token of the grant lives on.
    assert.equal((await introspect(web, t.refresh_token!)).body.active, true);
  });

  it('revokes a refresh token with its grant', async () => {
    const t = await tokens(web);
    const res = await revoke(web, t.refresh_token!, { token_type_hint: 'refresh_token' });
    assert.equal(res.status, 200);
    assert.deepEqual((await introspect(web, t.refresh_token!)).body, { active: false });
    assert.deepEqual((await introspect(web, t.access_token!)).body, { active: false });
    const again = await postForm(`${base()}/token`, { grant_type: 'refresh_token', refresh_token: t.refresh_token! }, as(web).headers);
    assert.deepEqual(again.body, { error: 'invalid_grant', error_description: 'The refresh token is invalid or expired.' });
  });

  it('accepts a wrong hint', async () => {
    const t = await tokens(web);
    assert.equal((await revoke(web, t.refresh_token!, { token_type_hint: 'access_token' })).status, 200);
    assert.deepEqual((await introspect(web, t.refresh_token!)).body, { active: false });
  });

  it('accepts okta-auth-js\'s Basic base64(client_id) for a public client', async () => {
    const t = await tokens(spa);
    for (const token of [t.refresh_token!, t.access_token!]) {
      const res = await postForm(`${base()}/revoke`, { token, token_type_hint: 'refresh_token' }, { authorization: basic(spa.clientId) });
      assert.equal(res.status, 200);
    }
    assert.deepEqual((await introspect(spa, t.access_token!)).body, { active: false });
    assert.deepEqual((await introspect(spa, t.refresh_token!)).body, { active: false });
  });

  it('answers 200 for unknown, revoked and foreign tokens, and leaves other clients\' tokens alone', async () => {
    const theirs = await tokens(web);
    for (const token of ['unknown', 'a.b.c', theirs.access_token!, theirs.refresh_token!, theirs.id_token!]) {
      const res = await revoke(spa, token);
      assert.equal(res.status, 200);
    }
    assert.equal((await introspect(web, theirs.access_token!)).body.active, true);
    assert.equal((await introspect(web, theirs.refresh_token!)).body.active, true);
    // Revoking twice is fine.
    assert.equal((await revoke(web, theirs.refresh_token!)).status, 200);
    assert.equal((await revoke(web, theirs.refresh_token!)).status, 200);
  });

  it('needs the token\'s own server', async () => {
    const t = await tokens(web, ['openid', 'offline_access'], 'org');
    assert.equal((await revoke(web, t.refresh_token!)).status, 200);
    assert.equal((await introspect(web, t.refresh_token!, {}, `${s.orgUrl}/oauth2/v1/introspect`)).body.active, true);
    assert.equal((await revoke(web, t.refresh_token!, {}, `${s.orgUrl}/oauth2/v1/revoke`)).status, 200);
    assert.deepEqual((await introspect(web, t.refresh_token!, {}, `${s.orgUrl}/oauth2/v1/introspect`)).body, { active: false });
  });

  it('requires client authentication and a token', async () => {
    let res = await postForm(`${base()}/revoke`, { token: 'x' });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, INVALID_CLIENT);
    res = await postForm(`${base()}/revoke`, { token: 'x' }, { authorization: basic(web.clientId, 'nope') });
    assert.equal(res.status, 401);
    res = await revoke(web, '');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: "The 'token' parameter is required." });
    res = await postForm(`${base()}/revoke`, {}, as(web).headers);
    assert.equal(res.status, 400);
    res = await request(`${base()}/revoke`, { method: 'POST', headers: as(web).headers });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_request');
    res = await postForm(`${s.orgUrl}/oauth2/unknown/v1/revoke`, { token: 'x' }, as(web).headers);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'The authorization server id is invalid.' });
  });
});
