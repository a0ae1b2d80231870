/**
 * Helpers for tests that set an org up through the management API (as an administrator would) and
 * then drive the protocol over HTTP: users, groups, apps and assignments by /api/v1, a browser signed
 * in on the hosted page, the code flow, token requests and JWT payloads.
 */
import assert from 'node:assert/strict';
import { Browser, formFields, responseParams } from './browser.js';
import { json, type TestServer } from './server.js';

export const PASSWORD = 'Correct-Horse-9';

export interface ApiApp {
  id: string;
  clientId: string;
  secret: string;
  redirectUri: string;
}

/** POSTs (or PUTs…) JSON through the API and returns the parsed body, asserting the status. */
export async function apiCall(s: TestServer, method: string, path: string, body?: unknown, status = 200): Promise<any> {
  const res = await s.api(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  assert.equal(res.status, status, `${method} ${path}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export async function apiUser(s: TestServer, login: string, profile: Record<string, unknown> = {}): Promise<{ id: string; login: string }> {
  const user = await apiCall(s, 'POST', '/api/v1/users?activate=true', {
    profile: { login, email: login, firstName: 'Test', lastName: 'User', ...profile },
    credentials: { password: { value: PASSWORD } },
  });
  return { id: user.id, login };
}

export async function apiGroup(s: TestServer, name: string, members: string[] = []): Promise<string> {
  const group = await apiCall(s, 'POST', '/api/v1/groups', { profile: { name } });
  for (const userId of members) await apiCall(s, 'PUT', `/api/v1/groups/${group.id}/users/${userId}`, undefined, 204);
  return group.id;
}

export interface AppSettings {
  label?: string;
  grantTypes?: string[];
  responseTypes?: string[];
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  oauthClient?: Record<string, unknown>;
  /** Users to assign directly. */
  assign?: string[];
}

/** A confidential web app (client_secret_basic) created through the API. */
export async function apiApp(s: TestServer, o: AppSettings = {}): Promise<ApiApp> {
  const redirectUris = o.redirectUris ?? ['https://app.example.com/callback'];
  const app = await apiCall(s, 'POST', '/api/v1/apps', {
    name: 'oidc_client',
    label: o.label ?? 'Settings test app',
    signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
    settings: {
      oauthClient: {
        application_type: 'web',
        redirect_uris: redirectUris,
        post_logout_redirect_uris: o.postLogoutRedirectUris ?? [],
        response_types: o.responseTypes ?? ['code'],
        grant_types: o.grantTypes ?? ['authorization_code', 'refresh_token'],
        ...o.oauthClient,
      },
    },
  });
  for (const userId of o.assign ?? []) await apiCall(s, 'POST', `/api/v1/apps/${app.id}/users`, { id: userId, scope: 'USER' });
  return { id: app.id, clientId: app.credentials.oauthClient.client_id, secret: app.credentials.oauthClient.client_secret, redirectUri: redirectUris[0]! };
}

/** A browser signed in as `login` on the hosted page (no authorize request involved). */
export async function signedInBrowser(s: TestServer, login: string): Promise<Browser> {
  const b = new Browser(s.orgUrl);
  const page = await b.get('/login/login.htm');
  const posted = await b.postForm('/login/login.htm', { ...formFields(await page.text()), username: login, password: PASSWORD });
  assert.equal(posted.status, 200, await posted.text());
  assert.ok(b.jar.get('sid'), 'signed in');
  return b;
}

export function authorizePath(params: Record<string, string>, server = 'default'): string {
  const prefix = server === 'org' ? '/oauth2/v1' : `/oauth2/${server}/v1`;
  return `${prefix}/authorize?${new URLSearchParams(params)}`;
}

export function tokenUrl(s: TestServer, server = 'default'): string {
  return server === 'org' ? `${s.orgUrl}/oauth2/v1/token` : `${s.orgUrl}/oauth2/${server}/v1/token`;
}

export function basicAuth(app: ApiApp): string {
  return `Basic ${Buffer.from(`${app.clientId}:${app.secret}`).toString('base64')}`;
}

/** POST /token with the app's client_secret_basic; returns status and JSON body. */
export async function tokenRequest(s: TestServer, app: ApiApp, form: Record<string, string>, server = 'default', base = s.orgUrl): Promise<{ status: number; body: any }> {
  const url = tokenUrl(s, server).replace(s.orgUrl, base);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(app) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await json(res) };
}

/** /authorize with response_type=code for a signed-in browser, then the code exchange. */
export async function codeFlow(
  s: TestServer, b: Browser, app: ApiApp, params: Record<string, string> = {}, server = 'default',
): Promise<{ status: number; body: any }> {
  const res = await b.get(authorizePath({
    client_id: app.clientId, redirect_uri: app.redirectUri, response_type: 'code', scope: 'openid profile email', state: 'st', nonce: 'n-1', ...params,
  }, server));
  assert.equal(res.status, 302, await res.text());
  const p = responseParams(res.headers.get('location')!, 'query');
  assert.ok(p.code, `a code: ${JSON.stringify(p)}`);
  return tokenRequest(s, app, { grant_type: 'authorization_code', code: p.code!, redirect_uri: params.redirect_uri ?? app.redirectUri }, server);
}

export function claimsOf(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}

export async function userinfo(s: TestServer, accessToken: string, server = 'default'): Promise<{ status: number; body: any }> {
  const url = server === 'org' ? `${s.orgUrl}/oauth2/v1/userinfo` : `${s.orgUrl}/oauth2/${server}/v1/userinfo`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
  return { status: res.status, body: await json(res) };
}
