/**
 * The hosted sign-in page over real HTTP: the form and its headers, CSRF rejection, one generic
 * failure message, session cookie flags and renewal (no fixation), 303 back to /authorize, lockout
 * after N failures, and users who may not sign in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sha256 } from '../../src/crypto/ids.js';
import type { App, User } from '../../src/domain/model.js';
import {
  assignUser, Browser, createOidcApp, createUserWithPassword, formFields, pageSecurityProblems, responseParams, setCookies,
} from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'Sign-In-Passw0rd';
const CB = 'https://rp.example.org/cb';
const LOCKOUT = 3;

let s: TestServer;
let user: User;
let app: App;

before(async () => {
  s = await startTestServer({ GATEHOUSE_LOCKOUT_THRESHOLD: String(LOCKOUT) });
  user = await createUserWithPassword(s.container, PASSWORD, { login: 'grace@example.com' });
  app = await createOidcApp(s.container, { redirectUris: [CB] });
  await assignUser(s.container, app, user);
});
after(() => s.close());

function authorizePath(extra: Record<string, string> = {}): string {
  return `/oauth2/v1/authorize?${new URLSearchParams({
    client_id: app.clientId, redirect_uri: CB, response_type: 'code', scope: 'openid', state: 's1', ...extra,
  })}`;
}

/** Opens the sign-in page for an authorize request; returns its form fields. */
async function openSignIn(b: Browser, extra: Record<string, string> = {}): Promise<{ res: Response; html: string; fields: Record<string, string> }> {
  const start = await b.get(authorizePath(extra));
  assert.equal(start.status, 303);
  const res = await b.get(start.headers.get('location')!);
  const html = await res.text();
  return { res, html, fields: formFields(html) };
}

async function submit(b: Browser, fields: Record<string, string>, username: string, password: string, headers: Record<string, string> = {}) {
  return b.postForm('/login/login.htm', { ...fields, username, password }, headers);
}

describe('the sign-in page', () => {
  it('is an accessible form with strict headers and an anti-CSRF cookie', async () => {
    const b = new Browser(s.orgUrl);
    const { res, html, fields } = await openSignIn(b);
    assert.equal(res.status, 200);
    assert.deepEqual(pageSecurityProblems(res), []);
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<label for="username">/);
    assert.match(html, /<input type="text" id="username" name="username"[^>]*autocomplete="username"/);
    assert.match(html, /<label for="password">/);
    assert.match(html, /<input type="password" id="password" name="password"[^>]*autocomplete="current-password"/);
    assert.match(html, /<button type="submit">Sign in<\/button>/);
    assert.ok(fields.csrf && fields.tx);
    const csrf = setCookies(res).find((c) => c.name === 'gh_csrf')!;
    assert.equal(csrf.value, fields.csrf);
    assert.ok(csrf.attributes.includes('HttpOnly'));
    assert.ok(csrf.attributes.includes('SameSite=Lax'));
    assert.ok(csrf.attributes.includes('Path=/'));
    // The inline stylesheet is the one the CSP hash admits: no 'unsafe-inline' anywhere.
    assert.ok(!res.headers.get('content-security-policy')!.includes('unsafe'));
  });

  it('escapes a hostile login_hint', async () => {
    const b = new Browser(s.orgUrl);
    const { html } = await openSignIn(b, { login_hint: '"><script>alert(1)</script>' });
    assert.ok(!html.includes('<script>alert(1)'));
    assert.ok(html.includes('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'));
  });

  it('a tampered transaction is an error page', async () => {
    const b = new Browser(s.orgUrl);
    const res = await b.get('/login/login.htm?tx=v1.AAAA.BBBB.CCCC');
    assert.equal(res.status, 400);
    assert.deepEqual(pageSecurityProblems(res), []);
    assert.ok((await res.text()).includes('Request expired, please start over and try again.'));
  });

  it('without a transaction signs in and says so', async () => {
    const b = new Browser(s.orgUrl);
    const page = await b.get('/login/login.htm');
    const fields = formFields(await page.text());
    assert.equal(fields.tx, undefined);
    const res = await submit(b, fields, user.profile.login, PASSWORD);
    assert.equal(res.status, 200);
    assert.deepEqual(pageSecurityProblems(res), []);
    assert.ok((await res.text()).includes('You are signed in'));
    assert.ok(b.jar.get('sid'));
  });
});

