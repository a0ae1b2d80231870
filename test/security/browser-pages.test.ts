/**
 * What a browser sees (RFC 9700 §4.2, §4.3, §4.12, §4.16; RFC 6819 §4.4.1.8; ASVS 3.3, 3.4, 7.2):
 * every UI page (sign-in in all its states, error pages, signed-in / signed-out notices, form_post
 * and okta_post_message) carries the anti-framing, no-referrer, no-store and nosniff headers and loads
 * nothing from anywhere; credential POSTs answer 303, never 307/308; the sign-in form refuses
 * cross-site posts; every sign-in mints a new session id and kills the old one; logout without a
 * hint does not redirect; HSTS is sent when the org URL is https (and only then).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/domain/model.js';
import { Browser, formFields, pageSecurityProblems, setCookies } from '../support/browser.js';
import {
  authorizePath, codeFlowTokens, codeRequest, newApp, newUser, PASSWORD, postForm, signedInBrowser, startSecurityServer,
  tokenUrl, userinfo, type SecurityServer, type TestApp,
} from './support.js';

let s: SecurityServer;
let app: TestApp;
let user: User;

before(async () => {
  s = await startSecurityServer();
  app = await newApp(s, { postLogoutRedirectUris: ['https://app.example.com/bye'] });
  user = await newUser(s, [app]);
});
after(() => s.close());

/** A fresh browser at the sign-in page of an /authorize request; returns the page and its form. */
async function openSignIn(b = new Browser(s.url)): Promise<{ b: Browser; page: Response; html: string; fields: Record<string, string> }> {
  const first = await b.get(authorizePath(codeRequest(app)));
  assert.equal(first.status, 303);
  const page = await b.get(first.headers.get('location')!);
  const html = await page.text();
  return { b, page, html, fields: formFields(html) };
}

