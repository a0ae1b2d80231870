/**
 * POST /api/v1/authn and /login/sessionCookieRedirect over real HTTP: Okta's SUCCESS, LOCKED_OUT and
 * PASSWORD_EXPIRED shapes, E0000004 for every credential failure, E0000003 / E0000001 for bad bodies,
 * and the one-time sessionToken exchanged for a session cookie without an open redirect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App, User } from '../../src/domain/model.js';
import { assignUser, Browser, createOidcApp, createUserWithPassword, pageSecurityProblems, setCookies } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'Authn-Passw0rd!';

let s: TestServer;
let user: User;
let app: App;

before(async () => {
  s = await startTestServer({ GATEHOUSE_LOCKOUT_THRESHOLD: '2' });
  user = await createUserWithPassword(s.container, PASSWORD, { login: 'linus@example.com', firstName: 'Linus', lastName: 'T' });
  app = await createOidcApp(s.container, { redirectUris: ['https://spa.example.net/login/callback'] });
  await assignUser(s.container, app, user);
});
after(() => s.close());

async function authn(body: unknown, raw?: string): Promise<{ status: number; body: any; res: Response }> {
  const res = await fetch(`${s.orgUrl}/api/v1/authn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, res };
}

function assertOktaError(r: { status: number; body: any }, status: number, code: string, summary: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.errorCode, code);
  assert.equal(r.body.errorSummary, summary);
  assert.equal(r.body.errorLink, code);
  assert.match(r.body.errorId, /^oae/);
  assert.ok(Array.isArray(r.body.errorCauses));
}

describe('POST /api/v1/authn', () => {
  it('SUCCESS carries a sessionToken, the user and Okta links', async () => {
    const r = await authn({ username: user.profile.login, password: PASSWORD, options: { multiOptionalFactorEnroll: false, warnBeforePasswordExpired: false } });
    assert.equal(r.status, 200);
    assert.equal(r.res.headers.get('cache-control'), 'no-store');
    assert.equal(r.body.status, 'SUCCESS');
    assert.match(r.body.sessionToken, /^[A-Za-z0-9_-]{43}$/);
    const expires = Date.parse(r.body.expiresAt);
    assert.ok(expires > Date.now() + 240_000 && expires <= Date.now() + 300_000);
    assert.deepEqual(r.body._embedded.user, {
      id: user.id,
      passwordChanged: new Date(user.passwordChanged!).toISOString(),
      profile: { login: 'linus@example.com', firstName: 'Linus', lastName: 'T', locale: 'en_US', timeZone: 'America/Los_Angeles' },
    });
    assert.deepEqual(r.body._links.cancel, { href: `${s.orgUrl}/api/v1/authn/cancel`, hints: { allow: ['POST'] } });
  });

  it('bad credentials and unknown users are 401 E0000004 with empty causes', async () => {
    for (const body of [{ username: user.profile.login, password: 'nope' }, { username: 'ghost@example.com', password: 'nope' }]) {
      const r = await authn(body);
      assertOktaError(r, 401, 'E0000004', 'Authentication failed');
      assert.deepEqual(r.body.errorCauses, []);
    }
    await s.container.store.users.recordSuccessfulLogin(user.id, Date.now());
  });

  it('a locked-out user gets the LOCKED_OUT state', async () => {
    const victim = await createUserWithPassword(s.container, PASSWORD);
    assertOktaError(await authn({ username: victim.profile.login, password: 'x' }), 401, 'E0000004', 'Authentication failed');
    const locking = await authn({ username: victim.profile.login, password: 'x' });
    assert.equal(locking.status, 200);
    assert.equal(locking.body.status, 'LOCKED_OUT');
    const r = await authn({ username: victim.profile.login, password: PASSWORD });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'LOCKED_OUT');
    // Self-service unlock is not offered: no stateToken, no sessionToken, no link to a recovery endpoint.
    assert.deepEqual(r.body, { status: 'LOCKED_OUT' });
  });

  it('an expired password gets the PASSWORD_EXPIRED state with a stateToken, not a session', async () => {
    const expired = await createUserWithPassword(s.container, PASSWORD, { status: 'PASSWORD_EXPIRED' });
    const r = await authn({ username: expired.profile.login, password: PASSWORD });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'PASSWORD_EXPIRED');
    assert.ok(r.body.stateToken);
    assert.equal(r.body.sessionToken, undefined);
    assert.equal(r.body._embedded.user.id, expired.id);
    assert.equal(r.body._links.next.name, 'changePassword');
    assertOktaError(await authn({ username: expired.profile.login, password: 'wrong' }), 401, 'E0000004', 'Authentication failed');
  });

  it('other statuses fail like bad credentials', async () => {
    for (const status of ['SUSPENDED', 'DEPROVISIONED', 'STAGED'] as const) {
      const u = await createUserWithPassword(s.container, PASSWORD, { status });
      assertOktaError(await authn({ username: u.profile.login, password: PASSWORD }), 401, 'E0000004', 'Authentication failed');
    }
  });

  it('malformed bodies are E0000003, missing fields E0000001', async () => {
    assertOktaError(await authn(undefined, '{"username":'), 400, 'E0000003', 'The request body was not well-formed.');
    assertOktaError(await authn(undefined, '[1,2]'), 400, 'E0000003', 'The request body was not well-formed.');
    assertOktaError(await authn(undefined, '"text"'), 400, 'E0000003', 'The request body was not well-formed.');
    const noPassword = await authn({ username: user.profile.login });
    assertOktaError(noPassword, 400, 'E0000001', 'Api validation failed: password');
    assert.deepEqual(noPassword.body.errorCauses, [{ errorSummary: 'password: The field cannot be left blank.' }]);
    assertOktaError(await authn({ password: 'x' }), 400, 'E0000001', 'Api validation failed: username');
    assertOktaError(await authn({ username: 42, password: ['x'] }), 400, 'E0000001', 'Api validation failed: username');
    const empty = await fetch(`${s.orgUrl}/api/v1/authn`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    assert.equal(empty.status, 400);
    const form = await fetch(`${s.orgUrl}/api/v1/authn`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(form.status, 400);
    assert.equal(((await form.json()) as { errorCode: string }).errorCode, 'E0000003');
  });
});

describe('/login/sessionCookieRedirect', () => {
  async function token(): Promise<string> {
    return (await authn({ username: user.profile.login, password: PASSWORD })).body.sessionToken as string;
  }

  const redirect = (b: Browser, t: string, to: string) =>
    b.get(`/login/sessionCookieRedirect?${new URLSearchParams({ token: t, redirectUrl: to, checkAccountSetupComplete: 'true' })}`);

  it('sets the session cookie and redirects to a registered redirect URI', async () => {
    const b = new Browser(s.orgUrl);
    const res = await redirect(b, await token(), 'https://spa.example.net/login/callback');
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), 'https://spa.example.net/login/callback');
    const sid = setCookies(res).find((c) => c.name === 'sid')!;
    assert.ok(sid.attributes.includes('HttpOnly'));
    const me = (await (await b.get('/api/v1/sessions/me')).json()) as { userId: string };
    assert.equal(me.userId, user.id);
  });

  it('redirects on this origin (an /authorize URL, a relative path)', async () => {
    const b = new Browser(s.orgUrl);
    const authorize = `${s.orgUrl}/oauth2/v1/authorize?client_id=${app.clientId}`;
    assert.equal((await redirect(b, await token(), authorize)).headers.get('location'), authorize);
    assert.equal((await redirect(b, await token(), '/oauth2/v1/authorize?x=1')).headers.get('location'), `${s.orgUrl}/oauth2/v1/authorize?x=1`);
  });

  it('never redirects anywhere else, and keeps the token unspent', async () => {
    const t = await token();
    for (const to of [
      'https://evil.example/', '//evil.example/x', '/\\evil.example', 'https://spa.example.net/login/callback/',
      'https://spa.example.net/login/callback?x=1', 'javascript:alert(1)', `${s.orgUrl.replace('http://', 'http://user@')}/x`, '',
    ]) {
      const b = new Browser(s.orgUrl);
      const res = await redirect(b, t, to);
      assert.equal(res.status, 400, to);
      assert.equal(res.headers.get('location'), null, to);
      assert.equal(b.jar.get('sid'), undefined);
      assert.deepEqual(pageSecurityProblems(res), []);
    }
    const b = new Browser(s.orgUrl);
    assert.equal((await redirect(b, t, 'https://spa.example.net/login/callback')).status, 302);
  });

  it('a token works once', async () => {
    const t = await token();
    assert.equal((await redirect(new Browser(s.orgUrl), t, '/')).status, 302);
    const again = new Browser(s.orgUrl);
    const res = await redirect(again, t, '/');
    assert.equal(res.status, 400);
    assert.ok((await res.text()).includes('The session token is invalid or has expired.'));
    assert.equal(again.jar.get('sid'), undefined);
    assert.equal((await redirect(again, 'not-a-token', '/')).status, 400);
  });
});
