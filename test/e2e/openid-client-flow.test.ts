/**
 * End to end with openid-client (a certified relying party) over real HTTP: an admin sets up the org
 * through /api/v1, a user signs in on the hosted page, and the client runs the auth code + PKCE flow,
 * refresh rotation and reuse detection, code reuse, client credentials, introspection, revocation,
 * userinfo and logout against the `default` custom authorization server and the org server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { Browser, formFields, jwtClaims } from '../support/browser.js';
import { json, startTestServer, type TestServer } from '../support/server.js';

const REDIRECT = 'http://localhost:8585/callback';
const LOGOUT_REDIRECT = 'http://localhost:8585/';
const PASSWORD = 'Correct-Horse-9';

let server: TestServer;
let clientId: string;
let clientSecret: string;
let userId: string;
const login = 'ada.lovelace@example.com';

async function createApp(body: Record<string, unknown>): Promise<{ id: string; client_id: string; client_secret: string }> {
  const res = await server.api('/api/v1/apps', { method: 'POST', body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.clone().text());
  const app = await json(res);
  return { id: app.id, client_id: app.credentials.oauthClient.client_id, client_secret: app.credentials.oauthClient.client_secret };
}

async function discover(issuerPath: string, auth: oidc.ClientAuth, secret?: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(`${server.orgUrl}${issuerPath}`), clientId, secret, auth, { execute: [oidc.allowInsecureRequests] });
}

/** Drives the hosted sign-in page like a browser and returns the callback URL with the code. */
async function signIn(authorizeUrl: URL, browser = new Browser(server.orgUrl)): Promise<URL> {
  let res = await browser.follow(await browser.get(authorizeUrl.href));
  if (res.status === 200) {
    const html = await res.text();
    const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const fields = formFields(html);
    const userField = Object.keys(fields).find((k) => /user|login/i.test(k)) ?? 'username';
    res = await browser.postForm(new URL(action, res.url || server.orgUrl).href, { ...fields, [userField]: login, password: PASSWORD });
    res = await browser.follow(res);
  }
  assert.ok(res.status >= 300 && res.status < 400, `expected a redirect to the client, got ${res.status}`);
  const location = res.headers.get('location')!;
  assert.ok(location.startsWith(REDIRECT), location);
  return new URL(location);
}

