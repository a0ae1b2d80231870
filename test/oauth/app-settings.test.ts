/**
 * App settings that change what the protocol does, set through the apps API and checked over real
 * HTTP: `issuer_mode` (the `iss` of the app's ID tokens on the org server, never on custom servers),
 * `wildcard_redirect: SUBDOMAIN` (Login and Logout redirect URIs, the sign-in page's form-action,
 * CORS), and the implicit grant's allowed token types (`response_types`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser, createOidcApp, formFields, pageSecurityProblems, responseParams } from '../support/browser.js';
import {
  apiApp, apiCall, apiUser, authorizePath, claimsOf, codeFlow, PASSWORD, signedInBrowser, tokenRequest, type ApiApp,
} from '../support/oidc-admin.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let user: { id: string; login: string };
/** The same node reached by another host name: what DYNAMIC issuer modes answer with. */
let local: string;

before(async () => {
  s = await startTestServer();
  local = `http://localhost:${new URL(s.orgUrl).port}`;
  user = await apiUser(s, 'katherine@example.com', { firstName: 'Katherine', lastName: 'Johnson' });
});
after(() => s.close());

async function browserOn(origin: string): Promise<Browser> {
  const b = await signedInBrowser(s, user.login);
  const other = new Browser(origin);
  for (const [k, v] of b.jar) other.jar.set(k, v);
  return other;
}

