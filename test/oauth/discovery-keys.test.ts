/** Discovery documents (org server, custom servers, RFC 8414 location) and the JWKS endpoint. */
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { addScope, assign, basic, createApp, createUser, issueCode, postForm, request, startOAuthServer, type OAuthTestServer } from './fixtures.js';

let s: OAuthTestServer;

before(async () => {
  s = await startOAuthServer();
  await addScope(s.container, 'default', 'api:published', { metadataPublish: 'ALL_CLIENTS' });
  await addScope(s.container, 'default', 'api:hidden', { metadataPublish: 'NO_CLIENTS' });
});
after(() => s.close());

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];

describe('discovery', () => {
  it('serves the org server\'s OpenID configuration', async () => {
    const res = await request(`${s.orgUrl}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const d = res.body;
    assert.equal(d.issuer, s.orgUrl);
    assert.equal(d.authorization_endpoint, `${s.orgUrl}/oauth2/v1/authorize`);
    assert.equal(d.token_endpoint, `${s.orgUrl}/oauth2/v1/token`);
    assert.equal(d.userinfo_endpoint, `${s.orgUrl}/oauth2/v1/userinfo`);
    assert.equal(d.jwks_uri, `${s.orgUrl}/oauth2/v1/keys`);
    assert.equal(d.introspection_endpoint, `${s.orgUrl}/oauth2/v1/introspect`);
    assert.equal(d.revocation_endpoint, `${s.orgUrl}/oauth2/v1/revoke`);
    assert.equal(d.end_session_endpoint, `${s.orgUrl}/oauth2/v1/logout`);
    assert.deepEqual(d.grant_types_supported, ['authorization_code', 'implicit', 'refresh_token']);
    assert.deepEqual(d.scopes_supported, ['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);
    assert.deepEqual(d.response_modes_supported, ['query', 'fragment', 'form_post', 'okta_post_message']);
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(d.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(d.subject_types_supported, ['public']);
    assert.deepEqual(d.token_endpoint_auth_methods_supported, AUTH_METHODS);
    // RFC 8414 §2: required where private_key_jwt is offered.
    for (const endpoint of ['token', 'introspection', 'revocation']) {
      assert.deepEqual(d[`${endpoint}_endpoint_auth_signing_alg_values_supported`], ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512']);
    }
    assert.deepEqual(d.introspection_endpoint_auth_methods_supported, AUTH_METHODS);
    assert.deepEqual(d.revocation_endpoint_auth_methods_supported, AUTH_METHODS);
    assert.equal(d.authorization_response_iss_parameter_supported, true);
    assert.equal(d.request_parameter_supported, false);
    assert.ok(d.response_types_supported.includes('code'));
    assert.ok(d.claims_supported.includes('at_hash'));
  });

  it('serves a custom server\'s documents at every location', async () => {
    const issuer = `${s.orgUrl}/oauth2/default`;
    for (const path of ['/oauth2/default/.well-known/openid-configuration', '/oauth2/default/.well-known/oauth-authorization-server', '/.well-known/oauth-authorization-server/oauth2/default']) {
      const res = await request(`${s.orgUrl}${path}`);
      assert.equal(res.status, 200, path);
      const d = res.body;
      assert.equal(d.issuer, issuer);
      assert.equal(d.token_endpoint, `${issuer}/v1/token`);
      assert.equal(d.jwks_uri, `${issuer}/v1/keys`);
      assert.deepEqual(d.grant_types_supported, ['authorization_code', 'implicit', 'refresh_token', 'client_credentials']);
      assert.ok(d.scopes_supported.includes('api:published'));
      assert.ok(!d.scopes_supported.includes('api:hidden'));
      assert.ok(d.scopes_supported.includes('openid'));
      if (path.includes('openid-configuration')) assert.equal(d.userinfo_endpoint, `${issuer}/v1/userinfo`);
      else assert.equal(d.userinfo_endpoint, undefined);
    }
    const org = await request(`${s.orgUrl}/.well-known/oauth-authorization-server`);
    assert.equal(org.body.issuer, s.orgUrl);
  });

  it('answers an unknown or inactive server with 404', async () => {
    const c = s.container;
    const now = c.clock.now();
    await c.store.authServers.create({
      id: 'ausInactive0000000000', name: 'inactive', description: null, audiences: ['api://x'], issuerMode: 'ORG_URL',
      status: 'INACTIVE', rotationMode: 'AUTO', lastRotated: now, created: now, lastUpdated: now,
    });
    for (const path of ['/oauth2/nope/.well-known/openid-configuration', '/.well-known/oauth-authorization-server/oauth2/nope', '/oauth2/ausInactive0000000000/.well-known/openid-configuration', '/oauth2/org/.well-known/openid-configuration']) {
      const res = await request(`${s.orgUrl}${path}`);
      assert.equal(res.status, 404, path);
      assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'The authorization server id is invalid.' });
    }
  });

  it('follows the DYNAMIC issuer mode', async () => {
    const c = s.container;
    const now = c.clock.now();
    await c.store.authServers.create({
      id: 'ausDynamic00000000000', name: 'dynamic', description: null, audiences: ['api://dyn'], issuerMode: 'DYNAMIC',
      status: 'ACTIVE', rotationMode: 'AUTO', lastRotated: now, created: now, lastUpdated: now,
    });
    await c.keys.ensureActiveKey('ausDynamic00000000000');
    const url = new URL(s.orgUrl);
    const res = await request(`http://localhost:${url.port}/oauth2/ausDynamic00000000000/.well-known/openid-configuration`);
    assert.equal(res.body.issuer, `http://localhost:${url.port}/oauth2/ausDynamic00000000000`);
  });

  it('answers the CORS preflight', async () => {
    const res = await request(`${s.orgUrl}/.well-known/openid-configuration`, { method: 'OPTIONS' });
    assert.equal(res.status, 204);
  });
});

describe('keys', () => {
  it('publishes the public keys of each server', async () => {
    const active: string[] = [];
    for (const server of ['org', 'default']) {
      const url = server === 'org' ? `${s.orgUrl}/oauth2/v1/keys` : `${s.orgUrl}/oauth2/${server}/v1/keys`;
      const res = await request(url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('cache-control') ?? '', /^max-age=\d+, must-revalidate$/);
      assert.equal(res.headers.get('vary'), 'Origin');
      assert.ok(res.body.keys.length >= 1);
      for (const key of res.body.keys) {
        assert.deepEqual(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
        assert.equal(key.kty, 'RSA');
        assert.equal(key.alg, 'RS256');
        assert.equal(key.use, 'sig');
      }
      active.push((await s.container.keys.activeKey(server)).kid);
      assert.ok(res.body.keys.some((k: { kid: string }) => k.kid === active.at(-1)));
    }
    assert.notEqual(active[0], active[1]);
  });

  it('may be cached for an hour once the next key is published, five minutes otherwise', async () => {
    const c = s.container;
    const now = c.clock.now();
    const id = 'ausKeysCache000000000';
    await c.store.authServers.create({
      id, name: 'keys-cache', description: null, audiences: ['api://keys'], issuerMode: 'ORG_URL',
      status: 'ACTIVE', rotationMode: 'AUTO', lastRotated: now, created: now, lastUpdated: now,
    });
    await c.keys.generate(id, 'ACTIVE');
    let res = await request(`${s.orgUrl}/oauth2/${id}/v1/keys`);
    assert.equal(res.body.keys.length, 1);
    assert.equal(res.headers.get('cache-control'), 'max-age=300, must-revalidate');
    await c.keys.generate(id, 'NEXT');
    res = await request(`${s.orgUrl}/oauth2/${id}/v1/keys`);
    assert.equal(res.body.keys.length, 2);
    assert.equal(res.headers.get('cache-control'), 'max-age=3600, must-revalidate');
  });

  it('verifies the tokens the server signs', async () => {
    const user = await createUser(s.container);
    const app = await createApp(s.container);
    await assign(s.container, app, user);
    const { code } = await issueCode(s.container, { serverId: 'default', app, user, scopes: ['openid'] });
    const t = await postForm(`${s.orgUrl}/oauth2/default/v1/token`, { grant_type: 'authorization_code', code, redirect_uri: app.redirectUri }, { authorization: basic(app.clientId, app.secret) });
    const { keys } = (await request(`${s.orgUrl}/oauth2/default/v1/keys`)).body;
    for (const token of [t.body.access_token, t.body.id_token]) {
      const [h, p, sig] = token.split('.');
      const kid = JSON.parse(Buffer.from(h, 'base64url').toString()).kid;
      const jwk = keys.find((k: { kid: string }) => k.kid === kid);
      assert.ok(jwk, 'kid published');
      assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(sig, 'base64url')));
    }
  });

  it('answers an unknown server with invalid_request, and the preflight', async () => {
    const res = await request(`${s.orgUrl}/oauth2/nope/v1/keys`);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'The authorization server id is invalid.' });
    const pre = await request(`${s.orgUrl}/oauth2/default/v1/keys`, { method: 'OPTIONS', headers: { origin: 'https://spa.example.com', 'access-control-request-method': 'GET' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
  });
});
