/**
 * The seed document's Steps 1–6, done through Okta's own management SDK (@okta/okta-sdk-nodejs,
 * unchanged, SSWS token) against a running Gatehouse; then a user signs in through the new
 * authorization server with openid-client, and each setting is shown to change what the protocol does:
 * issuer per issuer mode, audience, default scope, a rule's lifetimes, a policy that matches and one
 * that does not, rotation per the refresh setting, an unassigned user refused, CORS per trusted origin.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import okta from '@okta/okta-sdk-nodejs';
import * as oidc from 'openid-client';
import { jwtClaims } from '../support/browser.js';
import { json, startTestServer, type TestServer } from '../support/server.js';

const CALLBACK = 'http://localhost:8585/callback';
const SILENT = 'http://localhost:8585/silent-callback';
const PASSWORD = 'Seed-Passw0rd-1';

let s: TestServer;
let client: okta.Client;
let appId: string;
let clientId: string;
let clientSecret: string;
let serverId: string;
let groupId: string;
const member = 'member@example.com';
const outsider = 'outsider@example.com';

async function sessionToken(login: string): Promise<string> {
  const res = await fetch(`${s.orgUrl}/api/v1/authn`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: login, password: PASSWORD }),
  });
  assert.equal(res.status, 200);
  return (await json(res)).sessionToken;
}

/** /authorize with a sessionToken (headless, as okta-auth-js does); returns the redirect's parameters. */
async function authorize(params: Record<string, string>, login = member): Promise<URLSearchParams> {
  const url = new URL(`${s.orgUrl}/oauth2/${serverId}/v1/authorize`);
  for (const [k, v] of Object.entries({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code', state: 'st', nonce: 'n', ...params })) {
    url.searchParams.set(k, v);
  }
  url.searchParams.set('sessionToken', await sessionToken(login));
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302, `authorize answered ${res.status}`);
  const location = new URL(res.headers.get('location')!);
  return location.hash ? new URLSearchParams(location.hash.slice(1)) : location.searchParams;
}

async function config(): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(`${s.orgUrl}/oauth2/${serverId}`), clientId, clientSecret, oidc.ClientSecretBasic(clientSecret), {
    execute: [oidc.allowInsecureRequests],
  });
}