describe('CSRF', () => {
  it('a POST without the token, with a wrong token, or from another origin is refused', async () => {
    const b = new Browser(s.orgUrl);
    const { fields } = await openSignIn(b);
    const attempts: [Record<string, string>, Record<string, string>][] = [
      [{ ...fields, csrf: '' }, {}],
      [{ ...fields, csrf: 'x'.repeat(43) }, {}],
      [fields, { origin: 'https://evil.example' }],
    ];
    for (const [form, headers] of attempts) {
      const res = await submit(b, form, user.profile.login, PASSWORD, headers);
      assert.equal(res.status, 403);
      assert.equal(res.headers.get('location'), null);
      assert.equal(b.jar.get('sid'), undefined);
      assert.deepEqual(pageSecurityProblems(res), []);
    }
    // Without the cookie (a cross-site POST) even the right form value fails.
    const res = await fetch(`${s.orgUrl}/login/login.htm`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, username: user.profile.login, password: PASSWORD }),
    });
    assert.equal(res.status, 403);
    // The same origin is welcome, and so is the `null` origin browsers send from a no-referrer page.
    const ok = await submit(b, fields, user.profile.login, PASSWORD, { origin: s.orgUrl });
    assert.equal(ok.status, 303);
    const opaque = await submit(b, fields, user.profile.login, PASSWORD, { origin: 'null' });
    assert.equal(opaque.status, 303);
  });
});