describe('issuer_mode', () => {
  const apps: Record<string, ApiApp> = {};
  let onLocal: Browser;
  let onOrg: Browser;

  before(async () => {
    for (const mode of ['ORG_URL', 'DYNAMIC', 'CUSTOM_URL']) {
      apps[mode] = await apiApp(s, {
        label: `Issuer ${mode}`,
        grantTypes: ['authorization_code', 'refresh_token', 'implicit'],
        responseTypes: ['code', 'id_token', 'token'],
        postLogoutRedirectUris: ['https://app.example.com/bye'],
        oauthClient: { issuer_mode: mode },
        assign: [user.id],
      });
    }
    onLocal = await browserOn(local);
    onOrg = await browserOn(s.orgUrl);
  });

  it('org server: ORG_URL and CUSTOM_URL answer with the org URL, DYNAMIC with the host the request came in on', async () => {
    const expected: Record<string, string> = { ORG_URL: s.orgUrl, CUSTOM_URL: s.orgUrl, DYNAMIC: local };
    for (const [mode, iss] of Object.entries(expected)) {
      const { status, body } = await codeFlow(s, onLocal, apps[mode]!, { scope: 'openid profile offline_access' }, 'org');
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(claimsOf(body.id_token).iss, iss, `${mode}: ID token iss`);
      assert.equal(claimsOf(body.access_token).iss, s.orgUrl, `${mode}: the access token keeps the server's issuer`);

      // A refresh (here on the org URL) keeps the issuer the app got at /authorize.
      const refreshed = await tokenRequest(s, apps[mode]!, { grant_type: 'refresh_token', refresh_token: body.refresh_token }, 'org');
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      assert.equal(claimsOf(refreshed.body.id_token).iss, iss, `${mode}: refreshed ID token iss`);
    }
    const onOrgHost = await codeFlow(s, onOrg, apps.DYNAMIC!, {}, 'org');
    assert.equal(claimsOf(onOrgHost.body.id_token).iss, s.orgUrl, 'DYNAMIC on the org host is the org URL');
  });

  it('org server: ID tokens from /authorize follow the app too, and come back as id_token_hint', async () => {
    const res = await onLocal.get(authorizePath({
      client_id: apps.DYNAMIC!.clientId, redirect_uri: apps.DYNAMIC!.redirectUri, response_type: 'id_token', scope: 'openid', state: 's', nonce: 'n',
    }, 'org'));
    assert.equal(res.status, 302, await res.text());
    const idToken = responseParams(res.headers.get('location')!, 'fragment').id_token!;
    assert.equal(claimsOf(idToken).iss, local);
    const fixed = await onLocal.get(authorizePath({
      client_id: apps.ORG_URL!.clientId, redirect_uri: apps.ORG_URL!.redirectUri, response_type: 'id_token', scope: 'openid', state: 's', nonce: 'n',
    }, 'org'));
    assert.equal(claimsOf(responseParams(fixed.headers.get('location')!, 'fragment').id_token!).iss, s.orgUrl);

    // The DYNAMIC token identifies the user at /authorize and at /logout on the host it names.
    const hinted = await onLocal.get(authorizePath({
      client_id: apps.DYNAMIC!.clientId, redirect_uri: apps.DYNAMIC!.redirectUri, response_type: 'code', scope: 'openid', state: 's',
      prompt: 'none', id_token_hint: idToken,
    }, 'org'));
    assert.equal(hinted.status, 302);
    assert.ok(responseParams(hinted.headers.get('location')!, 'query').code, hinted.headers.get('location')!);
    const logout = await onLocal.get(`/oauth2/v1/logout?${new URLSearchParams({
      id_token_hint: idToken, post_logout_redirect_uri: 'https://app.example.com/bye', state: 'bye',
    })}`);
    assert.equal(logout.status, 302, await logout.text());
    assert.equal(logout.headers.get('location'), 'https://app.example.com/bye?state=bye');
  });

  it("custom servers: the server's issuerMode decides, not the app's", async () => {
    const b = await browserOn(local);
    for (const mode of ['ORG_URL', 'DYNAMIC']) {
      const { body } = await codeFlow(s, b, apps[mode]!, {}, 'default');
      assert.equal(claimsOf(body.id_token).iss, `${s.orgUrl}/oauth2/default`, `${mode} app on an ORG_URL server`);
    }
    const server = await apiCall(s, 'GET', '/api/v1/authorizationServers/default');
    await apiCall(s, 'PUT', '/api/v1/authorizationServers/default', {
      name: server.name, description: server.description, audiences: server.audiences, issuerMode: 'DYNAMIC',
    });
    try {
      const { body } = await codeFlow(s, b, apps.ORG_URL!, {}, 'default');
      // The token request went to the org URL, the ID token is minted there: the server's issuer on that host.
      assert.equal(claimsOf(body.id_token).iss, `${s.orgUrl}/oauth2/default`);
      const res = await b.get(authorizePath({
        client_id: apps.ORG_URL!.clientId, redirect_uri: apps.ORG_URL!.redirectUri, response_type: 'id_token token', scope: 'openid', state: 's', nonce: 'n',
      }));
      const p = responseParams(res.headers.get('location')!, 'fragment');
      assert.equal(claimsOf(p.id_token!).iss, `${local}/oauth2/default`, 'a DYNAMIC server on the host of the request');
      assert.equal(claimsOf(p.access_token!).iss, `${local}/oauth2/default`);
    } finally {
      await apiCall(s, 'PUT', '/api/v1/authorizationServers/default', {
        name: server.name, description: server.description, audiences: server.audiences, issuerMode: 'ORG_URL',
      });
    }
  });
});

