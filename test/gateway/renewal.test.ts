/** Refresh with rotation, renewal on expiry, silent renewal, and logout, against oidc-provider. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewaySession } from '../../src/gateway/sessions.js';
import { sessionKey } from '../../src/gateway/sessions.js';
import type { Browser } from './support/browser.js';
import { startStack, type Stack } from './support/stack.js';
import type { Echo } from './support/upstream.js';

async function storedSession(s: Stack, b: Browser) {
  const id = b.cookies(s.publicUrl).get('gatehouse_session');
  assert.ok(id, 'signed in');
  const key = sessionKey(id);
  const rec = await s.gateways[0]!.gateway.sessions.get(key);
  return { key, rec };
}

/** Marks the stored session's tokens as expired, as time passing would. */
async function expireTokens(s: Stack, b: Browser) {
  const { key, rec } = await storedSession(s, b);
  assert.ok(rec);
  const expired: GatewaySession = { ...rec.value, accessTokenExpiresAt: Date.now() - 1000, idTokenExpiresAt: Date.now() - 1000 };
  assert.equal(await s.gateways[0]!.gateway.sessions.swap(key, rec.version, expired), true);
}

async function tokenRequest(s: Stack, params: Record<string, string>) {
  const res = await fetch(`${s.provider.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...params, client_id: s.provider.clientId, client_secret: s.provider.clientSecret }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('gateway renewal with refresh tokens', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ authMethod: 'client_secret_basic' });
  });
  after(() => s.close());

  it('/api/v1/auth/refresh renews with the rotated refresh token each time', async () => {
    const b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    const first = (await storedSession(s, b)).rec!.value;
    assert.ok(first.refreshToken, 'offline_access gave a refresh token');
    b.accept = 'application/json';
    const tokens: string[] = [first.refreshToken];
    for (let i = 0; i < 3; i++) {
      const r = await b.request(`${s.publicUrl}/api/v1/auth/refresh`);
      assert.equal(r.status, 200, r.body);
      const j = JSON.parse(r.body);
      assert.equal(typeof j.accessToken, 'string');
      assert.equal(j.accessToken.split('.').length, 3);
      assert.ok(j.expiryDuration > Date.now(), 'expiryDuration is an epoch-ms expiry');
      const now = (await storedSession(s, b)).rec!.value;
      assert.ok(now.refreshToken && !tokens.includes(now.refreshToken), 'rotated');
      tokens.push(now.refreshToken);
    }
    // The first refresh token was spent: the provider refuses it.
    const replay = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: tokens[0]! });
    assert.equal(replay.body.error, 'invalid_grant');
  });

  it('renews transparently when a proxied request finds the tokens expired', async () => {
    const b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    const before = (await storedSession(s, b)).rec!.value;
    await expireTokens(s, b);
    const r = await b.request(`${s.publicUrl}/data`);
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as Echo).headers['x-auth-request-user'], 'alice');
    const after = (await storedSession(s, b)).rec!.value;
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.ok(after.accessTokenExpiresAt > Date.now());
    assert.ok(after.renewedAt);
  });

  it('concurrent requests on an expired session spend the refresh token once', async () => {
    const b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    await expireTokens(s, b);
    const results = await Promise.all(Array.from({ length: 6 }, () => b.request(`${s.publicUrl}/parallel`)));
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
    // Had two replicas spent the same rotating token, oidc-provider would have revoked the grant.
    const after = (await storedSession(s, b)).rec!.value;
    const check = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: after.refreshToken! });
    assert.equal(check.status, 200, JSON.stringify(check.body));
  });

  it('treats a refused refresh as signed out', async () => {
    const b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    const { rec } = await storedSession(s, b);
    // Spend the refresh token behind the gateway's back: reuse detection revokes the grant.
    await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: rec!.value.refreshToken! });
    await expireTokens(s, b);
    b.accept = 'application/json';
    const r = await b.request(`${s.publicUrl}/data`);
    assert.equal(r.status, 401);
    b.accept = 'text/html';
    const page = await b.request(`${s.publicUrl}/data`);
    assert.equal(page.status, 302);
    assert.match(page.headers.get('location')!, /^\/api\/v1\/auth\/login/);
  });

  it('logout ends the local session, revokes the refresh token and ends the provider session', async () => {
    const b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    const { key, rec } = await storedSession(s, b);
    const refreshToken = rec!.value.refreshToken!;
    const r = await b.request(`${s.publicUrl}/api/v1/auth/logout`);
    assert.equal(r.status, 302);
    const endSession = new URL(r.headers.get('location')!);
    assert.equal(`${endSession.origin}${endSession.pathname}`, `${s.provider.issuer}/session/end`);
    assert.equal(endSession.searchParams.get('id_token_hint'), rec!.value.idToken);
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${s.publicUrl}/`);
    assert.ok(endSession.searchParams.get('state'));
    assert.match(r.setCookies.join('\n'), /gatehouse_session=;.*Max-Age=0/);
    assert.equal(await s.gateways[0]!.gateway.sessions.get(key), undefined, 'local session deleted');
    const revoked = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: refreshToken });
    assert.equal(revoked.body.error, 'invalid_grant', 'refresh token revoked');

    // The provider asks to confirm the sign-out; confirm it like a user would.
    const confirm = await b.request(endSession.toString());
    assert.equal(confirm.status, 200);
    const action = /action="([^"]+)"/.exec(confirm.body)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
    const done = await b.request(new URL(action, s.provider.issuer).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    assert.equal(done.status, 303);
    const back = new URL(done.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, `${s.publicUrl}/`);
    assert.equal(back.searchParams.get('state'), endSession.searchParams.get('state'));

    // The next visit must sign in at the provider again (a login prompt, not just consent).
    const again = await b.follow(`${s.publicUrl}/`);
    assert.equal(again.status, 200);
    assert.ok(again.chain.some((h) => new URL(h.url).pathname.startsWith('/interaction/')));
  });

  it('logout called by a script gets the provider URL as JSON', async () => {
    const b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    b.accept = 'application/json';
    const r = await b.request(`${s.publicUrl}/api/v1/auth/logout`);
    assert.equal(r.status, 200);
    const j = JSON.parse(r.body);
    assert.equal(j.signedOut, true);
    assert.ok(j.logoutUrl.startsWith(`${s.provider.issuer}/session/end`));
  });
});