async function codeFlow(scope: string): Promise<oidc.TokenEndpointResponse> {
  const cfg = await config();
  const verifier = oidc.randomPKCECodeVerifier();
  const params = await authorize({ scope, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  const callback = new URL(`${CALLBACK}?${params}`);
  return oidc.authorizationCodeGrant(cfg, callback, { pkceCodeVerifier: verifier, expectedState: 'st', expectedNonce: 'n' });
}

before(async () => {
  s = await startTestServer();
  client = new okta.Client({ orgUrl: s.orgUrl, token: s.token, ...({ testing: { disableHttpsCheck: true } } as object) });

  // Users: one in the group the app is limited to, one outside it.
  const group = await client.groupApi.createGroup({ group: { profile: { name: 'OpenMetadata Users', description: 'Controlled access' } } });
  groupId = group.id!;
  for (const login of [member, outsider]) {
    const user = await client.userApi.createUser({ body: { profile: { login, email: login, firstName: 'Seed', lastName: 'User' }, credentials: { password: { value: PASSWORD } } }, activate: true });
    if (login === member) await client.groupApi.assignUserToGroup({ groupId: group.id!, userId: user.id! });
  }

  // Step 1: the OIDC web app: auth code, refresh rotated after every use, implicit (hybrid), the seed's URIs.
  const app = await client.applicationApi.createApplication({
    application: {
      name: 'oidc_client', label: 'OpenMetadata', signOnMode: 'OPENID_CONNECT',
      credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
      settings: {
        oauthClient: {
          application_type: 'web',
          grant_types: ['authorization_code', 'refresh_token', 'implicit'],
          response_types: ['code', 'id_token', 'token'],
          redirect_uris: [CALLBACK, SILENT],
          post_logout_redirect_uris: ['http://localhost:8585/'],
          refresh_token: { rotation_type: 'ROTATE', leeway: 0 },
          consent_method: 'TRUSTED',
        },
      },
    } as never,
  }) as okta.OpenIdConnectApplication;
  appId = app.id!;
  // Step 6: where to find the credentials.
  const fetched = await client.applicationApi.getApplication({ appId }) as okta.OpenIdConnectApplication;
  clientId = fetched.credentials!.oauthClient!.client_id!;
  clientSecret = fetched.credentials!.oauthClient!.client_secret!;
  assert.ok(clientId && clientSecret);
  // Controlled access: limit access to selected groups.
  await client.applicationApi.assignGroupToApplication({ appId, groupId: group.id!, applicationGroupAssignment: {} } as never);
  // Base URIs: a trusted origin for CORS and redirects.
  await client.trustedOriginApi.createTrustedOrigin({ trustedOrigin: { name: 'OpenMetadata', origin: 'http://localhost:8585', scopes: [{ type: 'CORS' }, { type: 'REDIRECT' }] } as never });

  // Step 2: a new authorization server whose audience is the app's client id.
  const server = await client.authorizationServerApi.createAuthorizationServer({
    authorizationServer: { name: 'openmetadata', description: 'OpenMetadata', audiences: [clientId] } as never,
  });
  serverId = server.id!;
  // Step 4: a default scope (the SDK's model names the field `_default`; it sends `default`).
  await client.authorizationServerApi.createOAuth2Scope({
    authServerId: serverId, oAuth2Scope: { name: 'openmetadata', description: 'OpenMetadata API', _default: true, consent: 'IMPLICIT', metadataPublish: 'ALL_CLIENTS' } as never,
  });
  // Step 5: an access policy assigned to the app, with a rule by grant type and token lifetimes.
  const policy = await client.authorizationServerApi.createAuthorizationServerPolicy({
    authServerId: serverId,
    policy: { type: 'OAUTH_AUTHORIZATION_POLICY', name: 'OpenMetadata', description: 'Seed policy', priority: 1, conditions: { clients: { include: [clientId] } } } as never,
  });
  await client.authorizationServerApi.createAuthorizationServerPolicyRule({
    authServerId: serverId, policyId: policy.id!,
    policyRule: {
      type: 'RESOURCE_ACCESS', name: 'Auth code', priority: 1,
      conditions: { people: { groups: { include: ['EVERYONE'] } }, grantTypes: { include: ['authorization_code', 'implicit'] }, scopes: { include: ['*'] } },
      actions: { token: { accessTokenLifetimeMinutes: 15, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 60 } },
    } as never,
  });
});

after(async () => {
  await s?.close();
});

describe('the seed, configured with Okta\'s SDK, drives the protocol', () => {
  test('Step 3: issuer mode DYNAMIC follows the request host; Okta URL (ORG_URL) is fixed', async () => {
    const server = await client.authorizationServerApi.getAuthorizationServer({ authServerId: serverId });
    await client.authorizationServerApi.replaceAuthorizationServer({ authServerId: serverId, authorizationServer: { ...server, issuerMode: 'DYNAMIC' } as never });
    const viaLocalhost = `${s.orgUrl.replace('127.0.0.1', 'localhost')}/oauth2/${serverId}/.well-known/openid-configuration`;
    assert.equal((await json(await fetch(viaLocalhost))).issuer, `${s.orgUrl.replace('127.0.0.1', 'localhost')}/oauth2/${serverId}`);
    await client.authorizationServerApi.replaceAuthorizationServer({ authServerId: serverId, authorizationServer: { ...server, issuerMode: 'ORG_URL' } as never });
    assert.equal((await json(await fetch(viaLocalhost))).issuer, `${s.orgUrl}/oauth2/${serverId}`);
  });

  test('audience, rule lifetimes and rotation show in the tokens of a signed-in member', async () => {
    const tokens = await codeFlow('openid profile email offline_access');
    const at = jwtClaims(tokens.access_token);
    assert.equal(at.iss, `${s.orgUrl}/oauth2/${serverId}`);
    assert.equal(at.aud, clientId);
    assert.equal(at.exp - at.iat, 15 * 60);
    assert.equal(at.sub, member);
    assert.ok(tokens.refresh_token);
    const cfg = await config();
    const refreshed = await oidc.refreshTokenGrant(cfg, tokens.refresh_token!);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'ROTATE gives a new refresh token');
    await assert.rejects(oidc.refreshTokenGrant(cfg, tokens.refresh_token!), (e: any) => e.error_description === 'The refresh token is invalid or expired.');
  });

  test('STATIC rotation keeps the refresh token', async () => {
    const app = await client.applicationApi.getApplication({ appId }) as any;
    app.settings.oauthClient.refresh_token = { rotation_type: 'STATIC', leeway: 0 };
    await client.applicationApi.replaceApplication({ appId, application: app });
    const tokens = await codeFlow('openid offline_access');
    const refreshed = await oidc.refreshTokenGrant(await config(), tokens.refresh_token!);
    assert.equal(refreshed.refresh_token, tokens.refresh_token);
  });

  test('Step 4: a request naming no scope gets the default scope', async () => {
    const params = await authorize({ response_type: 'token' });
    assert.equal(params.get('error'), null, `${params.get('error')}: ${params.get('error_description')}`);
    const at = jwtClaims(params.get('access_token')!);
    assert.deepEqual(at.scp, ['openmetadata']);
  });

  test('Step 5: a client outside the policy is refused with Okta\'s exact error', async () => {
    const other = await client.applicationApi.createApplication({
      application: {
        name: 'oidc_client', label: 'Other', signOnMode: 'OPENID_CONNECT',
        settings: { oauthClient: { application_type: 'web', grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: [CALLBACK] } },
      } as never,
    }) as okta.OpenIdConnectApplication;
    await client.applicationApi.assignGroupToApplication({ appId: other.id!, groupId, applicationGroupAssignment: {} } as never);
    const saved = clientId;
    clientId = other.credentials!.oauthClient!.client_id!;
    try {
      const params = await authorize({ scope: 'openid' });
      assert.equal(params.get('error'), 'access_denied');
      assert.equal(params.get('error_description'), 'Policy evaluation failed for this request, please check the policy configurations.');
    } finally {
      clientId = saved;
    }
  });

  test('Controlled access: a user outside the assigned group is refused', async () => {
    const params = await authorize({ scope: 'openid' }, outsider);
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(params.get('error_description'), 'User is not assigned to the client application.');
  });

  test('Base URIs: CORS answers the trusted origin only', async () => {
    const keys = `${s.orgUrl}/oauth2/${serverId}/v1/keys`;
    const trusted = await fetch(keys, { headers: { origin: 'http://localhost:8585' } });
    assert.equal(trusted.headers.get('access-control-allow-origin'), 'http://localhost:8585');
    const foreign = await fetch(keys, { headers: { origin: 'http://evil.example' } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });

  test('User consent: REQUIRED shows a consent page, TRUSTED skips it', async () => {
    const scopes = await client.authorizationServerApi.listOAuth2Scopes({ authServerId: serverId });
    for await (const scope of scopes) {
      if (scope?.name === 'openmetadata') {
        await client.authorizationServerApi.replaceOAuth2Scope({ authServerId: serverId, scopeId: scope.id!, oAuth2Scope: { ...scope, consent: 'REQUIRED' } as never });
      }
    }
    const app = await client.applicationApi.getApplication({ appId }) as any;
    app.settings.oauthClient.consent_method = 'REQUIRED';
    await client.applicationApi.replaceApplication({ appId, application: app });
    const url = new URL(`${s.orgUrl}/oauth2/${serverId}/v1/authorize`);
    for (const [k, v] of Object.entries({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid openmetadata', state: 'c', sessionToken: await sessionToken(member) })) url.searchParams.set(k, v);
    const shown = await fetch(url, { redirect: 'manual' });
    let res = shown;
    const cookies = shown.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    while (res.status === 302 || res.status === 303) {
      const next = new URL(res.headers.get('location')!, s.orgUrl);
      if (next.origin !== s.orgUrl) break;
      res = await fetch(next, { redirect: 'manual', headers: { cookie: cookies } });
    }
    assert.equal(res.status, 200, 'consent page expected');
    assert.match(await res.text(), /openmetadata/i);

    app.settings.oauthClient.consent_method = 'TRUSTED';
    await client.applicationApi.replaceApplication({ appId, application: app });
    const skipped = await authorize({ scope: 'openid openmetadata' });
    assert.ok(skipped.get('code'));
  });
});