describe('wildcard_redirect SUBDOMAIN', () => {
  let app: ApiApp;
  let b: Browser;
  const request = (redirectUri: string, extra: Record<string, string> = {}) => authorizePath({
    client_id: app.clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 'st', ...extra,
  });

  before(async () => {
    app = await apiApp(s, {
      label: 'Tenants',
      redirectUris: ['https://*.example.com/callback', 'https://app-*.tenants.example.org/cb'],
      postLogoutRedirectUris: ['https://*.example.com/signed-out'],
      oauthClient: { wildcard_redirect: 'SUBDOMAIN' },
      assign: [user.id],
    });
    b = await browserOn(s.orgUrl);
  });

  async function expectAccepted(uri: string): Promise<string> {
    const res = await b.get(request(uri));
    assert.equal(res.status, 302, `${uri}: ${await res.text()}`);
    const location = res.headers.get('location')!;
    assert.ok(location.startsWith(`${uri}?`), location);
    return responseParams(location, 'query').code!;
  }

  async function expectRefused(uri: string): Promise<void> {
    const res = await b.get(request(uri));
    const html = await res.text();
    assert.equal(res.status, 400, `${uri} must be refused`);
    assert.equal(res.headers.get('location'), null);
    assert.ok(html.includes('redirect_uri'), html);
  }

  it('matches one subdomain label where the * is, and nothing else', async () => {
    const code = await expectAccepted('https://acme.example.com/callback');
    await expectAccepted('https://acme-2.example.com/callback');
    await expectAccepted('https://app-42.tenants.example.org/cb');
    for (const uri of [
      'https://a.b.example.com/callback', 'https://example.com/callback', 'https://.example.com/callback',
      'https://acme.example.com/callback/more', 'https://acme.example.com/callback?x=1', 'https://acme.example.com/Callback',
      'https://acme.example.com.evil.com/callback', 'https://acme.example.com@evil.com/callback', 'https://evil.com/.example.com/callback',
      'http://acme.example.com/callback', 'https://acme.example.com:8443/callback', 'https://acme_x.example.com/callback',
      'https://*.example.com/callback', 'https://x.tenants.example.org/cb', 'https://app-.tenants.example.org/cb',
    ]) await expectRefused(uri);

    const mismatch = await tokenRequest(s, app, { grant_type: 'authorization_code', code, redirect_uri: 'https://other.example.com/callback' });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.body.error, 'invalid_grant');
    const exchanged = await tokenRequest(s, app, { grant_type: 'authorization_code', code: await expectAccepted('https://acme.example.com/callback'), redirect_uri: 'https://acme.example.com/callback' });
    assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
  });

  it("is off unless the app says SUBDOMAIN: exact matching stays the default", async () => {
    const exact = await createOidcApp(s.container, { redirectUris: ['https://*.example.com/callback', 'https://app.example.com/callback'] });
    await apiCall(s, 'POST', `/api/v1/apps/${exact.id}/users`, { id: user.id, scope: 'USER' });
    const refused = await b.get(authorizePath({ client_id: exact.clientId, redirect_uri: 'https://acme.example.com/callback', response_type: 'code', scope: 'openid', state: 's' }));
    assert.equal(refused.status, 400);
    const subdomainOfExact = await b.get(authorizePath({ client_id: exact.clientId, redirect_uri: 'https://x.app.example.com/callback', response_type: 'code', scope: 'openid', state: 's' }));
    assert.equal(subdomainOfExact.status, 400);
    const ok = await b.get(authorizePath({ client_id: exact.clientId, redirect_uri: 'https://app.example.com/callback', response_type: 'code', scope: 'openid', state: 's' }));
    assert.equal(ok.status, 302);
  });

  it("the sign-in page's form-action admits the matched subdomain", async () => {
    const fresh = new Browser(s.orgUrl);
    const first = await fresh.get(request('https://acme.example.com/callback'));
    assert.equal(first.status, 303);
    const page = await fresh.get(first.headers.get('location')!);
    assert.deepEqual(pageSecurityProblems(page), []);
    assert.match(page.headers.get('content-security-policy')!, /form-action 'self' https:\/\/acme\.example\.com(;|$)/);
    const posted = await fresh.postForm('/login/login.htm', { ...formFields(await page.text()), username: user.login, password: PASSWORD });
    const back = await fresh.follow(posted);
    assert.equal(back.status, 302);
    assert.ok(back.headers.get('location')!.startsWith('https://acme.example.com/callback?code='));
  });

  it('logout redirects to a matching Logout redirect URI only', async () => {
    const { body } = await codeFlow(s, b, app, { redirect_uri: 'https://acme.example.com/callback', scope: 'openid' });
    const logout = (uri: string) => new Browser(s.orgUrl).get(`/oauth2/default/v1/logout?${new URLSearchParams({
      id_token_hint: body.id_token, post_logout_redirect_uri: uri, state: 'bye',
    })}`);
    const ok = await logout('https://tenant-9.example.com/signed-out');
    assert.equal(ok.status, 302, await ok.text());
    assert.equal(ok.headers.get('location'), 'https://tenant-9.example.com/signed-out?state=bye');
    for (const uri of ['https://a.b.example.com/signed-out', 'https://tenant.example.com/callback', 'https://tenant.example.com.evil.com/signed-out']) {
      const refused = await logout(uri);
      assert.equal(refused.status, 400, uri);
      assert.equal(refused.headers.get('location'), null);
    }
  });

  it('CORS on the OAuth endpoints admits the same subdomains', async () => {
    const allowed = await fetch(`${s.orgUrl}/oauth2/default/v1/keys`, { headers: { origin: 'https://acme.example.com' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://acme.example.com');
    const refused = await fetch(`${s.orgUrl}/oauth2/default/v1/keys`, { headers: { origin: 'https://a.b.example.com' } });
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
  });
});

describe('implicit (hybrid): response_types decide which tokens /authorize returns', () => {
  let b: Browser;
  const get = (app: ApiApp | { clientId: string; redirectUri: string }, responseType: string) => b.get(authorizePath({
    client_id: app.clientId, redirect_uri: app.redirectUri, response_type: responseType, scope: 'openid', state: 'st', nonce: 'n',
  }));

  before(async () => {
    b = await browserOn(s.orgUrl);
  });

  async function tokensOf(res: Response): Promise<Record<string, string>> {
    assert.equal(res.status, 302, await res.text());
    return responseParams(res.headers.get('location')!, 'fragment');
  }

  async function refused(res: Response): Promise<void> {
    assert.equal(res.status, 302, await res.text());
    const p = responseParams(res.headers.get('location')!, 'fragment');
    assert.equal(p.error, 'unsupported_response_type', JSON.stringify(p));
    assert.equal(p.access_token, undefined);
    assert.equal(p.id_token, undefined);
    assert.equal(p.code, undefined);
  }

  it('ID token only', async () => {
    const app = await apiApp(s, { grantTypes: ['authorization_code', 'implicit'], responseTypes: ['code', 'id_token'], assign: [user.id] });
    const idOnly = await tokensOf(await get(app, 'id_token'));
    assert.ok(idOnly.id_token);
    assert.equal(idOnly.access_token, undefined);
    const hybrid = await tokensOf(await get(app, 'code id_token'));
    assert.ok(hybrid.code && hybrid.id_token);
    await refused(await get(app, 'token'));
    await refused(await get(app, 'id_token token'));
    await refused(await get(app, 'code token'));
  });

  it('access token only', async () => {
    const app = await apiApp(s, { grantTypes: ['authorization_code', 'implicit'], responseTypes: ['code', 'token'], assign: [user.id] });
    const tokenOnly = await tokensOf(await get(app, 'token'));
    assert.ok(tokenOnly.access_token);
    assert.equal(tokenOnly.id_token, undefined);
    assert.ok((await tokensOf(await get(app, 'code token'))).access_token);
    await refused(await get(app, 'id_token'));
    await refused(await get(app, 'id_token token'));
  });

  it('both, and neither without the implicit grant', async () => {
    const both = await apiApp(s, { grantTypes: ['authorization_code', 'implicit'], responseTypes: ['code', 'id_token', 'token'], assign: [user.id] });
    const p = await tokensOf(await get(both, 'id_token token'));
    assert.ok(p.id_token && p.access_token);
    assert.ok((await tokensOf(await get(both, 'code id_token token'))).code);
    const codeOnly = await apiApp(s, { grantTypes: ['authorization_code'], responseTypes: ['code'], assign: [user.id] });
    for (const type of ['id_token', 'token', 'id_token token']) await refused(await get(codeOnly, type));
  });

  it('the apps API refuses an implicit grant with no token type', async () => {
    const res = await s.api('/api/v1/apps', {
      method: 'POST',
      body: JSON.stringify({
        name: 'oidc_client', label: 'x', signOnMode: 'OPENID_CONNECT',
        credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
        settings: { oauthClient: { application_type: 'web', redirect_uris: ['https://x.example.com/cb'], response_types: ['code'], grant_types: ['authorization_code', 'implicit'] } },
      }),
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).errorCode, 'E0000001');
  });
});
