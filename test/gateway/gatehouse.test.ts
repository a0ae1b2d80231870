/**
 * The gateway against a real Gatehouse (startServer): an app integration with the seed's redirect
 * URIs on the `default` authorization server, a user signing in on Gatehouse's hosted page, refresh,
 * and a sign-out that ends the Gatehouse session too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { formFields } from '../support/browser.js';
import { json, startTestServer, type TestServer } from '../support/server.js';
import { Browser, type BrowserResponse } from './support/browser.js';
import { freePort } from './support/net.js';
import { testLog } from './support/stack.js';
import { startUpstream, type Echo, type Upstream } from './support/upstream.js';

const LOGIN = 'grace.hopper@example.com';
const PASSWORD = 'Correct-Horse-9';

describe('gateway in front of an app, signing in at Gatehouse', () => {
  let server: TestServer;
  let upstream: Upstream;
  let gw: RunningGateway;
  let publicUrl: string;

  before(async () => {
    server = await startTestServer();
    upstream = await startUpstream();
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    const created = await server.api('/api/v1/apps', {
      method: 'POST',
      body: JSON.stringify({
        name: 'oidc_client',
        label: 'OpenMetadata',
        signOnMode: 'OPENID_CONNECT',
        credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
        settings: {
          oauthClient: {
            application_type: 'web',
            redirect_uris: [`${publicUrl}/callback`, `${publicUrl}/silent-callback`],
            post_logout_redirect_uris: [`${publicUrl}/`],
            response_types: ['code'],
            grant_types: ['authorization_code', 'refresh_token'],
            refresh_token: { rotation_type: 'ROTATE', leeway: 0 },
          },
        },
      }),
    });
    assert.equal(created.status, 200, await created.clone().text());
    const app = await json(created);
    const user = await server.api('/api/v1/users?activate=true', {
      method: 'POST',
      body: JSON.stringify({ profile: { login: LOGIN, email: LOGIN, firstName: 'Grace', lastName: 'Hopper' }, credentials: { password: { value: PASSWORD } } }),
    });
    assert.equal(user.status, 200, await user.clone().text());
    const assign = await server.api(`/api/v1/apps/${app.id}/users`, { method: 'POST', body: JSON.stringify({ id: (await json(user)).id, scope: 'USER' }) });
    assert.equal(assign.status, 200, await assign.clone().text());

    const issuer = `${server.orgUrl}/oauth2/default`;
    gw = await startGateway({
      AUTHENTICATION_PROVIDER: 'okta',
      AUTHENTICATION_CLIENT_TYPE: 'confidential',
      AUTHENTICATION_AUTHORITY: issuer,
      AUTHENTICATION_PUBLIC_KEYS: `[${issuer}/v1/keys, ${publicUrl}/api/v1/system/config/jwks]`,
      OIDC_TYPE: 'okta',
      OIDC_CLIENT_ID: app.credentials.oauthClient.client_id,
      OIDC_CLIENT_SECRET: app.credentials.oauthClient.client_secret,
      OIDC_DISCOVERY_URI: `${issuer}/.well-known/openid-configuration`,
      OIDC_CLIENT_AUTH_METHOD: 'client_secret_basic',
      OIDC_SCOPE: 'openid email profile offline_access',
      OIDC_SERVER_URL: publicUrl,
      OIDC_CALLBACK: `${publicUrl}/callback`,
      GATEWAY_UPSTREAM_URL: upstream.url,
      GATEWAY_PORT: String(port),
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_SESSION_STORE: server.container.config.database.kind === 'postgres'
        ? (server.container.config.database as { connectionString: string }).connectionString
        : `sqlite:${(server.container.config.database as { filename: string }).filename}.gateway`,
    }, { log: testLog() });
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
    await server?.close();
  });

  /** Follows redirects; on Gatehouse's sign-in page, fills in the form like a person would. */
  async function visit(b: Browser, url: string): Promise<{ final: BrowserResponse; askedForPassword: boolean }> {
    let r = await b.follow(url);
    let askedForPassword = false;
    if (r.status === 200 && new URL(r.chain.at(-1)!.url).origin === server.orgUrl && /type="password"/.test(r.body)) {
      askedForPassword = true;
      const action = /<form[^>]*action="([^"]*)"/.exec(r.body)![1]!.replace(/&amp;/g, '&');
      const fields = formFields(r.body);
      const userField = Object.keys(fields).find((k) => /user|login/i.test(k)) ?? 'username';
      const target = new URL(action, r.chain.at(-1)!.url).toString();
      const posted = await b.request(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.orgUrl },
        body: new URLSearchParams({ ...fields, [userField]: LOGIN, password: PASSWORD }).toString(),
      });
      assert.ok(posted.status >= 300 && posted.status < 400, `sign-in form: ${posted.status} ${posted.body.slice(0, 300)}`);
      r = await b.follow(new URL(posted.headers.get('location')!, target).toString());
    }
    return { final: r, askedForPassword };
  }

  it('signs in on the hosted page, refreshes, and signs out of Gatehouse too', async () => {
    const b = new Browser();
    const first = await visit(b, `${publicUrl}/dashboard`);
    assert.ok(first.askedForPassword);
    assert.equal(first.final.status, 200, first.final.body.slice(0, 500));
    const echo = JSON.parse(first.final.body) as Echo;
    assert.equal(echo.url, '/dashboard');
    assert.equal(echo.headers['x-auth-request-email'], LOGIN);
    assert.equal(echo.headers['x-auth-request-user'], 'grace.hopper');

    b.accept = 'application/json';
    const before = (await gw.gateway.sessions.get(`session:${(await import('../../src/gateway/sessions.js')).hashSecret(b.cookies(publicUrl).get('gatehouse_session')!)}`))!.value;
    assert.ok(before.refreshToken, 'offline_access gave a refresh token');
    for (let i = 0; i < 2; i++) {
      const r = await b.request(`${publicUrl}/api/v1/auth/refresh`);
      assert.equal(r.status, 200, r.body);
      assert.equal(JSON.parse(r.body).accessToken.split('.').length, 3);
    }

    b.accept = 'text/html';
    const out = await b.request(`${publicUrl}/api/v1/auth/logout`);
    const endSession = new URL(out.headers.get('location')!);
    assert.equal(`${endSession.origin}${endSession.pathname}`, `${server.orgUrl}/oauth2/default/v1/logout`);
    const back = await b.follow(endSession.toString(), (next) => next.origin === publicUrl);
    assert.equal(new URL(back.headers.get('location')!, back.chain.at(-1)!.url).toString().split('?')[0], `${publicUrl}/`);

    const again = await visit(b, `${publicUrl}/dashboard`);
    assert.ok(again.askedForPassword, 'the Gatehouse session ended too: the next visit asks for the password');
    assert.equal(again.final.status, 200);
  });
});
