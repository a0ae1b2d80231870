/**
 * Attack probes on where the browser is sent (RFC 9700 §4.1 redirect URI manipulation, §4.11 open
 * redirectors, §4.4 mix-up / RFC 9207): a redirect_uri that is not registered exactly is an error
 * page with no Location; errors of a trusted client only ever go to its registered URI; every
 * authorization response, errors included and in every response mode, carries `iss`; the
 * sessionCookieRedirect and logout endpoints never bounce to an unregistered target.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/domain/model.js';
import { addScope, assign } from '../oauth/fixtures.js';
import {
  Browser, formFields, pageSecurityProblems, postMessageData, readAuthorizationResponse, responseParams, type Mode,
} from '../support/browser.js';
import {
  authorizePath, codeFlowTokens, codeRequest, issuerOf, newApp, newUser, PASSWORD, signedInBrowser, startSecurityServer,
  type SecurityServer, type TestApp,
} from './support.js';

const CB = 'https://app.example.com/callback';
const ILLEGAL_REDIRECT = "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.";

let s: SecurityServer;
let app: TestApp;
let twoUris: TestApp;
let other: TestApp;
let user: User;
let b: Browser;

before(async () => {
  s = await startSecurityServer();
  app = await newApp(s, { redirectUris: [CB, 'http://127.0.0.1:7777/cb?tenant=a', 'com.example.app:/oauth'], postLogoutRedirectUris: ['https://app.example.com/bye'] });
  twoUris = await newApp(s, { redirectUris: ['https://two.example.com/a', 'https://two.example.com/b'] });
  other = await newApp(s, { redirectUris: ['https://other.example.com/cb'] });
  user = await newUser(s, [app, twoUris, other]);
  b = await signedInBrowser(s, app, user);
});
after(() => s.close());

async function expectErrorPage(res: Response, description = ILLEGAL_REDIRECT): Promise<void> {
  const html = await res.text();
  assert.equal(res.headers.get('location'), null, 'no redirect');
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
  assert.deepEqual(pageSecurityProblems(res), []);
  assert.ok(html.includes(description.replace(/'/g, '&#39;')), html);
  assert.ok(!/<form[^>]*action="https?:/i.test(html), 'no form posting anywhere');
  assert.ok(!html.includes('postMessage'), 'no message to anyone');
}

describe('redirect URI manipulation (RFC 9700 §4.1, ASVS 10.4.1): exact match or an error page', () => {
  const variants = [
    ['path suffix', `${CB}/evil`], ['path suffix without slash', `${CB}evil`], ['dot segments', `${CB}/../evil`],
    ['trailing slash', `${CB}/`], ['upper-case path', 'https://app.example.com/CALLBACK'], ['upper-case scheme and host', 'HTTPS://APP.EXAMPLE.COM/callback'],
    ['http instead of https', 'http://app.example.com/callback'], ['explicit default port', 'https://app.example.com:443/callback'],
    ['other port', 'https://app.example.com:8443/callback'], ['added query', `${CB}?next=https://evil.example`],
    ['empty query', `${CB}?`], ['fragment', `${CB}#x`], ['empty fragment', `${CB}#`],
    ['userinfo before the host', 'https://evil.example@app.example.com/callback'], ['userinfo after the host', 'https://app.example.com@evil.example/callback'],
    ['backslash authority', 'https://app.example.com\\@evil.example/callback'], ['percent-encoded path', 'https://app.example.com/%63allback'],
    ['percent-encoded slash', 'https://app.example.com%2Fcallback'], ['encoded NUL', `${CB}%00`], ['raw NUL', `${CB}\u0000`],
    ['trailing space', `${CB} `], ['leading space', ` ${CB}`], ['tab', `${CB}\t`], ['suffix host', 'https://app.example.com.evil.example/callback'],
    ['IDN homograph', 'https://аpp.example.com/callback'], ['changed registered query', 'http://127.0.0.1:7777/cb?tenant=b'],
    ['added parameter to registered query', 'http://127.0.0.1:7777/cb?tenant=a&x=1'], ['reordered registered query', 'http://127.0.0.1:7777/cb?tenant=a&'],
    ['dropped registered query', 'http://127.0.0.1:7777/cb'], ['native scheme with host', 'com.example.app://oauth'],
    ['javascript', 'javascript:alert(1)'], ['data', 'data:text/html,hi'], ['another app\'s URI', 'https://other.example.com/cb'],
  ] as const;
  for (const [name, uri] of variants) {
    it(`${name}: ${JSON.stringify(uri)}`, async () => {
      await expectErrorPage(await b.get(authorizePath(codeRequest(app, { redirect_uri: uri }))));
    });
  }

  it('the registered URIs themselves work, a registered query is kept as is', async () => {
    for (const uri of [CB, 'http://127.0.0.1:7777/cb?tenant=a', 'com.example.app:/oauth']) {
      const res = await b.get(authorizePath(codeRequest(app, { redirect_uri: uri })));
      assert.equal(res.status, 302);
      assert.ok(res.headers.get('location')!.startsWith(uri.includes('?') ? `${uri}&` : `${uri}?`), res.headers.get('location')!);
    }
  });

  it('two registered URIs and redirect_uri omitted: error page (oidcc-ensure-redirect-uri-in-authorization-request)', async () => {
    const params = codeRequest(twoUris);
    delete (params as Record<string, string | undefined>).redirect_uri;
    await expectErrorPage(await b.get(authorizePath(params)));
  });

  it('a single registered URI and redirect_uri omitted: still an error page (Okta requires it)', async () => {
    const params = codeRequest(other);
    delete (params as Record<string, string | undefined>).redirect_uri;
    await expectErrorPage(await b.get(authorizePath(params)));
  });

  it('a repeated redirect_uri is an error page even when both copies are registered', async () => {
    await expectErrorPage(await b.get(`${authorizePath(codeRequest(app))}&redirect_uri=${encodeURIComponent(CB)}`));
  });

  it('over POST as well', async () => {
    const res = await b.postForm('/oauth2/default/v1/authorize', codeRequest(app, { redirect_uri: `${CB}/evil` }));
    await expectErrorPage(res);
  });
});

describe('open redirector (RFC 9700 §4.11)', () => {
  it('an unknown, inactive or missing client is an error page, whatever redirect_uri says', async () => {
    const inactive = await newApp(s, { status: 'INACTIVE', redirectUris: ['https://evil.example/cb'] });
    for (const clientId of ['0oaDoesNotExist123456', inactive.clientId, '']) {
      const res = await b.get(authorizePath({ ...codeRequest(app, { redirect_uri: 'https://evil.example/cb' }), client_id: clientId }));
      assert.equal(res.headers.get('location'), null);
      assert.ok(res.status >= 400 && res.status < 500);
    }
  });

  const errorCases: [string, () => Promise<Response>, string][] = [
    ['invalid scope', () => b.get(authorizePath(codeRequest(app, { scope: 'openid no-such-scope' }))), 'invalid_scope'],
    ['unsupported response_type', () => b.get(authorizePath(codeRequest(app, { response_type: 'code evil' }))), 'unsupported_response_type'],
    ['prompt=none without a session', () => new Browser(s.url).get(authorizePath(codeRequest(app, { prompt: 'none' }))), 'login_required'],
    ['invalid prompt', () => b.get(authorizePath(codeRequest(app, { prompt: 'none login' }))), 'invalid_request'],
    ['PKCE plain', () => b.get(authorizePath(codeRequest(app, { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }))), 'invalid_request'],
  ];
  for (const [name, run, error] of errorCases) {
    it(`${name}: the error goes to the registered URI only, with state and iss`, async () => {
      const res = await run();
      assert.equal(res.status, 302);
      const location = res.headers.get('location')!;
      assert.ok(location.startsWith(`${CB}?`), location);
      const p = responseParams(location, 'query');
      assert.equal(p.error, error, JSON.stringify(p));
      assert.equal(p.state, 'st-1');
      assert.equal(p.iss, issuerOf(s));
      assert.equal(p.code, undefined);
    });
  }

  it('an error never follows a redirect_uri that was not registered, even with prompt=none', async () => {
    await expectErrorPage(await new Browser(s.url).get(authorizePath(codeRequest(app, { prompt: 'none', redirect_uri: 'https://evil.example/cb' }))));
    await expectErrorPage(await b.get(authorizePath(codeRequest(app, { scope: 'bogus', redirect_uri: 'https://evil.example/cb' }))));
  });

  it('a user not assigned to the app: access_denied, to the registered URI only', async () => {
    const stranger = await newUser(s, []);
    const sb = new Browser(s.url);
    const first = await sb.get(authorizePath(codeRequest(app)));
    const page = await sb.get(first.headers.get('location')!);
    const posted = await sb.postForm('/login/login.htm', { ...formFields(await page.text()), username: stranger.profile.login, password: PASSWORD });
    const res = await sb.follow(posted);
    const p = responseParams(res.headers.get('location')!, 'query');
    assert.ok(res.headers.get('location')!.startsWith(`${CB}?`));
    assert.equal(p.error, 'access_denied');
    assert.equal(p.iss, issuerOf(s));
  });

  it('/login/sessionCookieRedirect never redirects off the org or to an unregistered URI', async () => {
    const evil = [
      'https://evil.example/', '//evil.example/', '/\\evil.example/', '\\\\evil.example', 'https:evil.example', 'http://user@evil.example/',
      `${s.url}@evil.example/`, 'javascript:alert(1)', 'data:text/html,x', `${CB}/evil`, `${CB}?x=1`, 'HTTPS://app.example.com/callback',
      ' https://evil.example', 'https://evil.example%2F@app.example.com/callback', '/%2F%2Fevil.example',
    ];
    for (const target of evil) {
      const res = await fetch(`${s.url}/login/sessionCookieRedirect?token=${'x'.repeat(40)}&redirectUrl=${encodeURIComponent(target)}`, { redirect: 'manual' });
      assert.equal(res.headers.get('location'), null, target);
      assert.equal(res.status, 400, target);
      assert.deepEqual(pageSecurityProblems(res), []);
    }
  });
});

describe('consent (RFC 9700 §4.11: denial goes to the registered URI only; RFC 6819 §4.4.1.8: CSRF)', () => {
  let consentApp: TestApp;
  before(async () => {
    await addScope(s.container, 'default', 'photos:read', { consent: 'REQUIRED' });
    consentApp = await newApp(s, { redirectUris: ['https://photos.example.com/cb'] });
    consentApp.app.body.settings.oauthClient.consent_method = 'REQUIRED';
    await s.container.store.apps.update(consentApp.app);
    s.container.cache.invalidateClient(consentApp.clientId);
    await assign(s.container, consentApp, user);
  });

  async function consentForm(browser: Browser): Promise<Record<string, string>> {
    const res = await browser.get(authorizePath(codeRequest(consentApp, { scope: 'openid photos:read' })));
    assert.equal(res.status, 303, await res.text());
    assert.ok(res.headers.get('location')!.startsWith('/login/consent?tx='));
    const page = await browser.get(res.headers.get('location')!);
    assert.deepEqual(pageSecurityProblems(page), []);
    return formFields(await page.text());
  }

  it('Deny: access_denied with state and iss, to the registered URI only', async () => {
    const fields = await consentForm(b);
    const res = await b.postForm('/login/consent', { ...fields, decision: 'deny' });
    assert.equal(res.status, 303);
    const location = res.headers.get('location')!;
    assert.ok(location.startsWith('https://photos.example.com/cb?'), location);
    const p = responseParams(location, 'query');
    assert.equal(p.error, 'access_denied');
    assert.equal(p.state, 'st-1');
    assert.equal(p.iss, issuerOf(s));
    assert.equal(p.code, undefined);
  });

  it('prompt=none with consent still needed: consent_required to the registered URI', async () => {
    const res = await b.get(authorizePath(codeRequest(consentApp, { scope: 'openid photos:read', prompt: 'none' })));
    const p = responseParams(res.headers.get('location')!, 'query');
    assert.ok(res.headers.get('location')!.startsWith('https://photos.example.com/cb?'));
    assert.equal(p.error, 'consent_required');
    assert.equal(p.iss, issuerOf(s));
  });

  it('a cross-site or token-less Allow is refused and grants nothing', async () => {
    const fields = await consentForm(b);
    const forged = await fetch(`${s.url}/login/consent`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sid=${b.jar.get('sid')}` },
      body: new URLSearchParams({ tx: fields.tx!, decision: 'allow' }),
    });
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.get('location'), null);
    const foreign = await b.postForm('/login/consent', { ...fields, decision: 'allow' }, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    const still = await b.get(authorizePath(codeRequest(consentApp, { scope: 'openid photos:read', prompt: 'none' })));
    assert.equal(responseParams(still.headers.get('location')!, 'query').error, 'consent_required');
  });

  it("another user's consent transaction does not answer for this user", async () => {
    const fields = await consentForm(b);
    const mallory = await newUser(s, [consentApp]);
    const mb = await signedInBrowser(s, app, mallory);
    const csrf = await mb.get('/login/login.htm');
    const res = await mb.postForm('/login/consent', { ...fields, csrf: formFields(await csrf.text()).csrf!, decision: 'allow' });
    const location = res.headers.get('location') ?? '';
    assert.ok(!location.includes('code='), location);
  });
});

describe('logout redirects (OIDC RP-Initiated Logout; ASVS 10.6.2)', () => {
  // Logout ends sessions: each test signs in a browser of its own.
  it('an unregistered or modified post_logout_redirect_uri is an error page, not a redirect', async () => {
    const lb = await signedInBrowser(s, app, user);
    const hint = (await codeFlowTokens(s, lb, app)).id_token as string;
    for (const uri of ['https://evil.example/bye', 'https://app.example.com/bye?x=1', 'https://app.example.com/bye/', CB, 'https://app.example.com/BYE']) {
      const res = await lb.get(`/oauth2/default/v1/logout?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: uri, state: 's' })}`);
      assert.equal(res.headers.get('location'), null, uri);
      assert.equal(res.status, 400, uri);
    }
  });

  it('without id_token_hint a registered URI is not followed (forced-logout bounce)', async () => {
    const lb = await signedInBrowser(s, app, user);
    const res = await lb.get(`/oauth2/default/v1/logout?${new URLSearchParams({ post_logout_redirect_uri: 'https://app.example.com/bye', state: 's' })}`);
    assert.equal(res.headers.get('location'), null);
    assert.deepEqual(pageSecurityProblems(res), []);
  });

  it('with a valid hint the registered URI is followed with state, nothing else', async () => {
    const fresh = await signedInBrowser(s, app, user);
    const tokens = await codeFlowTokens(s, fresh, app);
    const res = await fresh.get(`/oauth2/default/v1/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://app.example.com/bye', state: 's' })}`);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), 'https://app.example.com/bye?state=s');
  });
});

describe('mix-up (RFC 9700 §4.4, RFC 9207): iss on every authorization response', () => {
  const cases: [string, Mode, Record<string, string>][] = [
    ['code, query', 'query', {}],
    ['code, fragment', 'fragment', { response_mode: 'fragment' }],
    ['code, form_post', 'form_post', { response_mode: 'form_post' }],
    ['code, okta_post_message', 'okta_post_message', { response_mode: 'okta_post_message' }],
    ['id_token token, fragment', 'fragment', { response_type: 'id_token token' }],
    ['code id_token, form_post', 'form_post', { response_type: 'code id_token', response_mode: 'form_post' }],
    ['id_token, okta_post_message', 'okta_post_message', { response_type: 'id_token', response_mode: 'okta_post_message' }],
  ];
  for (const server of ['default', 'org']) {
    for (const [name, mode, extra] of cases) {
      it(`${server}: success, ${name}`, async () => {
        const p = await readAuthorizationResponse(await b.get(authorizePath(codeRequest(app, extra), server)), mode);
        assert.equal(p.error, undefined, JSON.stringify(p));
        assert.equal(p.iss, issuerOf(s, server));
        assert.equal(p.state, 'st-1');
      });
      it(`${server}: error, ${name}`, async () => {
        const p = await readAuthorizationResponse(await b.get(authorizePath(codeRequest(app, { ...extra, scope: 'openid not-a-scope' }), server)), mode);
        assert.ok(p.error, JSON.stringify(p));
        assert.equal(p.iss, issuerOf(s, server));
        assert.equal(p.state, 'st-1');
      });
    }
  }

  it('login_required to a post-message iframe carries iss, addressed to the app origin only', async () => {
    const res = await new Browser(s.url).get(authorizePath(codeRequest(app, { prompt: 'none', response_mode: 'okta_post_message' })));
    const { data, origin } = postMessageData(await res.text());
    assert.equal(data.error, 'login_required');
    assert.equal(data.iss, issuerOf(s));
    assert.equal(origin, 'https://app.example.com');
  });

  it('discovery advertises authorization_response_iss_parameter_supported', async () => {
    for (const server of ['default', 'org']) {
      const path = server === 'org' ? '/.well-known/openid-configuration' : '/oauth2/default/.well-known/openid-configuration';
      const doc = await (await fetch(`${s.url}${path}`)).json() as Record<string, unknown>;
      assert.equal(doc.authorization_response_iss_parameter_supported, true);
      assert.equal(doc.issuer, issuerOf(s, server));
    }
  });

  it('a password typed into the sign-in page is never echoed to the app', async () => {
    const sb = new Browser(s.url);
    const first = await sb.get(authorizePath(codeRequest(app)));
    const page = await sb.get(first.headers.get('location')!);
    const posted = await sb.postForm('/login/login.htm', { ...formFields(await page.text()), username: user.profile.login, password: PASSWORD });
    const res = await sb.follow(posted);
    assert.ok(!res.headers.get('location')!.includes(encodeURIComponent(PASSWORD)));
  });
});
