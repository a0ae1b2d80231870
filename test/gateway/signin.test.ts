/** Sign-in round trip, identity headers and header stripping, against oidc-provider. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startStack, type Stack } from './support/stack.js';
import type { Echo } from './support/upstream.js';

describe('gateway sign-in', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(() => s.close());

  it('sends an unauthenticated browser to login, and an API client gets 401 JSON', async () => {
    const b = s.browser();
    const r = await b.request(`${s.publicUrl}/app/page?x=1`);
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), `/api/v1/auth/login?redirectUri=${encodeURIComponent('/app/page?x=1')}`);
    b.accept = 'application/json';
    const api = await b.request(`${s.publicUrl}/api/data`, { method: 'POST', body: '{}' });
    assert.equal(api.status, 401);
    assert.equal(JSON.parse(api.body).error, 'unauthenticated');
    assert.equal(s.upstream.requests.length, 0);
  });

  it('signs in through the provider and returns to the original path with the identity', async () => {
    const b = s.browser();
    const login = await b.request(`${s.publicUrl}/api/v1/auth/login?redirectUri=${encodeURIComponent('/app/page?x=1')}`);
    assert.equal(login.status, 302);
    const authorize = new URL(login.headers.get('location')!);
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${s.provider.issuer}/auth`);
    const p = authorize.searchParams;
    assert.equal(p.get('response_type'), 'code');
    assert.equal(p.get('response_mode'), 'query');
    assert.equal(p.get('code_challenge_method'), 'S256');
    assert.ok(p.get('code_challenge') && p.get('nonce') && p.get('state'));
    assert.equal(p.get('redirect_uri'), `${s.publicUrl}/callback`);
    assert.equal(p.get('scope'), 'openid email profile offline_access');
    assert.equal(p.get('prompt'), 'consent');
    const binding = login.setCookies.find((c) => c.startsWith('gh_tx_'));
    assert.match(binding!, /HttpOnly/);
    assert.match(binding!, /SameSite=Lax/);

    const r = await b.follow(authorize.toString());
    assert.equal(r.status, 200, r.body);
    const hops = r.chain.map((h) => new URL(h.url).pathname);
    assert.ok(hops.includes('/callback'), hops.join(' → '));
    assert.equal(new URL(r.chain.at(-1)!.url).pathname, '/app/page');
    const echo = JSON.parse(r.body) as Echo;
    assert.equal(echo.url, '/app/page?x=1');
    assert.equal(echo.headers['x-auth-request-user'], 'alice');
    assert.equal(echo.headers['x-auth-request-email'], 'alice@example.com');
    assert.equal(echo.headers['x-auth-request-groups'], 'engineering,admins');
    assert.equal(echo.headers['x-auth-request-preferred-username'], 'alice');
    assert.equal(echo.headers['x-gatehouse-admin'], 'true');
    // The identity JWT verifies against the gateway's JWKS.
    const jwt = String(echo.headers['x-gatehouse-identity']);
    const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${s.publicUrl}/api/v1/system/config/jwks`)), {
      issuer: s.publicUrl, audience: new URL(s.upstream.url).origin,
    });
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.email, 'alice@example.com');
    assert.equal(payload.idp_iss, s.provider.issuer);

    const callbackHop = r.chain.find((h) => new URL(h.url).pathname === '/callback')!;
    assert.equal(callbackHop.status, 302);
    const sessionCookie = b.cookies(s.publicUrl).get('gatehouse_session');
    assert.ok(sessionCookie);
    assert.equal([...b.cookies(s.publicUrl).keys()].filter((k) => k.startsWith('gh_tx_')).length, 0, 'binding cookie cleared');
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/, Max-Age = session expiry', async () => {
    const b = s.browser();
    let sessionSetCookie = '';
    const login = await b.request(`${s.publicUrl}/api/v1/auth/login`);
    let next = login.headers.get('location')!;
    for (let i = 0; i < 20; i++) {
      const r = await b.request(next);
      const sc = r.setCookies.find((c) => c.startsWith('gatehouse_session='));
      if (sc) sessionSetCookie = sc;
      const loc = r.headers.get('location');
      if (!loc) break;
      next = new URL(loc, next).toString();
    }
    assert.match(sessionSetCookie, /HttpOnly/);
    assert.match(sessionSetCookie, /SameSite=Lax/);
    assert.match(sessionSetCookie, /Path=\//);
    assert.match(sessionSetCookie, /Max-Age=604800/);
    assert.doesNotMatch(sessionSetCookie, /Secure/);
  });

  it('strips identity headers sent by the client and keeps the gateway cookie from the upstream', async () => {
    const b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    b.cookies(s.publicUrl).set('app_cookie', 'keep-me');
    const r = await b.request(`${s.publicUrl}/whoami`, {
      headers: {
        'X-Auth-Request-User': 'mallory',
        'X-Auth-Request-Email': 'mallory@evil.test',
        'X-Auth-Request-Admin': 'true',
        'X-Gatehouse-Identity': 'forged.jwt.value',
        'X-Gatehouse-Admin': 'true',
        'X-Forwarded-User': 'mallory',
        'X-Forwarded-Email': 'mallory@evil.test',
        'Remote-User': 'mallory',
        'X-Forwarded-For': '6.6.6.6',
        'X-Forwarded-Host': 'evil.test',
      },
    });
    const echo = JSON.parse(r.body) as Echo;
    assert.equal(echo.headers['x-auth-request-user'], 'alice');
    assert.equal(echo.headers['x-auth-request-email'], 'alice@example.com');
    assert.equal(echo.headers['x-auth-request-admin'], undefined);
    assert.notEqual(echo.headers['x-gatehouse-identity'], 'forged.jwt.value');
    assert.equal(echo.headers['x-gatehouse-admin'], 'true');
    assert.equal(echo.headers['x-forwarded-user'], undefined);
    assert.equal(echo.headers['x-forwarded-email'], undefined);
    assert.equal(echo.headers['remote-user'], undefined);
    assert.equal(echo.headers['x-forwarded-for'], '127.0.0.1', 'untrusted X-Forwarded-For is replaced');
    assert.equal(echo.headers['x-forwarded-host'], new URL(s.publicUrl).host);
    assert.equal(echo.headers.cookie, 'app_cookie=keep-me');
    assert.equal(echo.headers.host, new URL(s.upstream.url).host);
  });

  it('reports the session for the demo page', async () => {
    const b = s.browser();
    b.accept = 'application/json';
    assert.equal((await b.request(`${s.publicUrl}/api/v1/auth/session`)).status, 401);
    b.accept = 'text/html';
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    b.accept = 'application/json';
    const r = await b.request(`${s.publicUrl}/api/v1/auth/session`);
    assert.equal(r.status, 200);
    const j = JSON.parse(r.body);
    assert.equal(j.signedIn, true);
    assert.equal(j.principal.user, 'alice');
    assert.equal(j.claims.email, 'alice@example.com');
    assert.equal(j.renewal, 'refresh');
    assert.ok(Date.parse(j.tokenExpiresAt) > Date.now());
  });

  it('never redirects off-origin after sign-in', async () => {
    for (const target of ['https://evil.test/x', '//evil.test/x', '/\\evil.test', 'javascript:alert(1)']) {
      const b = s.browser();
      const r = await b.follow(`${s.publicUrl}/api/v1/auth/login?redirectUri=${encodeURIComponent(target)}`);
      assert.equal(new URL(r.chain.at(-1)!.url).origin, s.publicUrl, target);
      assert.equal(new URL(r.chain.at(-1)!.url).pathname, '/', target);
    }
    const b = s.browser();
    const r = await b.follow(`${s.publicUrl}/api/v1/auth/login?redirectUri=${encodeURIComponent(`${s.publicUrl}/auth/callback`)}`);
    assert.equal(new URL(r.chain.at(-1)!.url).pathname, '/auth/callback');
  });
});
