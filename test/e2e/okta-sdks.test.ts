/**
 * Okta's own client SDKs, unchanged, against Gatehouse: @okta/okta-auth-js (headless sign-in through
 * /api/v1/authn, the sessionToken redeemed at /authorize, code exchange with PKCE, refresh rotation,
 * userinfo, revocation) and @okta/jwt-verifier (access and ID token verification by kid from /v1/keys).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OktaAuth } from '@okta/okta-auth-js';
import OktaJwtVerifier from '@okta/jwt-verifier';
import { json, startTestServer, type TestServer } from '../support/server.js';

const REDIRECT = 'http://localhost:8585/callback';
const PASSWORD = 'Sdk-Passw0rd-42';
const login = 'grace.hopper@example.com';

let server: TestServer;
let clientId: string;
let issuer: string;

before(async () => {
  server = await startTestServer();
  issuer = `${server.orgUrl}/oauth2/default`;
  const appRes = await server.api('/api/v1/apps', {
    method: 'POST',
    body: JSON.stringify({
      name: 'oidc_client',
      label: 'SPA',
      signOnMode: 'OPENID_CONNECT',
      credentials: { oauthClient: { token_endpoint_auth_method: 'none' } },
      settings: {
        oauthClient: {
          application_type: 'browser',
          redirect_uris: [REDIRECT],
          response_types: ['code'],
          grant_types: ['authorization_code', 'refresh_token'],
          refresh_token: { rotation_type: 'ROTATE', leeway: 0 },
        },
      },
    }),
  });
  assert.equal(appRes.status, 200, await appRes.clone().text());
  const app = await json(appRes);
  clientId = app.credentials.oauthClient.client_id;
  const userRes = await server.api('/api/v1/users?activate=true', {
    method: 'POST',
    body: JSON.stringify({ profile: { login, email: login, firstName: 'Grace', lastName: 'Hopper' }, credentials: { password: { value: PASSWORD } } }),
  });
  assert.equal(userRes.status, 200, await userRes.clone().text());
  // Controlled access through the Everyone group.
  const groups = await json(await server.api('/api/v1/groups?q=Everyone'));
  const everyone = groups.find((g: any) => g.profile.name === 'Everyone');
  const assign = await server.api(`/api/v1/apps/${app.id}/groups/${everyone.id}`, { method: 'PUT', body: '{}' });
  assert.equal(assign.status, 200, await assign.clone().text());
});

after(async () => {
  await server?.close();
});

test('okta-auth-js signs in headlessly and manages tokens; jwt-verifier verifies them', async () => {
  const auth = new OktaAuth({ issuer, clientId, redirectUri: REDIRECT, pkce: true, scopes: ['openid', 'profile', 'email', 'offline_access'] });

  const tx = await auth.signInWithCredentials({ username: login, password: PASSWORD });
  assert.equal(tx.status, 'SUCCESS');
  assert.ok(tx.sessionToken);

  const params = await auth.token.prepareTokenParams({ state: 'sdk-state', nonce: 'sdk-nonce' });
  const authorize = new URL(`${issuer}/v1/authorize`);
  for (const [k, v] of Object.entries({
    client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', response_mode: 'query',
    scope: params.scopes!.join(' '), state: params.state!, nonce: params.nonce!,
    code_challenge: params.codeChallenge!, code_challenge_method: params.codeChallengeMethod!, sessionToken: tx.sessionToken!,
  })) authorize.searchParams.set(k, v);
  const res = await fetch(authorize, { redirect: 'manual' });
  assert.equal(res.status, 302);
  const callback = new URL(res.headers.get('location')!);
  const code = callback.searchParams.get('code');
  assert.ok(code, callback.href);

  const { tokens } = await auth.token.exchangeCodeForTokens({ ...params, authorizationCode: code });
  assert.ok(tokens.accessToken && tokens.idToken && tokens.refreshToken);
  assert.equal(tokens.idToken.claims.sub, (await json(await server.api(`/api/v1/users/${encodeURIComponent(login)}`))).id);

  const verifier = new OktaJwtVerifier({ issuer, clientId, testing: { disableHttpsCheck: true }, assertClaims: { cid: clientId, 'scp.includes': ['email'] } });
  const jwt = await verifier.verifyAccessToken(tokens.accessToken.accessToken, 'api://default');
  assert.equal(jwt.claims.sub, login);
  const idVerifier = new OktaJwtVerifier({ issuer, clientId, testing: { disableHttpsCheck: true } });
  const idJwt = await idVerifier.verifyIdToken(tokens.idToken.idToken, clientId, 'sdk-nonce');
  assert.equal(idJwt.claims.aud, clientId);

  const userInfo = await auth.token.getUserInfo(tokens.accessToken, tokens.idToken);
  assert.equal(userInfo.email, login);

  const renewed = await auth.token.renewTokensWithRefresh({ scopes: params.scopes! }, tokens.refreshToken);
  assert.ok(renewed.refreshToken);
  assert.notEqual(renewed.refreshToken!.refreshToken, tokens.refreshToken.refreshToken);

  // The SDK removes a refresh token only on Okta's exact error body; the replay must produce it.
  await assert.rejects(auth.token.renewTokensWithRefresh({ scopes: params.scopes! }, tokens.refreshToken), (err: any) => {
    assert.equal(err.errorCode, 'invalid_grant');
    assert.equal(err.errorSummary, 'The refresh token is invalid or expired.');
    return true;
  });

  await auth.token.revoke(renewed.accessToken!);
  const introspect = await fetch(`${issuer}/v1/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: clientId, token: renewed.accessToken!.accessToken }),
  });
  assert.equal((await json(introspect)).active, false);
});

test('okta-auth-js gets Okta\'s authn error for bad credentials', async () => {
  const auth = new OktaAuth({ issuer, clientId, redirectUri: REDIRECT });
  await assert.rejects(auth.signInWithCredentials({ username: login, password: 'wrong-password' }), (err: any) => {
    assert.equal(err.errorCode, 'E0000004');
    assert.equal(err.errorSummary, 'Authentication failed');
    return true;
  });
});
