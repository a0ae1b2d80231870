/** GET/POST /v1/userinfo: Bearer tokens, the `openid` scope, claims by scope, and Okta's 401/403 answers. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/domain/model.js';
import {
  addScope, assign, basic, createApp, createUser, issueCode, jwtPayload, postForm, request, startOAuthServer,
  type OAuthTestServer, type Reply, type TestApp,
} from './fixtures.js';

const INVALID_TOKEN_BODY = { error: 'invalid_token', error_description: 'The access token is invalid.' };
const INVALID_TOKEN_HEADER = 'Bearer error="invalid_token", error_description="The access token is invalid"';

let s: OAuthTestServer;
let user: User;
let web: TestApp;
const userinfoUrl = (server = 'default') => (server === 'org' ? `${s.orgUrl}/oauth2/v1/userinfo` : `${s.orgUrl}/oauth2/${server}/v1/userinfo`);

before(async () => {
  s = await startOAuthServer();
  user = await createUser(s.container, {
    login: 'ada@example.com', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace',
    locale: 'en_GB', timezone: 'Europe/London', mobilePhone: '+44 20 7946 0000', city: 'London', countryCode: 'GB',
  });
  web = await createApp(s.container, { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
  await assign(s.container, web, user);
  await addScope(s.container, 'default', 'api:read', { default: true });
});
after(() => s.close());

async function tokens(scopes: string[], serverId = 'default', who: User = user): Promise<Record<string, string>> {
  const { code } = await issueCode(s.container, { serverId, app: web, user: who, scopes });
  const url = serverId === 'org' ? `${s.orgUrl}/oauth2/v1/token` : `${s.orgUrl}/oauth2/${serverId}/v1/token`;
  const res = await postForm(url, { grant_type: 'authorization_code', code, redirect_uri: web.redirectUri }, { authorization: basic(web.clientId, web.secret) });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

const get = (token: string, url = userinfoUrl()): Promise<Reply> => request(url, { headers: { authorization: `Bearer ${token}` } });

function assertInvalidToken(res: Reply): void {
  assert.equal(res.status, 401);
  assert.deepEqual(res.body, INVALID_TOKEN_BODY);
  assert.equal(res.headers.get('www-authenticate'), INVALID_TOKEN_HEADER);
}

describe('userinfo', () => {
  it('returns the claims of the granted scopes, sub equal to the ID token\'s', async () => {
    const t = await tokens(['openid', 'profile', 'email', 'address', 'phone']);
    const res = await get(t.access_token!);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.body.sub, jwtPayload(t.id_token!).sub);
    assert.equal(res.body.sub, user.id);
    assert.equal(res.body.name, 'Ada Lovelace');
    assert.equal(res.body.given_name, 'Ada');
    assert.equal(res.body.family_name, 'Lovelace');
    assert.equal(res.body.preferred_username, 'ada@example.com');
    assert.equal(res.body.locale, 'en_GB');
    assert.equal(res.body.zoneinfo, 'Europe/London');
    assert.equal(typeof res.body.updated_at, 'number');
    assert.equal(res.body.email, 'ada@example.com');
    assert.equal(res.body.email_verified, true);
    assert.deepEqual(res.body.address, { locality: 'London', country: 'GB' });
    assert.equal(res.body.phone_number, '+44 20 7946 0000');
  });

  it('returns only sub for openid alone', async () => {
    const t = await tokens(['openid']);
    assert.deepEqual((await get(t.access_token!)).body, { sub: user.id });
  });

  it('accepts POST with the header or with access_token in the form', async () => {
    const t = await tokens(['openid', 'email']);
    let res = await request(userinfoUrl(), { method: 'POST', headers: { authorization: `Bearer ${t.access_token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.body.email, 'ada@example.com');
    res = await postForm(userinfoUrl(), { access_token: t.access_token! });
    assert.equal(res.status, 200);
    assert.equal(res.body.sub, user.id);
    res = await postForm(userinfoUrl(), { access_token: t.access_token! }, { authorization: `Bearer ${t.access_token}` });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'The access token cannot be specified in both the Authorization header and the request-body.' });
    res = await postForm(userinfoUrl(), { access_token: [t.access_token!, t.access_token!] });
    assert.equal(res.status, 400);
  });

  it('accepts a lower-case bearer scheme', async () => {
    const t = await tokens(['openid']);
    assert.equal((await request(userinfoUrl(), { headers: { authorization: `bearer ${t.access_token}` } })).status, 200);
  });

  it('works on the org server with its own tokens only', async () => {
    const org = await tokens(['openid', 'email'], 'org');
    const custom = await tokens(['openid', 'email']);
    assert.equal((await get(org.access_token!, userinfoUrl('org'))).status, 200);
    assertInvalidToken(await get(custom.access_token!, userinfoUrl('org')));
    assertInvalidToken(await get(org.access_token!));
  });

  it('answers bad, missing and revoked tokens with Okta\'s 401', async () => {
    const t = await tokens(['openid']);
    assertInvalidToken(await request(userinfoUrl()));
    assertInvalidToken(await get('garbage'));
    assertInvalidToken(await get(t.id_token!));
    assertInvalidToken(await get(`${t.access_token!.slice(0, -4)}AAAA`));
    assertInvalidToken(await request(userinfoUrl(), { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }));
    assertInvalidToken(await request(userinfoUrl(), { headers: { authorization: 'Bearer' } }));
    await postForm(`${s.orgUrl}/oauth2/default/v1/revoke`, { token: t.access_token! }, { authorization: basic(web.clientId, web.secret) });
    assertInvalidToken(await get(t.access_token!));
  });

  it('answers an expired token with 401', async () => {
    const t = await tokens(['openid']);
    s.clock.advance(3601_000);
    assertInvalidToken(await get(t.access_token!));
  });

  it('answers a token without openid with 403 insufficient_scope', async () => {
    const t = await tokens(['profile']);
    let res = await get(t.access_token!);
    assert.equal(res.status, 403);
    assert.equal(res.body.error, 'insufficient_scope');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer error="insufficient_scope"/);
    const cc = await postForm(`${s.orgUrl}/oauth2/default/v1/token`, { grant_type: 'client_credentials' }, { authorization: basic(web.clientId, web.secret) });
    res = await get(cc.body.access_token);
    assert.equal(res.status, 403);
  });

  it('answers a deactivated user\'s token with 401', async () => {
    const other = await createUser(s.container);
    await assign(s.container, web, other);
    const t = await tokens(['openid'], 'default', other);
    assert.equal((await get(t.access_token!)).status, 200);
    await s.container.store.users.update({ ...other, status: 'DEPROVISIONED' });
    assertInvalidToken(await get(t.access_token!));
  });

  it('refuses an access token in the query string', async () => {
    const t = await tokens(['openid']);
    const res = await request(`${userinfoUrl()}?access_token=${t.access_token}`);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_request');
  });

  it('answers an unknown server and a JSON body without a 500', async () => {
    let res = await get('x', userinfoUrl('nope'));
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'The authorization server id is invalid.' });
    res = await request(userinfoUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"access_token":"x"}' });
    assert.equal(res.status, 400);
    res = await request(userinfoUrl(), { method: 'OPTIONS' });
    assert.equal(res.status, 204);
  });
});
