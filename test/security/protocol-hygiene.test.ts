/**
 * Protocol hygiene under hostile input (RFC 6749 §3.1, §3.2; RFC 9110 §15.5.6; OWASP input
 * handling): unknown parameters are ignored, repeated ones refused, oversized and NUL / Unicode
 * values never reach a 5xx on either database, wrong HTTP methods get 405 with Allow, TRACE reflects
 * nothing, OPTIONS never 404s, and CORS echoes only allowed origins, never `*` with credentials.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/domain/model.js';
import type { Browser } from '../support/browser.js';
import {
  authorize, authorizePath, basic, codeFlowTokens, codeRequest, getCode, newApp, newUser, postForm, redeem, signedInBrowser,
  startSecurityServer, tokenUrl, userinfo, type SecurityServer, type TestApp,
} from './support.js';

let s: SecurityServer;
let app: TestApp;
let user: User;
let b: Browser;

before(async () => {
  s = await startSecurityServer();
  app = await newApp(s);
  user = await newUser(s, [app]);
  b = await signedInBrowser(s, app, user);
});
after(() => s.close());

const auth = () => ({ authorization: basic(app.clientId, app.secret!) });

function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('unknown parameters are ignored (RFC 6749 §3.1, oidcc-ensure-request-with-unknown-parameter-succeeds)', () => {
  it('at /authorize', async () => {
    const p = await authorize(b, codeRequest(app, { foo: 'bar', 'x-evil': '<script>', display: 'page', ui_locales: 'xx', claims_locales: 'yy', acr_values: 'urn:x' }));
    assert.ok(p.code, JSON.stringify(p));
  });

  it('at /token, /introspect and /revoke', async () => {
    const { code, verifier } = await getCode(b, app);
    const res = await redeem(s, app, code, verifier, { foo: 'bar', scope: 'ignored here', resource: 'https://evil.example' });
    assert.equal(res.status, 200, res.text);
    const intro = await postForm(`${s.url}/oauth2/default/v1/introspect`, { token: res.body.access_token, foo: 'bar' }, auth());
    assert.equal(intro.body.active, true);
    const rev = await postForm(`${s.url}/oauth2/default/v1/revoke`, { token: res.body.refresh_token, foo: 'bar' }, auth());
    assert.equal(rev.status, 200);
  });
});

describe('repeated parameters are refused (RFC 6749 §3.1)', () => {
  it('/authorize: a repeated scope, state or response_type is an error for the client', async () => {
    for (const name of ['scope', 'response_type', 'code_challenge', 'nonce', 'prompt']) {
      const res = await b.get(`${authorizePath(codeRequest(app, { code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', prompt: 'login' }))}&${name}=again`);
      const location = res.headers.get('location') ?? '';
      assert.ok(location.startsWith(`${app.redirectUri}?`), `${name}: ${res.status} ${location}`);
      assert.ok(location.includes('error=invalid_request'), `${name}: ${location}`);
      assert.ok(!location.includes('code='), name);
    }
  });

  it('/token, /introspect, /revoke and /userinfo: a repeated parameter is invalid_request', async () => {
    const { code, verifier } = await getCode(b, app);
    const cases: [string, Record<string, string | string[]>][] = [
      [tokenUrl(s), { grant_type: 'authorization_code', code: [code, code], redirect_uri: app.redirectUri, code_verifier: verifier }],
      [tokenUrl(s), { grant_type: ['authorization_code', 'client_credentials'], code, redirect_uri: app.redirectUri }],
      [tokenUrl(s), { grant_type: 'authorization_code', code, redirect_uri: [app.redirectUri, 'https://evil.example/cb'] }],
      [`${s.url}/oauth2/default/v1/introspect`, { token: ['a', 'b'] }],
      [`${s.url}/oauth2/default/v1/revoke`, { token: ['a', 'b'] }],
    ];
    for (const [url, form] of cases) {
      const res = await postForm(url, form, auth());
      assert.equal(res.status, 400, `${url} ${JSON.stringify(form)}`);
      assert.equal(res.body.error, 'invalid_request');
    }
    const info = await postForm(`${s.url}/oauth2/default/v1/userinfo`, { access_token: ['a', 'b'] });
    assert.equal(info.status, 400);
  });

  it('a repeated client_id between Basic and the body must agree', async () => {
    const other = await newApp(s);
    const res = await postForm(tokenUrl(s), { grant_type: 'refresh_token', refresh_token: 'x', client_id: other.clientId }, auth());
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
  });

  it('/logout: repeated parameters are an error page', async () => {
    const res = await b.get('/oauth2/default/v1/logout?state=a&state=b');
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
  });
});

describe('huge inputs', () => {
  it('an over-long parameter at /authorize is an error, not a crash', async () => {
    const res = await b.get(authorizePath(codeRequest(app, { state: 's'.repeat(9000) })));
    assert.ok(res.status === 302 || res.status === 400, String(res.status));
    assert.ok(!(res.headers.get('location') ?? '').includes('s'.repeat(9000)), 'the huge value is not echoed');
  });

  it('a request line beyond the header limit is refused by the server, which then keeps serving', async () => {
    const res = await raw('GET', `/oauth2/default/v1/authorize?state=${'a'.repeat(70_000)}`).catch((err: Error) => ({ status: 0, headers: {}, body: err.message }));
    assert.ok(res.status === 0 || res.status === 414 || res.status === 431, String(res.status));
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  });

  it('a form body over 64 KiB at /token is 413, a JSON body is refused', async () => {
    const big = await postForm(tokenUrl(s), { grant_type: 'client_credentials', pad: 'x'.repeat(70_000) }, auth());
    assert.equal(big.status, 413);
    assert.equal(big.body.error, 'invalid_request');
    const json = await fetch(tokenUrl(s), { method: 'POST', headers: { 'content-type': 'application/json', ...auth() }, body: JSON.stringify({ grant_type: 'client_credentials' }) });
    assert.equal(json.status, 400);
  });

  it('over-long tokens, codes, assertions and Basic credentials fail cleanly', async () => {
    const long = 'a'.repeat(20_000);
    const results = [
      await postForm(tokenUrl(s), { grant_type: 'refresh_token', refresh_token: long }, auth()),
      await postForm(tokenUrl(s), { grant_type: 'authorization_code', code: long, redirect_uri: app.redirectUri }, auth()),
      await postForm(tokenUrl(s), { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: `${long}.${long}.${long}` }),
      await postForm(tokenUrl(s), { grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`${long}:${long}`).toString('base64').slice(0, 15_000)}` }),
      await postForm(`${s.url}/oauth2/default/v1/introspect`, { token: long }, auth()),
      await userinfo(s, `${long}.${long}.${long}`.slice(0, 15_000)),
    ];
    for (const r of results) assert.ok(r.status >= 400 && r.status < 500 || (r.status === 200 && r.body.active === false), `${r.status} ${r.text.slice(0, 200)}`);
  });
});

describe('NUL and Unicode in parameters (no 5xx on either database)', () => {
  // A lone surrogate cannot be percent-encoded as UTF-8: send the raw (invalid UTF-8) bytes instead.
  const enc = (v: string): string => { try { return encodeURIComponent(v); } catch { return '%ED%A0%80'; } };
  const hostile = ['\u0000', 'a\u0000b', '\uFFFD', '\uD800', '𝔞𝔡𝔪𝔦𝔫', 'ａｄｍｉｎ', 'admin\u200B', '\u202Eevil', '%00', '\r\nSet-Cookie: x=1', "'; DROP TABLE apps; --"];

  it('/authorize: as client_id an error page, as other parameters an error or a response for the client', async () => {
    for (const v of hostile) {
      const asClient = await b.get(authorizePath({ ...codeRequest(app), client_id: v }));
      assert.equal(asClient.status, 400, JSON.stringify(v));
      assert.equal(asClient.headers.get('location'), null);
      for (const name of ['state', 'scope', 'nonce', 'login_hint', 'prompt', 'response_mode', 'code_challenge']) {
        const res = await b.get(authorizePath(codeRequest(app, { [name]: v })));
        assert.ok(res.status < 500, `${name}=${JSON.stringify(v)}: ${res.status}`);
        const location = res.headers.get('location');
        if (location) assert.ok(location.startsWith(`${app.redirectUri}?`) && !/[\r\n]/.test(location), location);
      }
    }
    const server = await b.get(`/oauth2/%00/v1/authorize?${new URLSearchParams(codeRequest(app))}`);
    assert.equal(server.status, 400);
  });

  it('/token, /introspect, /revoke, /keys and discovery', async () => {
    for (const v of hostile) {
      const results = [
        await postForm(tokenUrl(s), { grant_type: 'client_credentials', client_id: v, client_secret: 'x'.repeat(20) }),
        await postForm(tokenUrl(s), { grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`${v}:secret`).toString('base64')}` }),
        await postForm(tokenUrl(s), { grant_type: v }, auth()),
        await postForm(tokenUrl(s), { grant_type: 'refresh_token', refresh_token: v, scope: v }, auth()),
        await postForm(`${s.url}/oauth2/default/v1/introspect?client_id=${enc(v)}`, { token: v }),
        await postForm(`${s.url}/oauth2/default/v1/revoke`, { token: v, token_type_hint: v }, auth()),
      ];
      for (const r of results) assert.ok(r.status < 500, `${JSON.stringify(v)}: ${r.status} ${r.text}`);
      for (const path of [`/oauth2/${enc(v)}/v1/keys`, `/oauth2/${enc(v)}/.well-known/openid-configuration`]) {
        const res = await fetch(`${s.url}${path}`);
        assert.ok(res.status < 500, `${path}: ${res.status}`);
      }
    }
  });

  it('sign-in and /api/v1/authn', async () => {
    for (const v of hostile) {
      const res = await fetch(`${s.url}/api/v1/authn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: v, password: v }) });
      assert.equal(res.status, 401, JSON.stringify(v));
      const page = await fetch(`${s.url}/login/login.htm`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: v, password: v, csrf: v, tx: v }) });
      assert.ok(page.status < 500, `${JSON.stringify(v)}: ${page.status}`);
      const scr = await fetch(`${s.url}/login/sessionCookieRedirect?${new URLSearchParams({ token: v, redirectUrl: `/${v}` })}`, { redirect: 'manual' });
      assert.ok(scr.status < 500, `${JSON.stringify(v)}: ${scr.status}`);
      const logout = await fetch(`${s.url}/oauth2/default/v1/logout?${new URLSearchParams({ id_token_hint: v, state: v })}`, { redirect: 'manual' });
      assert.ok(logout.status < 500, `${JSON.stringify(v)}: ${logout.status}`);
    }
  });

  it('a hostile state is echoed exactly, encoded, with no header injection', async () => {
    const state = '\r\nSet-Cookie: pwned=1 <script>"\'';
    const p = await authorize(b, codeRequest(app, { state }));
    assert.equal(p.state, state);
    const res = await b.get(authorizePath(codeRequest(app, { state })));
    assert.equal(res.headers.get('set-cookie'), null);
  });
});

describe('HTTP methods', () => {
  const endpoints: [string, string[], string][] = [
    ['/oauth2/default/v1/token', ['GET', 'PUT', 'DELETE', 'PATCH'], 'POST'],
    ['/oauth2/v1/token', ['GET', 'PUT'], 'POST'],
    ['/oauth2/default/v1/introspect', ['GET', 'PUT'], 'POST'],
    ['/oauth2/default/v1/revoke', ['GET', 'DELETE'], 'POST'],
    ['/oauth2/default/v1/authorize', ['PUT', 'DELETE', 'PATCH'], 'GET, POST'],
    ['/oauth2/default/v1/logout', ['PUT', 'DELETE'], 'GET, POST'],
    ['/oauth2/default/v1/userinfo', ['PUT', 'DELETE'], 'GET, POST'],
    ['/oauth2/default/v1/keys', ['POST', 'PUT', 'DELETE'], 'GET'],
  ];
  for (const [path, methods, allowed] of endpoints) {
    it(`${methods.join('/')} ${path}: 405, Allow names ${allowed}`, async () => {
      for (const method of methods) {
        const res = await fetch(`${s.url}${path}?grant_type=client_credentials&client_id=${app.clientId}&client_secret=${app.secret}`, {
          method, headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth() },
          ...(method === 'GET' ? {} : { body: 'grant_type=client_credentials' }),
        });
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.ok(res.headers.get('allow')!.startsWith(allowed), res.headers.get('allow')!);
        const body = await res.json() as Record<string, unknown>;
        assert.equal(body.access_token, undefined);
        assert.equal(body.error, 'invalid_request');
      }
    });
  }

  it('GET /token with valid credentials in the query issues nothing', async () => {
    const res = await fetch(`${s.url}/oauth2/default/v1/token?grant_type=client_credentials&client_id=${app.clientId}&client_secret=${app.secret}`);
    assert.equal(res.status, 405);
  });

  it('TRACE is refused and reflects nothing (no cross-site tracing)', async () => {
    for (const path of ['/oauth2/default/v1/token', '/oauth2/default/v1/authorize', '/login/login.htm', '/']) {
      const res = await raw('TRACE', path, { cookie: 'sid=secret-cookie-value', authorization: 'Basic c2VjcmV0' });
      assert.ok(res.status === 405 || res.status === 404, `${path}: ${res.status}`);
      assert.ok(!res.body.includes('secret-cookie-value') && !res.body.includes('c2VjcmV0'), res.body);
      assert.ok(!String(res.headers['content-type'] ?? '').includes('message/http'));
    }
  });

  it('OPTIONS (with or without a preflight) answers 204 and never issues anything', async () => {
    for (const path of ['/oauth2/default/v1/authorize', '/oauth2/default/v1/token', '/login/login.htm', '/oauth2/default/v1/logout']) {
      const variants: Record<string, string>[] = [{}, { origin: 'https://evil.example', 'access-control-request-method': 'POST' }];
      for (const headers of variants) {
        const res = await fetch(`${s.url}${path}?${new URLSearchParams(codeRequest(app))}`, { method: 'OPTIONS', headers, redirect: 'manual' });
        assert.equal(res.status, 204, path);
        assert.equal(res.headers.get('location'), null);
        assert.equal(res.headers.get('access-control-allow-origin'), null);
        assert.equal(res.headers.get('set-cookie'), null);
      }
    }
  });

  it('HEAD /authorize spends nothing', async () => {
    const res = await b.fetch(authorizePath(codeRequest(app)), { method: 'HEAD' });
    assert.equal(res.headers.get('location'), null);
  });
});

describe('CORS (never * with credentials)', () => {
  const paths = ['/oauth2/default/v1/token', '/oauth2/default/v1/keys', '/oauth2/default/v1/userinfo', '/oauth2/default/.well-known/openid-configuration', '/api/v1/sessions/me', '/api/v1/authn'];

  it('untrusted, null, look-alike and malformed origins get no CORS headers', async () => {
    const origins = ['https://evil.example', 'null', 'https://app.example.com.evil.example', 'https://evil.example/https://app.example.com', 'http://app.example.com', 'https://app.example.com:444', '*', 'file://'];
    for (const path of paths) {
      for (const origin of origins) {
        for (const method of ['GET', 'OPTIONS']) {
          const res = await fetch(`${s.url}${path}`, { method, headers: { origin, 'access-control-request-method': 'POST' } });
          assert.equal(res.headers.get('access-control-allow-origin'), null, `${method} ${path} ${origin}`);
          assert.equal(res.headers.get('access-control-allow-credentials'), null);
        }
      }
    }
  });

  it('an allowed origin is echoed exactly with credentials, never *', async () => {
    for (const path of ['/oauth2/default/v1/token', '/oauth2/default/v1/keys', '/oauth2/default/v1/userinfo']) {
      const res = await fetch(`${s.url}${path}`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example.com', path);
      assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
      assert.match(res.headers.get('vary') ?? '', /Origin/);
    }
  });

  it('no endpoint ever answers Access-Control-Allow-Origin: *', async () => {
    const tokens = await codeFlowTokens(s, b, app);
    const responses = [
      await fetch(`${s.url}/oauth2/default/v1/keys`, { headers: { origin: 'https://app.example.com' } }),
      await fetch(`${s.url}/oauth2/default/v1/userinfo`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${tokens.access_token}` } }),
      await fetch(`${s.url}/.well-known/openid-configuration`, { headers: { origin: 'https://evil.example' } }),
      await fetch(`${s.url}/login/login.htm`, { headers: { origin: 'https://evil.example' } }),
    ];
    for (const res of responses) assert.notEqual(res.headers.get('access-control-allow-origin'), '*');
  });
});
