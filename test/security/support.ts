/**
 * Shared harness of the attack probes under test/security: a real Gatehouse node on a free port with
 * a clock the test can move (and any extra environment), and helpers that drive the protocol the way
 * an attacker or the OpenID conformance suite would, over real HTTP only: sign in through the hosted
 * page, run /authorize, redeem codes, refresh, call userinfo.
 */
import assert from 'node:assert/strict';
import type { Container } from '../../src/container.js';
import type { User } from '../../src/domain/model.js';
import { authorizeWithSignIn, Browser, createUserWithPassword, readAuthorizationResponse, type Mode } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import { assign, basic, createApp, pkce, postForm, TestClock, type AppOptions, type Reply, type TestApp } from '../oauth/fixtures.js';

export const PASSWORD = 'Correct-Horse-Battery-9';

export interface SecurityServer {
  url: string;
  container: Container;
  clock: TestClock;
  close(): Promise<void>;
}

export async function startSecurityServer(env: Record<string, string> = {}): Promise<SecurityServer> {
  const clock = new TestClock();
  const s = await startTestServer(env, { clock });
  return { url: s.url, container: s.container, clock, close: () => s.close() };
}

/** A user with PASSWORD, assigned to every app given. */
export async function newUser(s: SecurityServer, apps: TestApp[] = [], login?: string): Promise<User> {
  const user = await createUserWithPassword(s.container, PASSWORD, login ? { login } : {});
  for (const app of apps) await assign(s.container, app, user);
  return user;
}

/** A confidential (or, with method 'none', public) app allowed the code and implicit flows. */
export async function newApp(s: SecurityServer, opts: AppOptions & { responseTypes?: string[]; postLogoutRedirectUris?: string[] } = {}): Promise<TestApp> {
  const app = await createApp(s.container, { grantTypes: ['authorization_code', 'refresh_token', 'implicit'], ...opts });
  const oauth = app.app.body.settings.oauthClient;
  oauth.response_types = opts.responseTypes ?? ['code', 'token', 'id_token'];
  oauth.post_logout_redirect_uris = opts.postLogoutRedirectUris ?? [];
  await s.container.store.apps.update(app.app);
  s.container.cache.invalidateClient(app.clientId);
  return app;
}

export function authorizePath(params: Record<string, string>, server = 'default'): string {
  const prefix = server === 'org' ? '/oauth2/v1' : `/oauth2/${server}/v1`;
  return `${prefix}/authorize?${new URLSearchParams(params)}`;
}

export function issuerOf(s: SecurityServer, server = 'default'): string {
  return server === 'org' ? s.url : `${s.url}/oauth2/${server}`;
}

export function tokenUrl(s: SecurityServer, server = 'default'): string {
  return `${s.url}${server === 'org' ? '/oauth2/v1' : `/oauth2/${server}/v1`}/token`;
}

/** The standard parameters of a code request for `app`. */
export function codeRequest(app: TestApp, extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: app.clientId, redirect_uri: app.redirectUri, response_type: 'code',
    scope: 'openid profile email offline_access', state: 'st-1', nonce: 'n-1', ...extra,
  };
}

/** A browser signed in as `user` (through /authorize of `app` and the hosted sign-in page). */
export async function signedInBrowser(s: SecurityServer, app: TestApp, user: User): Promise<Browser> {
  const b = new Browser(s.url);
  const res = await authorizeWithSignIn(b, authorizePath(codeRequest(app)), user.profile.login, PASSWORD);
  assert.equal(res.status, 302, await res.text());
  return b;
}

/** Runs /authorize in a signed-in browser and returns the authorization response parameters. */
export async function authorize(b: Browser, params: Record<string, string>, server = 'default', mode: Mode = 'query'): Promise<Record<string, string>> {
  return readAuthorizationResponse(await b.get(authorizePath(params, server)), mode);
}

/** Client authentication for the token-side endpoints: Basic for secret apps, client_id for public ones. */
export function clientAuth(app: TestApp): { params: Record<string, string>; headers: Record<string, string> } {
  return app.secret === undefined
    ? { params: { client_id: app.clientId }, headers: {} }
    : { params: {}, headers: { authorization: basic(app.clientId, app.secret) } };
}

export function postToken(s: SecurityServer, app: TestApp, params: Record<string, string>, server = 'default'): Promise<Reply> {
  const auth = clientAuth(app);
  return postForm(tokenUrl(s, server), { ...auth.params, ...params }, auth.headers);
}

/** A code from a signed-in browser, with a PKCE pair (the verifier is returned to redeem it). */
export async function getCode(b: Browser, app: TestApp, extra: Record<string, string> = {}, server = 'default'): Promise<{ code: string; verifier: string }> {
  const pair = pkce();
  const p = await authorize(b, codeRequest(app, { code_challenge: pair.challenge, code_challenge_method: 'S256', ...extra }), server);
  assert.ok(p.code, JSON.stringify(p));
  return { code: p.code, verifier: pair.verifier };
}

export function redeem(s: SecurityServer, app: TestApp, code: string, verifier: string, extra: Record<string, string> = {}, server = 'default'): Promise<Reply> {
  return postToken(s, app, { grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, code_verifier: verifier, ...extra }, server);
}

/** Tokens from a full code flow (code, then the token endpoint). */
export async function codeFlowTokens(s: SecurityServer, b: Browser, app: TestApp, server = 'default'): Promise<Record<string, any>> {
  const { code, verifier } = await getCode(b, app, {}, server);
  const res = await redeem(s, app, code, verifier, {}, server);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

export async function userinfo(s: SecurityServer, accessToken: string, server = 'default'): Promise<Reply> {
  const prefix = server === 'org' ? '/oauth2/v1' : `/oauth2/${server}/v1`;
  const res = await fetch(`${s.url}${prefix}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  const text = await res.text();
  let body: unknown = text;
  try { body = text ? JSON.parse(text) : undefined; } catch { /* HTML or empty */ }
  return { status: res.status, headers: res.headers, body, text };
}

/** True when the response sends the browser (or a form, or a message) anywhere but an error page. */
export function redirects(res: Response): boolean {
  return res.headers.get('location') !== null;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export { basic, pkce, postForm, type Reply, type TestApp };
