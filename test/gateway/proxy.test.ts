/**
 * The reverse proxy: methods, bodies, status codes, redirects, cookies, streaming, WebSockets,
 * an unreachable upstream, trusted proxies and the health endpoints.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startGateway } from '../../src/gateway/server.js';
import type { Browser } from './support/browser.js';
import { freePort } from './support/net.js';
import { startStack, testLog, type Stack } from './support/stack.js';
import type { Echo } from './support/upstream.js';

describe('gateway proxy', () => {
  let s: Stack;
  let b: Browser;
  before(async () => {
    s = await startStack();
    b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    b.accept = '*/*';
  });
  after(() => s.close());

  it('forwards methods, query strings and bodies unchanged', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const body = JSON.stringify({ method, text: 'héllo', n: [1, 2, 3] });
      const r = await b.request(`${s.publicUrl}/api/items/7?a=1&b=%20x&a=2`, { method, body, headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 200, r.body);
      const echo = JSON.parse(r.body) as Echo;
      assert.equal(echo.method, method);
      assert.equal(echo.url, '/api/items/7?a=1&b=%20x&a=2');
      assert.equal(echo.body, body);
      assert.equal(echo.headers['content-type'], 'application/json');
    }
    const form = await b.request(`${s.publicUrl}/form`, { method: 'POST', body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal((JSON.parse(form.body) as Echo).body, 'a=1&b=2');
    const raw = await b.request(`${s.publicUrl}/raw`, { method: 'POST', body: 'no content type' });
    assert.equal((JSON.parse(raw.body) as Echo).body, 'no content type');
  });

  it('streams a large body through', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const r = await b.request(`${s.publicUrl}/upload`, { method: 'POST', body: big, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal((JSON.parse(r.body) as Echo).body.length, big.length);
  });

  it('passes status codes, headers, redirects and several Set-Cookie through', async () => {
    const t = await b.request(`${s.publicUrl}/teapot`);
    assert.equal(t.status, 418);
    assert.equal(t.body, 'short and stout');
    assert.equal(t.headers.get('x-upstream'), 'yes');
    const m = await b.request(`${s.publicUrl}/moved`);
    assert.equal(m.status, 302);
    assert.equal(m.headers.get('location'), `${s.publicUrl}/elsewhere?x=1`, 'upstream origin rewritten to the public one');
    const rel = await b.request(`${s.publicUrl}/relative-redirect`);
    assert.equal(rel.status, 307);
    assert.equal(rel.headers.get('location'), '/target');
    const c = await b.request(`${s.publicUrl}/cookies`);
    assert.deepEqual(c.setCookies, ['a=1; Path=/', 'b=2; Path=/']);
    const head = await b.request(`${s.publicUrl}/teapot`, { method: 'HEAD' });
    assert.equal(head.status, 418);
    assert.equal(head.body, '');
  });

  it('streams chunked responses', async () => {
    const r = await b.request(`${s.publicUrl}/stream`);
    assert.equal(r.body, 'chunk 0\nchunk 1\nchunk 2\n');
  });

  it('answers 405 for other methods on its own paths', async () => {
    const r = await b.request(`${s.publicUrl}/callback`, { method: 'POST', body: 'x' });
    assert.equal(r.status, 405);
  });

  it('tunnels WebSocket upgrades for a signed-in browser only', async () => {
    const upgrade = (cookie: string | undefined) => new Promise<{ status: number; user?: string; echo?: string }>((resolve, reject) => {
      const req = http.request(`${s.publicUrl}/ws`, {
        headers: { connection: 'Upgrade', upgrade: 'websocket', ...(cookie ? { cookie } : {}), 'x-auth-request-user': 'mallory' },
      });
      req.on('upgrade', (res, socket) => {
        socket.write('ping');
        socket.once('data', (d: Buffer) => {
          resolve({ status: res.statusCode!, user: String(res.headers['x-upstream-user']), echo: d.toString() });
          socket.destroy();
        });
      });
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode! });
      });
      req.on('error', reject);
      req.end();
    });
    const ok = await upgrade(`gatehouse_session=${b.cookies(s.publicUrl).get('gatehouse_session')}`);
    assert.deepEqual(ok, { status: 101, user: 'alice', echo: 'echo:ping' });
    assert.equal((await upgrade(undefined)).status, 401);
  });

  it('health and readiness', async () => {
    assert.equal((await fetch(`${s.publicUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${s.publicUrl}/readyz`)).status, 200);
    const jwks = await (await fetch(`${s.publicUrl}/api/v1/system/config/jwks`)).json() as { keys: Record<string, string>[] };
    assert.equal(jwks.keys[0]!.kty, 'RSA');
    assert.equal(jwks.keys[0]!.d, undefined, 'no private part');
    const script = await fetch(`${s.publicUrl}/api/v1/auth/renew.js`);
    assert.match(script.headers.get('content-type')!, /javascript/);
    assert.match(await script.text(), /api\/v1\/auth\/refresh|base \+ 'refresh'/);
  });

  it('shows a page, not a stack trace, when the upstream is down', async () => {
    const port = await freePort();
    const gw = await startGateway({ ...s.env, GATEWAY_PORT: '0', GATEWAY_UPSTREAM_URL: `http://127.0.0.1:${port}` }, { log: testLog(), probeRedirects: false });
    try {
      const res = await fetch(`${gw.url}/x`, { headers: { cookie: `gatehouse_session=${b.cookies(s.publicUrl).get('gatehouse_session')}`, accept: 'text/html' } });
      assert.equal(res.status, 502);
      const body = await res.text();
      assert.match(body, /The application is not reachable/);
      assert.match(body, /GATEWAY_UPSTREAM_URL/);
    } finally {
      await gw.close();
    }
  });

  it('honours X-Forwarded-Proto/For only from trusted proxies', async () => {
    const trusted = await startGateway({ ...s.env, GATEWAY_PORT: '0', GATEWAY_TRUSTED_PROXIES: '127.0.0.1' }, { log: testLog(), probeRedirects: false });
    const untrusted = await startGateway({ ...s.env, GATEWAY_PORT: '0', GATEWAY_TRUSTED_PROXIES: '10.0.0.0/8' }, { log: testLog(), probeRedirects: false });
    try {
      const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };
      const t = await fetch(`${trusted.url}/api/v1/auth/login`, { redirect: 'manual', headers });
      assert.match(t.headers.getSetCookie()[0]!, /; Secure/);
      const u = await fetch(`${untrusted.url}/api/v1/auth/login`, { redirect: 'manual', headers });
      assert.doesNotMatch(u.headers.getSetCookie()[0]!, /; Secure/);
      const cookie = `gatehouse_session=${b.cookies(s.publicUrl).get('gatehouse_session')}`;
      const te = await (await fetch(`${trusted.url}/who`, { headers: { ...headers, cookie } })).json() as Echo;
      assert.equal(te.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
      assert.equal(te.headers['x-forwarded-proto'], 'https');
      const ue = await (await fetch(`${untrusted.url}/who`, { headers: { ...headers, cookie } })).json() as Echo;
      assert.equal(ue.headers['x-forwarded-for'], '127.0.0.1');
      assert.equal(ue.headers['x-forwarded-proto'], 'http');
    } finally {
      await trusted.close();
      await untrusted.close();
    }
  });

  it('uses and strips custom identity header names', async () => {
    const gw = await startGateway({ ...s.env, GATEWAY_PORT: '0', GATEWAY_IDENTITY_HEADERS: 'user=X-User,email=X-Mail,jwt=X-Identity,access-token=X-Access-Token' },
      { log: testLog(), probeRedirects: false });
    try {
      const cookie = `gatehouse_session=${b.cookies(s.publicUrl).get('gatehouse_session')}`;
      const echo = await (await fetch(`${gw.url}/who`, {
        headers: { cookie, 'x-user': 'mallory', 'x-mail': 'm@evil.test', 'x-identity': 'forged', 'x-access-token': 'forged', 'x-auth-request-user': 'mallory' },
      })).json() as Echo;
      assert.equal(echo.headers['x-user'], 'alice');
      assert.equal(echo.headers['x-mail'], 'alice@example.com');
      assert.equal(String(echo.headers['x-identity']).split('.').length, 3);
      assert.notEqual(echo.headers['x-access-token'], 'forged');
      assert.equal(echo.headers['x-auth-request-user'], undefined, 'still stripped, though not configured');
      assert.equal(echo.headers['x-gatehouse-admin'], undefined, 'not configured: not sent');
    } finally {
      await gw.close();
    }
  });
});