describe('gateway renewal without refresh tokens (silent renew)', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ refresh: false });
  });
  after(() => s.close());

  it('answers /api/v1/auth/refresh with 401 pointing at silent renewal', async () => {
    const b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    assert.equal((await storedSession(s, b)).rec!.value.refreshToken, undefined);
    b.accept = 'application/json';
    const r = await b.request(`${s.publicUrl}/api/v1/auth/refresh`);
    assert.equal(r.status, 401);
    const j = JSON.parse(r.body);
    assert.equal(j.error, 'refresh_unavailable');
    assert.equal(j.silentRenewUrl, '/api/v1/auth/silent');
  });

  it('renews in the hidden iframe with prompt=none through /silent-callback', async () => {
    const b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    const before = (await storedSession(s, b)).rec!.value;
    await expireTokens(s, b);
    const start = await b.request(`${s.publicUrl}/api/v1/auth/silent`);
    const authorize = new URL(start.headers.get('location')!);
    assert.equal(authorize.searchParams.get('prompt'), 'none');
    assert.equal(authorize.searchParams.get('redirect_uri'), `${s.publicUrl}/silent-callback`);
    const r = await b.follow(authorize.toString());
    assert.equal(new URL(r.chain.at(-1)!.url).pathname, '/silent-callback');
    assert.equal(r.status, 200);
    assert.match(r.body, /"ok":true/);
    assert.match(r.body, /postMessage/);
    assert.equal(r.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.match(r.headers.get('content-security-policy')!, /frame-ancestors 'self'/);
    const { rec } = await storedSession(s, b);
    assert.ok(rec, 'same session, renewed in place');
    assert.ok(rec.value.accessTokenExpiresAt > Date.now());
    assert.notEqual(rec.value.accessToken, before.accessToken);
    assert.equal((await b.request(`${s.publicUrl}/data`)).status, 200);
  });

  it('ends the session when the provider answers login_required', async () => {
    const b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    const { key } = await storedSession(s, b);
    // The provider session is gone (e.g. signed out elsewhere): drop the provider's cookies.
    b.jar.delete(s.provider.issuer);
    const r = await b.follow(`${s.publicUrl}/api/v1/auth/silent`);
    assert.equal(new URL(r.chain.at(-1)!.url).pathname, '/silent-callback');
    assert.match(r.body, /"ok":false/);
    assert.match(r.body, /login_required/);
    assert.equal(await s.gateways[0]!.gateway.sessions.get(key), undefined);
    assert.equal(b.cookies(s.publicUrl).get('gatehouse_session'), undefined);
  });
});

describe('silent renewal when the frame gets no cookies', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ refresh: false });
  });
  after(() => s.close());

  it('relays the response to the parent, which completes it first-party', async () => {
    const b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    const before = (await storedSession(s, b)).rec!.value;
    const start = await b.request(`${s.publicUrl}/api/v1/auth/silent`);
    // The frame's navigation back to the gateway arrives without cookies.
    const back = await b.follow(start.headers.get('location')!, (next) => next.origin === s.publicUrl);
    const callback = new URL(back.headers.get('location')!, back.chain.at(-1)!.url);
    const relay = await fetch(callback, { headers: { accept: 'text/html' } });
    const html = await relay.text();
    assert.match(html, /gatehouse:silent-relay/);
    // The parent POSTs the response back with its cookies.
    b.accept = 'application/json';
    const done = await b.request(`${s.publicUrl}${callback.pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: callback.search.slice(1),
    });
    assert.equal(done.status, 200, done.body);
    assert.equal(JSON.parse(done.body).ok, true);
    const after = (await storedSession(s, b)).rec!.value;
    assert.notEqual(after.accessToken, before.accessToken);
    // Replaying the relayed response fails: the transaction was used.
    const again = await b.request(`${s.publicUrl}${callback.pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: callback.search.slice(1),
    });
    assert.equal(JSON.parse(again.body).ok, false);
    assert.equal(JSON.parse(again.body).error, 'invalid_state');
  });
});