/** Any reference to a resource (script, style, image, frame, font…) outside the page itself. */
function externalResources(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<(script|link|img|iframe|frame|embed|object|source|video|audio|base)\b[^>]*>/gi)) found.push(m[0]);
  for (const m of html.matchAll(/(?:url\(|@import)\s*['"]?[^)'";]*/gi)) found.push(m[0]);
  for (const m of html.matchAll(/\b(?:src|srcset|href|background|poster)\s*=\s*"[^"]*"/gi)) found.push(m[0]);
  // Inline scripts (the form_post / post-message scripts) are fine; a script loaded from a URL is not.
  return found.filter((f) => !/^<script nonce="[^"]+">$/i.test(f));
}

async function checkPage(name: string, res: Response, opts: { frameable?: string; status?: number } = {}): Promise<string> {
  const html = await res.text();
  if (opts.status !== undefined) assert.equal(res.status, opts.status, `${name}: ${html.slice(0, 300)}`);
  assert.deepEqual(pageSecurityProblems(res, opts.frameable ? { frameable: opts.frameable } : {}), [], name);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', name);
  assert.deepEqual(externalResources(html), [], `${name} loads nothing`);
  assert.ok(html.includes('<meta name="referrer" content="no-referrer">'), name);
  return html;
}

describe('UI pages: clickjacking, Referer, caching, third-party resources', () => {
  it('the sign-in page, bare and for an /authorize request', async () => {
    await checkPage('bare sign-in', await fetch(`${s.url}/login/login.htm`), { status: 200 });
    const { page } = await openSignIn();
    assert.equal(page.status, 200);
    assert.deepEqual(pageSecurityProblems(page), []);
  });

  it('failed sign-in, CSRF failure and signed-in notice', async () => {
    const { b, fields } = await openSignIn();
    await checkPage('failed sign-in', await b.postForm('/login/login.htm', { ...fields, username: user.profile.login, password: 'wrong' }), { status: 401 });
    await checkPage('CSRF failure', await b.postForm('/login/login.htm', { ...fields, csrf: 'x'.repeat(43), username: user.profile.login, password: PASSWORD }), { status: 403 });
    const bare = new Browser(s.url);
    const page = await bare.get('/login/login.htm');
    const signedIn = await bare.postForm('/login/login.htm', { ...formFields(await page.text()), username: user.profile.login, password: PASSWORD });
    await checkPage('signed-in notice', signedIn, { status: 200 });
  });

  it('error pages of /authorize, /logout, sessionCookieRedirect and a tampered transaction', async () => {
    await checkPage('authorize error', await fetch(`${s.url}${authorizePath({ client_id: 'nope' })}`, { redirect: 'manual' }), { status: 400 });
    await checkPage('logout error', await fetch(`${s.url}/oauth2/default/v1/logout?id_token_hint=x.y.z`, { redirect: 'manual' }), { status: 400 });
    await checkPage('sessionCookieRedirect error', await fetch(`${s.url}/login/sessionCookieRedirect?token=x&redirectUrl=https://evil.example`, { redirect: 'manual' }), { status: 400 });
    await checkPage('tampered tx', await fetch(`${s.url}/login/login.htm?tx=${'A'.repeat(80)}`, { redirect: 'manual' }), { status: 400 });
    await checkPage('tampered tx at authorize', await fetch(`${s.url}/oauth2/default/v1/authorize?tx=${'A'.repeat(80)}`, { redirect: 'manual' }), { status: 400 });
    await checkPage('authorize JSON post', await fetch(`${s.url}/oauth2/default/v1/authorize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', redirect: 'manual' }), { status: 400 });
  });

  it('the signed-out page', async () => {
    await checkPage('signed out', await fetch(`${s.url}/oauth2/default/v1/logout`, { redirect: 'manual' }), { status: 200 });
  });

  it('form_post: not frameable; form-action admits the redirect origin only', async () => {
    const b = await signedInBrowser(s, app, user);
    const res = await b.get(authorizePath(codeRequest(app, { response_mode: 'form_post' })));
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /form-action 'self' https:\/\/app\.example\.com(;|$)/);
    const html = await checkPage('form_post', res, { status: 200 });
    assert.ok(html.includes('action="https://app.example.com/callback"'));
  });

  it('okta_post_message: frameable by the app origin only, message addressed to it only', async () => {
    const b = await signedInBrowser(s, app, user);
    const res = await b.get(authorizePath(codeRequest(app, { response_mode: 'okta_post_message', prompt: 'none' })));
    const html = await checkPage('post message', res, { status: 200, frameable: 'https://app.example.com' });
    assert.ok(!html.includes("postMessage(data, '*')") && !html.includes('"*"'));
  });
});

describe('303 after credential POSTs (RFC 9700 §4.12)', () => {
  it('sign-in, POST /authorize and POST /logout answer 303, and nothing answers 307 or 308', async () => {
    const { b, fields } = await openSignIn();
    const signIn = await b.postForm('/login/login.htm', { ...fields, username: user.profile.login, password: PASSWORD });
    assert.equal(signIn.status, 303);
    const post = await b.postForm('/oauth2/default/v1/authorize', codeRequest(app));
    assert.equal(post.status, 303);
    assert.ok(post.headers.get('location')!.startsWith('https://app.example.com/callback?'));
    const tokens = await codeFlowTokens(s, b, app);
    const logout = await b.postForm('/oauth2/default/v1/logout', { id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://app.example.com/bye' });
    assert.equal(logout.status, 303);
    const error = await new Browser(s.url).postForm('/oauth2/default/v1/authorize', codeRequest(app, { prompt: 'none' }));
    assert.equal(error.status, 303);
  });

  it('a POSTed sign-in that needs the page answers 303 too', async () => {
    const res = await new Browser(s.url).postForm('/oauth2/default/v1/authorize', codeRequest(app));
    assert.equal(res.status, 303);
    assert.ok(res.headers.get('location')!.startsWith('/login/login.htm?tx='));
  });
});

describe('CSRF on sign-in (RFC 6819 §4.4.1.8)', () => {
  it('a cross-site POST (no cookie, no token) is refused and starts no session', async () => {
    const { fields } = await openSignIn();
    const res = await fetch(`${s.url}/login/login.htm`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ tx: fields.tx!, username: user.profile.login, password: PASSWORD }),
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('location'), null);
    assert.equal(setCookies(res).find((c) => c.name === 'sid'), undefined);
  });

  it("another browser's token, a token without its cookie, or a foreign Origin: refused", async () => {
    const victim = await openSignIn();
    const attacker = await openSignIn();
    const tries: [Browser, Record<string, string>, Record<string, string>][] = [
      [victim.b, { ...victim.fields, csrf: attacker.fields.csrf! }, {}],
      [new Browser(s.url), victim.fields, {}],
      [victim.b, victim.fields, { origin: 'https://evil.example' }],
      [victim.b, victim.fields, { origin: `${s.url}.evil.example` }],
    ];
    for (const [browser, form, headers] of tries) {
      const res = await browser.postForm('/login/login.htm', { ...form, username: user.profile.login, password: PASSWORD }, headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal(browser.jar.get('sid'), undefined);
    }
  });

  it('the anti-CSRF and session cookies are HttpOnly and SameSite', async () => {
    const { page } = await openSignIn();
    const csrf = setCookies(page).find((c) => c.name === 'gh_csrf')!;
    for (const attr of ['HttpOnly', 'Path=/']) assert.ok(csrf.attributes.includes(attr), attr);
    assert.ok(csrf.attributes.some((a) => /^SameSite=(Lax|Strict)$/.test(a)));
  });
});

describe('session fixation (ASVS 7.2.4) and session ids (ASVS 7.2.3)', () => {
  it('each sign-in sets a new, long, random session id; the previous one stops working', async () => {
    const { b, fields } = await openSignIn();
    await b.postForm('/login/login.htm', { ...fields, username: user.profile.login, password: PASSWORD });
    const first = b.jar.get('sid')!;
    assert.ok(first.length >= 22, 'at least 128 bits');
    const again = await b.get(authorizePath(codeRequest(app, { prompt: 'login' })));
    const page = await b.get(again.headers.get('location')!);
    const res = await b.postForm('/login/login.htm', { ...formFields(await page.text()), username: user.profile.login, password: PASSWORD });
    assert.equal(res.status, 303);
    const second = b.jar.get('sid')!;
    assert.notEqual(second, first);
    const old = await new Browser(s.url).get(authorizePath(codeRequest(app, { prompt: 'none' })), { cookie: `sid=${first}` });
    assert.ok(old.headers.get('location')!.includes('error=login_required'), 'the old id is dead');
    const current = await new Browser(s.url).get(authorizePath(codeRequest(app, { prompt: 'none' })), { cookie: `sid=${second}` });
    assert.ok(current.headers.get('location')!.includes('code='));
  });

  it('a session id planted before sign-in is not adopted', async () => {
    const planted = 'A'.repeat(43);
    const b = new Browser(s.url);
    b.jar.set('sid', planted);
    const { fields } = await openSignIn(b);
    await b.postForm('/login/login.htm', { ...fields, username: user.profile.login, password: PASSWORD });
    assert.notEqual(b.jar.get('sid'), planted);
    const res = await new Browser(s.url).get(authorizePath(codeRequest(app, { prompt: 'none' })), { cookie: `sid=${planted}` });
    assert.ok(res.headers.get('location')!.includes('error=login_required'));
  });

  it('a sessionToken exchange also mints a new id', async () => {
    const b = await signedInBrowser(s, app, user);
    const before = b.jar.get('sid');
    const authn = await fetch(`${s.url}/api/v1/authn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user.profile.login, password: PASSWORD }) });
    const { sessionToken } = await authn.json() as { sessionToken: string };
    const res = await b.get(authorizePath(codeRequest(app, { sessionToken })));
    assert.equal(res.status, 302);
    assert.notEqual(b.jar.get('sid'), before);
    const old = await new Browser(s.url).get(authorizePath(codeRequest(app, { prompt: 'none' })), { cookie: `sid=${before}` });
    assert.ok(old.headers.get('location')!.includes('error=login_required'));
  });
});

describe('forced logout (ASVS 10.6.2)', () => {
  it('logout without id_token_hint never redirects, not even to a registered URI', async () => {
    const cases: Record<string, string>[] = [{ post_logout_redirect_uri: 'https://app.example.com/bye' }, { post_logout_redirect_uri: 'https://app.example.com/bye', state: 'x' }];
    for (const params of cases) {
      const b = await signedInBrowser(s, app, user);
      const res = await b.get(`/oauth2/default/v1/logout?${new URLSearchParams(params)}`);
      assert.equal(res.headers.get('location'), null);
      assert.equal(res.status, 200);
    }
  });

  it('the session cookie is SameSite, so a cross-site subresource cannot carry it to /logout', async () => {
    const { b, fields } = await openSignIn();
    const res = await b.postForm('/login/login.htm', { ...fields, username: user.profile.login, password: PASSWORD });
    const sid = setCookies(res).find((c) => c.name === 'sid')!;
    assert.ok(sid.attributes.some((a) => /^SameSite=(Lax|Strict)$/.test(a)));
    assert.ok(sid.attributes.includes('HttpOnly'));
  });
});

describe('response headers', () => {
  it('token responses, token errors, introspection and userinfo are no-store', async () => {
    const b = await signedInBrowser(s, app, user);
    const tokens = await codeFlowTokens(s, b, app);
    const refreshed = await postForm(tokenUrl(s), { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.secret}`).toString('base64')}` });
    const failed = await postForm(tokenUrl(s), { grant_type: 'authorization_code', code: 'nope', redirect_uri: app.redirectUri },
      { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.secret}`).toString('base64')}` });
    const introspected = await postForm(`${s.url}/oauth2/default/v1/introspect`, { token: tokens.access_token },
      { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.secret}`).toString('base64')}` });
    const info = await userinfo(s, tokens.access_token);
    const unauth = await userinfo(s, 'nope');
    for (const [name, r] of [['refresh', refreshed], ['token error', failed], ['introspect', introspected], ['userinfo', info], ['userinfo 401', unauth]] as const) {
      assert.match(r.headers.get('cache-control') ?? '', /no-store/, name);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', name);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/, name);
    }
  });

  it('authorization redirects are no-store and no-referrer', async () => {
    const b = await signedInBrowser(s, app, user);
    const res = await b.get(authorizePath(codeRequest(app)));
    assert.equal(res.status, 302);
    assert.match(res.headers.get('cache-control')!, /no-store/);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  });

  it('an access token in the query is refused at userinfo (RFC 9700 §4.3.2, OAuth 2.1)', async () => {
    const b = await signedInBrowser(s, app, user);
    const tokens = await codeFlowTokens(s, b, app);
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${s.url}/oauth2/default/v1/userinfo?access_token=${tokens.access_token}`, { method });
      assert.equal(res.status, 400, method);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
    }
  });

  it('no HSTS on a plain-http org', async () => {
    assert.equal((await fetch(`${s.url}/oauth2/default/v1/keys`)).headers.get('strict-transport-security'), null);
  });

  it('HSTS on every response when the org URL is https', async () => {
    const secure = await startSecurityServer({ GATEHOUSE_ORG_URL: 'https://login.example.com' });
    try {
      const responses = [
        await fetch(`${secure.url}/oauth2/default/v1/keys`),
        await fetch(`${secure.url}/login/login.htm`),
        await fetch(`${secure.url}/oauth2/default/v1/authorize?client_id=x`, { redirect: 'manual' }),
        await fetch(`${secure.url}/oauth2/default/v1/token`, { method: 'POST' }),
        await fetch(`${secure.url}/api/v1/users`),
        await fetch(`${secure.url}/nowhere`),
      ];
      for (const res of responses) {
        const hsts = res.headers.get('strict-transport-security') ?? '';
        const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0);
        assert.ok(maxAge >= 31_536_000, `${res.url}: ${hsts}`);
      }
    } finally {
      await secure.close();
    }
  });
});
