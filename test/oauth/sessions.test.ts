/**
 * /api/v1/sessions/me over real HTTP with the `sid` cookie: Okta's Session object, 404 E0000007
 * without a live session, refresh, and DELETE ending the session everywhere it is used.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sha256 } from '../../src/crypto/ids.js';
import type { App, User } from '../../src/domain/model.js';
import { assignUser, Browser, createOidcApp, createUserWithPassword, formFields, responseParams, setCookies } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'Sessions-Passw0rd';
const CB = 'https://sessions.example.com/cb';

let s: TestServer;
let user: User;
let app: App;

before(async () => {
  s = await startTestServer();
  user = await createUserWithPassword(s.container, PASSWORD, { login: 'margaret@example.com', firstName: 'Margaret', lastName: 'Hamilton' });
  app = await createOidcApp(s.container, { redirectUris: [CB] });
  await assignUser(s.container, app, user);
});
after(() => s.close());

async function signedIn(): Promise<Browser> {
  const b = new Browser(s.orgUrl);
  const page = await b.get('/login/login.htm');
  const res = await b.postForm('/login/login.htm', { ...formFields(await page.text()), username: user.profile.login, password: PASSWORD });
  assert.equal(res.status, 200);
  return b;
}

async function sessionOf(b: Browser) {
  return (await s.container.store.sessions.get(sha256(b.jar.get('sid')!)))!;
}

function assertNotFound(status: number, body: any): void {
  assert.equal(status, 404);
  assert.equal(body.errorCode, 'E0000007');
  assert.equal(body.errorSummary, 'Not found: Resource not found: me (Session)');
  assert.equal(body.errorLink, 'E0000007');
  assert.deepEqual(body.errorCauses, []);
}

describe('/api/v1/sessions/me', () => {
  it('is 404 E0000007 without a session cookie, or with an unknown one', async () => {
    const variants: Record<string, string>[] = [{}, { cookie: 'sid=unknownunknownunknownunknown' }, { cookie: 'sid=<script>' }];
    for (const headers of variants) {
      const res = await fetch(`${s.orgUrl}/api/v1/sessions/me`, { headers });
      assertNotFound(res.status, await res.json());
    }
  });

  it("returns Okta's Session object", async () => {
    const b = await signedIn();
    const res = await b.get('/api/v1/sessions/me');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as Record<string, any>;
    const stored = await sessionOf(b);
    const orgId = await s.container.store.settings.get('org_id');
    assert.deepEqual(body, {
      id: stored.id,
      userId: user.id,
      login: 'margaret@example.com',
      createdAt: new Date(stored.created).toISOString(),
      expiresAt: new Date(stored.expiresAt).toISOString(),
      status: 'ACTIVE',
      lastPasswordVerification: new Date(stored.authTime).toISOString(),
      lastFactorVerification: null,
      amr: ['pwd'],
      idp: { id: orgId, type: 'OKTA' },
      mfaActive: false,
      _links: {
        self: { href: `${s.orgUrl}/api/v1/sessions/me`, hints: { allow: ['GET', 'DELETE'] } },
        refresh: { href: `${s.orgUrl}/api/v1/sessions/me/lifecycle/refresh`, hints: { allow: ['POST'] } },
        user: { name: 'Margaret Hamilton', href: `${s.orgUrl}/api/v1/users/me`, hints: { allow: ['GET'] } },
      },
    });
    // Idle window of 2 hours.
    assert.ok(Math.abs(stored.expiresAt - stored.created - 2 * 3600_000) < 5000);
  });

  it('lifecycle/refresh moves expiresAt forward', async () => {
    const b = await signedIn();
    const stored = await sessionOf(b);
    await s.container.store.sessions.update({ ...stored, expiresAt: Date.now() + 60_000 });
    const res = await b.fetch('/api/v1/sessions/me/lifecycle/refresh', { method: 'POST', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { expiresAt: string; id: string };
    assert.equal(body.id, stored.id);
    assert.ok(Date.parse(body.expiresAt) > Date.now() + 3600_000);
    assert.ok((await sessionOf(b)).expiresAt > Date.now() + 3600_000);
    const none = await fetch(`${s.orgUrl}/api/v1/sessions/me/lifecycle/refresh`, { method: 'POST' });
    assertNotFound(none.status, await none.json());
  });

  it('an expired or revoked session is gone', async () => {
    const b = await signedIn();
    const stored = await sessionOf(b);
    await s.container.store.sessions.update({ ...stored, expiresAt: Date.now() - 1000 });
    const res = await b.get('/api/v1/sessions/me');
    assertNotFound(res.status, await res.json());
    const c = await signedIn();
    await s.container.store.sessions.revokeForUser(user.id, Date.now());
    const res2 = await c.get('/api/v1/sessions/me');
    assertNotFound(res2.status, await res2.json());
  });

  it('DELETE ends the session: 204, cookie cleared, /authorize no longer silent', async () => {
    const b = await signedIn();
    const cookie = b.jar.get('sid')!;
    const del = await b.fetch('/api/v1/sessions/me', { method: 'DELETE', headers: { 'content-type': 'application/json' } });
    assert.equal(del.status, 204);
    const cleared = setCookies(del).find((c) => c.name === 'sid')!;
    assert.equal(cleared.value, '');
    assert.ok(cleared.attributes.includes('Max-Age=0'));
    const after = await fetch(`${s.orgUrl}/api/v1/sessions/me`, { headers: { cookie: `sid=${cookie}` } });
    assertNotFound(after.status, await after.json());
    const silent = await fetch(`${s.orgUrl}/oauth2/v1/authorize?${new URLSearchParams({
      client_id: app.clientId, redirect_uri: CB, response_type: 'code', scope: 'openid', state: 'x', prompt: 'none',
    })}`, { headers: { cookie: `sid=${cookie}` }, redirect: 'manual' });
    assert.equal(responseParams(silent.headers.get('location')!, 'query').error, 'login_required');
    const again = await fetch(`${s.orgUrl}/api/v1/sessions/me`, { method: 'DELETE', headers: { cookie: `sid=${cookie}` } });
    assertNotFound(again.status, await again.json());
  });
});