before(async () => {
  server = await startTestServer();
  const app = await createApp({
    name: 'oidc_client',
    label: 'OpenMetadata',
    signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
    settings: {
      oauthClient: {
        application_type: 'web',
        redirect_uris: [REDIRECT, 'http://localhost:8585/silent-callback'],
        post_logout_redirect_uris: [LOGOUT_REDIRECT],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        refresh_token: { rotation_type: 'ROTATE', leeway: 0 },
      },
    },
  });
  clientId = app.client_id;
  clientSecret = app.client_secret;
  const res = await server.api('/api/v1/users?activate=true', {
    method: 'POST',
    body: JSON.stringify({
      profile: { login, email: login, firstName: 'Ada', lastName: 'Lovelace' },
      credentials: { password: { value: PASSWORD } },
    }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  userId = (await json(res)).id;
  const assign = await server.api(`/api/v1/apps/${app.id}/users`, { method: 'POST', body: JSON.stringify({ id: userId, scope: 'USER' }) });
  assert.equal(assign.status, 200, await assign.clone().text());
});

after(async () => {
  await server?.close();
});

describe('authorization code + PKCE with openid-client', () => {
  for (const issuerPath of ['/oauth2/default', '']) {
    test(`sign in, tokens, userinfo, refresh, revoke, logout on ${issuerPath || 'the org server'}`, async () => {
      const config = await discover(issuerPath, oidc.ClientSecretBasic(clientSecret), clientSecret);
      assert.equal(config.serverMetadata().issuer, `${server.orgUrl}${issuerPath}`);
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid profile email offline_access',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      const callback = await signIn(url);
      assert.equal(callback.searchParams.get('iss'), `${server.orgUrl}${issuerPath}`);

      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.ok(tokens.refresh_token);
      const idClaims = tokens.claims()!;
      assert.equal(idClaims.sub, userId);
      assert.equal(idClaims.aud, clientId);
      assert.equal(idClaims.nonce, nonce);
      assert.ok(idClaims.at_hash);
      const at = jwtClaims(tokens.access_token);
      assert.equal(at.cid, clientId);
      assert.equal(at.uid, userId);
      assert.equal(at.sub, login);
      assert.equal(at.ver, 1);
      assert.deepEqual(at.scp, ['openid', 'profile', 'email', 'offline_access']);
      assert.equal(at.aud, issuerPath ? 'api://default' : server.orgUrl);

      const info = await oidc.fetchUserInfo(config, tokens.access_token, userId);
      assert.equal(info.email, login);
      assert.equal(info.preferred_username, login);

      const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
      assert.equal(introspected.active, true);
      assert.equal(introspected.client_id, clientId);

      // Rotation: the first refresh token is replaced, and replaying it revokes the family.
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.ok(refreshed.refresh_token);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (err: any) => {
        assert.equal(err.error, 'invalid_grant');
        assert.equal(err.error_description, 'The refresh token is invalid or expired.');
        return true;
      });
      await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), (err: any) => err.error === 'invalid_grant');
      assert.equal((await oidc.tokenIntrospection(config, refreshed.access_token)).active, false);

      // Revocation of an access token.
      const again = await oidc.authorizationCodeGrant(config, await signIn(oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT, scope: 'openid', state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      })), { pkceCodeVerifier: verifier, expectedState: state });
      assert.equal((await oidc.tokenIntrospection(config, again.access_token)).active, true);
      await oidc.tokenRevocation(config, again.access_token);
      assert.equal((await oidc.tokenIntrospection(config, again.access_token)).active, false);

      // RP-initiated logout redirects to the registered URI with the state.
      const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGOUT_REDIRECT, state: 'bye' });
      const res = await fetch(end, { redirect: 'manual' });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), `${LOGOUT_REDIRECT}?state=bye`);
    });
  }

  test('a code is single-use and its replay revokes what the first use issued', async () => {
    const config = await discover('/oauth2/default', oidc.ClientSecretBasic(clientSecret), clientSecret);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid offline_access', state: 's1',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const callback = await signIn(url);
    const first = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 's1' });
    await assert.rejects(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 's1' }), (err: any) => {
      assert.equal(err.error, 'invalid_grant');
      assert.equal(err.error_description, 'The authorization code is invalid or has expired.');
      return true;
    });
    assert.equal((await oidc.tokenIntrospection(config, first.access_token)).active, false);
    await assert.rejects(oidc.refreshTokenGrant(config, first.refresh_token!), (err: any) => err.error === 'invalid_grant');
  });

  test('client credentials on the default server, with the server default scope', async () => {
    const scope = await server.api('/api/v1/authorizationServers/default/scopes', {
      method: 'POST', body: JSON.stringify({ name: 'metadata:read', default: true, metadataPublish: 'ALL_CLIENTS', consent: 'IMPLICIT' }),
    });
    assert.equal(scope.status, 201, await scope.clone().text());
    // Configuration is cached per node for a few seconds; this node invalidated on write.
    const config = await discover('/oauth2/default', oidc.ClientSecretPost(clientSecret), clientSecret);
    const tokens = await oidc.clientCredentialsGrant(config);
    const at = jwtClaims(tokens.access_token);
    assert.equal(at.sub, clientId);
    assert.equal(at.cid, clientId);
    assert.equal(at.uid, undefined);
    assert.deepEqual(at.scp, ['metadata:read']);
    assert.equal(tokens.refresh_token, undefined);
    assert.equal(tokens.id_token, undefined);
  });

  test('the session from the hosted page lets prompt=none succeed silently', async () => {
    const config = await discover('/oauth2/default', oidc.ClientSecretBasic(clientSecret), clientSecret);
    const browser = new Browser(server.orgUrl);
    const verifier = oidc.randomPKCECodeVerifier();
    const params = {
      redirect_uri: REDIRECT, scope: 'openid', state: 'p1',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    };
    await signIn(oidc.buildAuthorizationUrl(config, params), browser);
    const silent = await browser.get(oidc.buildAuthorizationUrl(config, { ...params, prompt: 'none', state: 'p2' }).href);
    assert.equal(silent.status, 302);
    const location = new URL(silent.headers.get('location')!);
    assert.ok(location.searchParams.get('code'));
    assert.equal(location.searchParams.get('state'), 'p2');

    const anonymous = await fetch(oidc.buildAuthorizationUrl(config, { ...params, prompt: 'none', state: 'p3' }), { redirect: 'manual' });
    const denied = new URL(anonymous.headers.get('location')!);
    assert.equal(denied.searchParams.get('error'), 'login_required');
    assert.equal(denied.searchParams.get('error_description'), 'The client specified not to prompt, but the user is not logged in.');
    assert.equal(denied.searchParams.get('iss'), `${server.orgUrl}/oauth2/default`);
  });
});