describe('signing in', () => {
  it('sets a Lax, HttpOnly session cookie and sends the browser back with 303', async () => {
    const b = new Browser(s.orgUrl);
    const { fields } = await openSignIn(b);
    const res = await submit(b, fields, user.profile.login, PASSWORD);
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location')!, /^\/oauth2\/v1\/authorize\?tx=/);
    const sid = setCookies(res).find((c) => c.name === 'sid')!;
    assert.match(sid.value, /^[A-Za-z0-9_-]{43}$/);
    for (const attr of ['HttpOnly', 'SameSite=Lax', 'Path=/']) assert.ok(sid.attributes.includes(attr), attr);
    assert.ok(!sid.attributes.includes('Secure'), 'no Secure over http');
    // Stored by hash only.
    const stored = await s.container.store.sessions.get(sha256(sid.value));
    assert.equal(stored?.userId, user.id);
    assert.equal(await s.container.store.sessions.get(sid.value), undefined);
    const final = await b.follow(res);
    assert.equal(final.status, 302);
    const p = responseParams(final.headers.get('location')!, 'query');
    assert.ok(p.code);
    assert.equal(p.state, 's1');
    assert.equal(p.iss, s.orgUrl);
  });

  it('every sign-in issues a new session id and ends the old one', async () => {
    const b = new Browser(s.orgUrl);
    let { fields } = await openSignIn(b);
    await submit(b, fields, user.profile.login, PASSWORD);
    const first = b.jar.get('sid')!;
    ({ fields } = await openSignIn(b, { prompt: 'login' }));
    await submit(b, fields, user.profile.login, PASSWORD);
    const second = b.jar.get('sid')!;
    assert.notEqual(second, first);
    const old = await fetch(`${s.orgUrl}/api/v1/sessions/me`, { headers: { cookie: `sid=${first}` } });
    assert.equal(old.status, 404);
    const current = await b.get('/api/v1/sessions/me');
    assert.equal(current.status, 200);
  });

  it('a session id planted before sign-in is not adopted (fixation)', async () => {
    const b = new Browser(s.orgUrl);
    b.jar.set('sid', 'planted-by-attacker-0123456789abcdef');
    const { fields } = await openSignIn(b);
    await submit(b, fields, user.profile.login, PASSWORD);
    assert.notEqual(b.jar.get('sid'), 'planted-by-attacker-0123456789abcdef');
  });

  it('wrong password and unknown user fail alike', async () => {
    const b = new Browser(s.orgUrl);
    const { fields } = await openSignIn(b);
    const victim = await createUserWithPassword(s.container, PASSWORD);
    const t0 = performance.now();
    const wrong = await submit(b, fields, victim.profile.login, 'not-the-password');
    const t1 = performance.now();
    const unknown = await submit(b, fields, 'nobody@example.com', 'not-the-password');
    const t2 = performance.now();
    for (const res of [wrong, unknown]) {
      assert.equal(res.status, 401);
      assert.deepEqual(pageSecurityProblems(res), []);
    }
    const [a, b2] = [await wrong.text(), await unknown.text()];
    assert.ok(a.includes('Unable to sign in'));
    assert.equal(a.replace(victim.profile.login, 'X'), b2.replace('nobody@example.com', 'X'));
    // Both paths run one argon2 verification; neither is an order of magnitude faster.
    const [dWrong, dUnknown] = [t1 - t0, t2 - t1];
    assert.ok(dUnknown > dWrong / 5 && dWrong > dUnknown / 5, `${dWrong} ms vs ${dUnknown} ms`);
    assert.equal(b.jar.get('sid'), undefined);
  });

  it(`locks the account after ${LOCKOUT} failures; a success before that resets the count`, async () => {
    const victim = await createUserWithPassword(s.container, PASSWORD);
    await assignUser(s.container, app, victim);
    const b = new Browser(s.orgUrl);
    const { fields } = await openSignIn(b);
    for (let i = 0; i < LOCKOUT - 1; i++) assert.equal((await submit(b, fields, victim.profile.login, 'wrong')).status, 401);
    assert.equal((await s.container.store.users.get(victim.id))!.failedLogins, LOCKOUT - 1);
    assert.equal((await submit(b, fields, victim.profile.login, PASSWORD)).status, 303);
    assert.equal((await s.container.store.users.get(victim.id))!.failedLogins, 0);

    const b2 = new Browser(s.orgUrl);
    const { fields: f2 } = await openSignIn(b2);
    for (let i = 0; i < LOCKOUT; i++) assert.equal((await submit(b2, f2, victim.profile.login, 'wrong')).status, 401);
    assert.equal((await s.container.store.users.get(victim.id))!.status, 'LOCKED_OUT');
    const locked = await submit(b2, f2, victim.profile.login, PASSWORD);
    assert.equal(locked.status, 401);
    assert.ok((await locked.text()).includes('Unable to sign in'));
    assert.equal(b2.jar.get('sid'), undefined);
  });

  for (const status of ['SUSPENDED', 'DEPROVISIONED', 'STAGED', 'PASSWORD_EXPIRED', 'RECOVERY'] as const) {
    it(`a ${status} user cannot sign in`, async () => {
      const u = await createUserWithPassword(s.container, PASSWORD, { status });
      await assignUser(s.container, app, u);
      const b = new Browser(s.orgUrl);
      const { fields } = await openSignIn(b);
      const res = await submit(b, fields, u.profile.login, PASSWORD);
      assert.equal(res.status, 401);
      assert.ok((await res.text()).includes('Unable to sign in'));
    });
  }

  it('a user deactivated after signing in loses the session', async () => {
    const u = await createUserWithPassword(s.container, PASSWORD);
    await assignUser(s.container, app, u);
    const b = new Browser(s.orgUrl);
    const { fields } = await openSignIn(b);
    await b.follow(await submit(b, fields, u.profile.login, PASSWORD));
    const stored = (await s.container.store.users.get(u.id))!;
    await s.container.store.users.update({ ...stored, status: 'SUSPENDED' });
    const res = await b.get(authorizePath({ prompt: 'none' }));
    assert.equal(responseParams(res.headers.get('location')!, 'query').error, 'login_required');
  });

  it('malformed submissions get a page, never a 500', async () => {
    const b = new Browser(s.orgUrl);
    const { fields } = await openSignIn(b);
    const bodies = [
      `csrf=${fields.csrf}&username=a&username=b&password=x`,
      `csrf=${fields.csrf}&username=${'a'.repeat(5000)}&password=x`,
      `csrf=${fields.csrf}&tx=garbage&username=a&password=x`,
      '%%%',
    ];
    for (const body of bodies) {
      const res = await b.fetch('/login/login.htm', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${body.slice(0, 40)}`);
      assert.match(res.headers.get('content-type')!, /^text\/html/);
    }
    const json = await b.fetch('/login/login.htm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    assert.ok(json.status >= 400 && json.status < 500);
    assert.match(json.headers.get('content-type')!, /^text\/html/);
  });
});

describe('secure deployments', () => {
  it('behind https the cookies are Secure and the anti-CSRF cookie is __Host- prefixed', async () => {
    const secure = await startTestServer({ GATEHOUSE_ORG_URL: 'https://login.example.com' });
    try {
      const u = await createUserWithPassword(secure.container, PASSWORD);
      const base = secure.url; // where it listens (plain http in the test); the org URL says https
      const page = await fetch(`${base}/login/login.htm`, { redirect: 'manual' });
      const csrf = setCookies(page).find((c) => c.name === '__Host-gh_csrf')!;
      assert.ok(csrf.attributes.includes('Secure'));
      const fields = formFields(await page.text());
      const res = await fetch(`${base}/login/login.htm`, {
        method: 'POST', redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `__Host-gh_csrf=${csrf.value}` },
        body: new URLSearchParams({ ...fields, username: u.profile.login, password: PASSWORD }),
      });
      assert.equal(res.status, 200);
      const sid = setCookies(res).find((c) => c.name === 'sid')!;
      for (const attr of ['Secure', 'HttpOnly', 'SameSite=Lax', 'Path=/']) assert.ok(sid.attributes.includes(attr), attr);
    } finally {
      await secure.close();
    }
  });
});
