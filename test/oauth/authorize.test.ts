/**
 * /v1/authorize over real HTTP: error pages for untrusted clients and redirect URIs (exact matching),
 * every response type in every response mode with `state` and `iss`, Okta's error strings for bad
 * requests, PKCE, nonce, prompt / max_age / login_hint / id_token_hint, sessionToken redemption,
 * assignment and policy.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ID_PREFIX, newId, sha256 } from '../../src/crypto/ids.js';
import { systemScopes } from '../../src/domain/defaults.js';
import type { App, User } from '../../src/domain/model.js';
import { signJwt } from '../../src/keys/jwt.js';
import {
  assignUser, authorizeWithSignIn, Browser, createOidcApp, createUserWithPassword, formFields, jwtClaims,
  pageSecurityProblems, postMessageData, readAuthorizationResponse, responseParams, type Mode,
} from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'Correct-Horse-9';
const CB = 'https://app.example.com/callback';

let s: TestServer;
let user: User;
let other: User;
let web: App;
/** A browser signed in as `user`. */
let signedIn: Browser;

before(async () => {
  s = await startTestServer();
  const c = s.container;
  user = await createUserWithPassword(c, PASSWORD, { login: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
  other = await createUserWithPassword(c, PASSWORD, { login: 'bob@example.com' });
  web = await createOidcApp(c, { redirectUris: [CB, 'http://localhost:8080/cb?tenant=1'], label: 'Web <App>' });
  await assignUser(c, web, user);
  await assignUser(c, web, other);
  signedIn = new Browser(s.orgUrl);
  const res = await authorizeWithSignIn(signedIn, path(base()), user.profile.login, PASSWORD);
  assert.equal(res.status, 302);
});
after(() => s.close());

function base(extra: Record<string, string> = {}, app: App = web): Record<string, string> {
  return { client_id: app.clientId, redirect_uri: CB, response_type: 'code', scope: 'openid profile email', state: 'state-123', ...extra };
}

function path(params: Record<string, string>, server = 'default'): string {
  const prefix = server === 'org' ? '/oauth2/v1' : `/oauth2/${server}/v1`;
  return `${prefix}/authorize?${new URLSearchParams(params)}`;
}

const issuer = (server = 'default') => (server === 'org' ? s.orgUrl : `${s.orgUrl}/oauth2/${server}`);

async function expectErrorPage(res: Response, error: string, description: string): Promise<void> {
  const html = await res.text();
  assert.equal(res.status, 400, html);
  assert.equal(res.headers.get('location'), null);
  assert.deepEqual(pageSecurityProblems(res), []);
  assert.ok(html.includes(error), `page names ${error}`);
  assert.ok(html.includes(description.replace(/'/g, '&#39;')), `page says "${description}":\n${html}`);
}

async function expectRedirectError(res: Response, error: string, description: string, mode: Mode = 'query', server = 'default') {
  const p = await readAuthorizationResponse(res, mode);
  assert.equal(p.error, error, JSON.stringify(p));
  assert.equal(p.error_description, description);
  assert.equal(p.state, 'state-123');
  assert.equal(p.iss, issuer(server));
  return p;
}

function sessionCookieOf(b: Browser): string {
  return b.jar.get('sid')!;
}

async function ageSession(b: Browser, ms: number): Promise<void> {
  const store = s.container.store;
  const session = (await store.sessions.get(sha256(sessionCookieOf(b))))!;
  await store.sessions.update({ ...session, authTime: session.authTime - ms });
}

async function freshBrowser(who: User = user): Promise<Browser> {
  const b = new Browser(s.orgUrl);
  const res = await authorizeWithSignIn(b, path(base()), who.profile.login, PASSWORD);
  assert.equal(res.status, 302);
  return b;
}

describe('untrusted client or redirect URI: error page, never a redirect', () => {
  const cases: [string, () => Record<string, string>, string, string][] = [
    ['unknown client_id', () => base({ client_id: '0oaunknown' }), 'invalid_client', "Invalid value for 'client_id' parameter."],
    ['missing client_id', () => { const p = base(); delete p.client_id; return p; }, 'invalid_request', 'A client_id must be provided in the request.'],
    ['missing redirect_uri', () => { const p = base(); delete p.redirect_uri; return p; }, 'invalid_request',
      "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings."],
  ];
  for (const [name, params, error, description] of cases) {
    it(name, async () => expectErrorPage(await fetch(`${s.orgUrl}${path(params())}`, { redirect: 'manual' }), error, description));
  }

  it('an inactive app', async () => {
    const inactive = await createOidcApp(s.container, { status: 'INACTIVE' });
    await expectErrorPage(await signedIn.get(path(base({}, inactive))), 'invalid_client', "Invalid value for 'client_id' parameter.");
  });

  it('an unknown authorization server', async () => {
    await expectErrorPage(await signedIn.get(path(base(), 'nosuchserver')), 'invalid_request', 'The authorization server id is invalid.');
  });

  const attacks = [
    'https://app.example.com/callback/',
    'https://app.example.com/Callback',
    'HTTPS://APP.EXAMPLE.COM/callback',
    'https://app.example.com/callback?x=1',
    'https://app.example.com/callback#frag',
    'https://app.example.com/callback/../evil',
    'https://app.example.com/callbackevil',
    'https://app.example.com:443/callback',
    'https://app.example.com@evil.example/callback',
    'https://evil@app.example.com/callback',
    'https://app.example.com%2Fcallback',
    'https://app.example.com/%63allback',
    'https://app.example.com/callback%20',
    'https://app.example.com/callback%00',
    'https://app.example.com.evil.example/callback',
    'http://app.example.com/callback',
    'http://localhost:8080/cb',
    'http://localhost:8080/cb?tenant=1&x=2',
    'http://localhost:8081/cb?tenant=1',
    ' https://app.example.com/callback',
  ];
  for (const uri of attacks) {
    it(`redirect_uri ${JSON.stringify(uri)}`, async () => {
      await expectErrorPage(await signedIn.get(path(base({ redirect_uri: uri }))), 'invalid_request',
        "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.");
    });
  }

  it('a duplicated redirect_uri or client_id', async () => {
    const dupUri = `${path(base())}&redirect_uri=${encodeURIComponent(CB)}`;
    await expectErrorPage(await signedIn.get(dupUri), 'invalid_request',
      "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.");
    const dupClient = `${path(base())}&client_id=${web.clientId}`;
    await expectErrorPage(await signedIn.get(dupClient), 'invalid_request', 'A client_id must be provided in the request.');
  });

  it('a registered URI with its own query is matched exactly and its query kept', async () => {
    const res = await signedIn.get(path(base({ redirect_uri: 'http://localhost:8080/cb?tenant=1' })));
    assert.equal(res.status, 302);
    const location = res.headers.get('location')!;
    assert.ok(location.startsWith('http://localhost:8080/cb?tenant=1&code='), location);
  });

  it('HEAD neither spends nor issues anything', async () => {
    const head = await signedIn.fetch(path(base()), { method: 'HEAD' });
    assert.equal(head.headers.get('location'), null);
    assert.notEqual(head.status, 302);
  });

  it('POST without a form body is an error page', async () => {
    const res = await signedIn.fetch('/oauth2/default/v1/authorize', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(base()),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    assert.deepEqual(pageSecurityProblems(res), []);
  });
});

describe('response types × response modes', () => {
  const types = ['code', 'token', 'id_token', 'code id_token', 'code token', 'code id_token token', 'id_token token'];
  const modes: (Mode | undefined)[] = [undefined, 'query', 'fragment', 'form_post', 'okta_post_message'];
  for (const server of ['default', 'org']) {
    for (const type of types) {
      for (const mode of modes) {
        const tokens = type !== 'code';
        it(`${server}: response_type=${type} response_mode=${mode ?? '(default)'}`, async () => {
          const params = base({ response_type: type, nonce: 'nonce-abc', ...(mode ? { response_mode: mode } : {}) });
          const res = await signedIn.get(path(params, server));
          if (mode === 'query' && tokens) {
            await expectRedirectError(res, 'unsupported_response_mode',
              "'query' response mode cannot be used with either the 'id_token' or 'token' response types.", 'fragment', server);
            return;
          }
          const delivered: Mode = mode ?? (tokens ? 'fragment' : 'query');
          if (delivered === 'okta_post_message') assert.deepEqual(pageSecurityProblems(res.clone(), { frameable: 'https://app.example.com' }), []);
          if (delivered === 'form_post') assert.deepEqual(pageSecurityProblems(res.clone()), []);
          const p = await readAuthorizationResponse(res, delivered);
          assert.equal(p.state, 'state-123');
          assert.equal(p.iss, issuer(server));
          const words = type.split(' ');
          assert.equal(p.code !== undefined, words.includes('code'), 'code');
          assert.equal(p.access_token !== undefined, words.includes('token'), 'access_token');
          assert.equal(p.id_token !== undefined, words.includes('id_token'), 'id_token');
          if (p.access_token) {
            assert.equal(p.token_type, 'Bearer');
            assert.equal(p.expires_in, '3600');
            assert.equal(p.scope, 'openid profile email');
            const at = jwtClaims(p.access_token);
            assert.equal(at.iss, issuer(server));
            assert.equal(at.cid, web.clientId);
            assert.equal(at.uid, user.id);
            assert.equal(at.sub, user.profile.login);
          }
          if (p.id_token) {
            const idt = jwtClaims(p.id_token);
            assert.equal(idt.iss, issuer(server));
            assert.equal(idt.aud, web.clientId);
            assert.equal(idt.sub, user.id);
            assert.equal(idt.nonce, 'nonce-abc');
            assert.deepEqual(idt.amr, ['pwd']);
            assert.equal(idt.c_hash !== undefined, p.code !== undefined, 'c_hash iff code');
            assert.equal(idt.at_hash !== undefined, p.access_token !== undefined, 'at_hash iff access token');
            if (p.code) assert.equal(idt.c_hash, halfHash(p.code));
            if (p.access_token) assert.equal(idt.at_hash, halfHash(p.access_token));
            // Fat without an access token beside it, thin with one.
            assert.equal(idt.given_name !== undefined, p.access_token === undefined, 'fat iff no access token');
            assert.equal(idt.preferred_username, user.profile.login);
          }
        });
      }
    }
  }
});

function halfHash(v: string): string {
  const d = createHash('sha256').update(v, 'ascii').digest();
  return d.subarray(0, 16).toString('base64url');
}

describe('okta_post_message', () => {
  it('posts the response to the redirect URI origin only and may be framed by it alone', async () => {
    const res = await signedIn.get(path(base({ response_type: 'id_token', response_mode: 'okta_post_message', nonce: 'n', prompt: 'none' })));
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /frame-ancestors https:\/\/app\.example\.com(;|$)/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]+'/);
    assert.equal(res.headers.get('x-frame-options'), null);
    const html = await res.text();
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1];
    assert.ok(html.includes(`<script nonce="${nonce}">`));
    assert.ok(html.includes('postMessage(data, origin)'));
    const { data, origin } = postMessageData(html);
    assert.equal(origin, 'https://app.example.com');
    assert.equal(data.state, 'state-123');
    assert.ok(data.id_token);
  });

  it('carries login_required when there is no session', async () => {
    const res = await fetch(`${s.orgUrl}${path(base({ response_type: 'code', response_mode: 'okta_post_message', prompt: 'none' }))}`, { redirect: 'manual' });
    const p = await expectRedirectError(res, 'login_required', 'The client specified not to prompt, but the user is not logged in.', 'okta_post_message');
    assert.equal(p.code, undefined);
  });

  it('escapes hostile state inside the script', async () => {
    const evil = '</script><script>alert(1)</script>\u2028';
    const res = await signedIn.get(path(base({ response_type: 'code', response_mode: 'okta_post_message', state: evil })));
    const html = await res.text();
    assert.ok(!html.includes('</script><script>alert(1)'));
    assert.equal(postMessageData(html).data.state, evil);
  });

  it('form_post escapes values and admits only the redirect origin as form-action', async () => {
    const res = await signedIn.get(path(base({ response_mode: 'form_post', state: '"><img src=x>' })));
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /form-action 'self' https:\/\/app\.example\.com(;|$)/);
    const html = await res.text();
    assert.ok(!html.includes('"><img'));
    assert.ok(html.includes(`action="${CB}"`));
    assert.equal(formFields(html).state, '"><img src=x>');
  });
});

describe('request validation errors go back to the client with state and iss', () => {
  it('unknown scope on a custom server', async () => {
    await expectRedirectError(await signedIn.get(path(base({ scope: 'openid nope' }))), 'invalid_scope',
      'One or more scopes are not configured for the authorization server resource.');
  });

  it('unknown scope on the org server', async () => {
    await expectRedirectError(await signedIn.get(path(base({ scope: 'openid nope' }), 'org')), 'invalid_scope',
      'The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.', 'query', 'org');
  });

  it('id_token without openid', async () => {
    await expectRedirectError(await signedIn.get(path(base({ response_type: 'id_token', scope: 'profile', nonce: 'n' }))), 'invalid_scope',
      "Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope.", 'fragment');
  });

  it('nonce is required for token and id_token (with the trailing "..")', async () => {
    for (const type of ['token', 'id_token', 'code id_token']) {
      await expectRedirectError(await signedIn.get(path(base({ response_type: type }))), 'invalid_request',
        "The 'nonce' parameter is required for authorize requests with either the 'id_token' or 'token' response types..", 'fragment');
    }
  });

  it('missing or unknown response_type', async () => {
    const p = base();
    delete p.response_type;
    await expectRedirectError(await signedIn.get(path(p)), 'invalid_request', "The 'response_type' parameter is required.");
    await expectRedirectError(await signedIn.get(path(base({ response_type: 'code bogus' }))), 'unsupported_response_type',
      'The response type is not supported by the authorization server. Configured response types: [code, token, id_token].');
  });

  it('a response type the app does not allow, and a grant it does not have', async () => {
    const codeOnly = await createOidcApp(s.container, { responseTypes: ['code'], grantTypes: ['authorization_code'] });
    await assignUser(s.container, codeOnly, user);
    await expectRedirectError(await signedIn.get(path(base({ response_type: 'token', nonce: 'n' }, codeOnly))), 'unsupported_response_type',
      'The response type is not supported by the authorization server. Configured response types: [code].', 'fragment');
    const implicitNoToken = await createOidcApp(s.container, { responseTypes: ['code', 'id_token'] });
    await expectRedirectError(await signedIn.get(path(base({ response_type: 'id_token token', nonce: 'n' }, implicitNoToken))), 'unsupported_response_type',
      'The response type is not supported by the authorization server. Configured response types: [code, id_token].', 'fragment');
    await expectRedirectError(await signedIn.get(path(base({ response_type: 'code code' }, codeOnly))), 'unsupported_response_type',
      'The response type is not supported by the authorization server. Configured response types: [code].');
    const noImplicit = await createOidcApp(s.container, { responseTypes: ['code', 'token'], grantTypes: ['authorization_code'] });
    await expectRedirectError(await signedIn.get(path(base({ response_type: 'code token', nonce: 'n' }, noImplicit))), 'unauthorized_client',
      'The client is not authorized to use the provided grant type. Configured grant types: [authorization_code].', 'fragment');
  });

  it('unknown response_mode', async () => {
    await expectRedirectError(await signedIn.get(path(base({ response_mode: 'web_message' }))), 'unsupported_response_mode',
      'The response mode is not supported by the authorization server. Valid response modes: [query, fragment, form_post, okta_post_message].');
  });

  it('okta_post_message needs a web redirect URI; a native app gets the error in its own scheme', async () => {
    const native = await createOidcApp(s.container, { redirectUris: ['com.example.app:/callback'] });
    await assignUser(s.container, native, user);
    const res = await signedIn.get(path(base({ redirect_uri: 'com.example.app:/callback', response_mode: 'okta_post_message' }, native)));
    assert.equal(res.status, 302);
    const location = res.headers.get('location')!;
    assert.ok(location.startsWith('com.example.app:/callback?error=unsupported_response_mode&'), location);
    const ok = await signedIn.get(path(base({ redirect_uri: 'com.example.app:/callback' }, native)));
    assert.ok(ok.headers.get('location')!.startsWith('com.example.app:/callback?code='));
  });

  it('missing state', async () => {
    const p = base();
    delete p.state;
    const res = await signedIn.get(path(p));
    const r = responseParams(res.headers.get('location')!, 'query');
    assert.equal(r.error, 'invalid_request');
    assert.equal(r.error_description, "The authentication request has an invalid 'state' parameter.");
    assert.equal(r.iss, issuer());
    assert.equal(r.state, undefined);
  });

  it('a repeated parameter', async () => {
    await expectRedirectError(await signedIn.get(`${path(base())}&scope=openid`), 'invalid_request',
      'The request contained multiple parameters with the same name.');
  });

  it('request objects are refused as unsupported', async () => {
    await expectRedirectError(await signedIn.get(path(base({ request: 'eyJhbGciOiJub25lIn0.e30.' }))), 'request_not_supported',
      'The authorize request object is not supported by this client.');
    await expectRedirectError(await signedIn.get(path(base({ request_uri: 'urn:ietf:params:oauth:request_uri:x' }))), 'request_uri_not_supported',
      'The authorize request uri is not supported by this client.');
  });

  it('an oversized parameter', async () => {
    await expectRedirectError(await signedIn.get(path(base({ nonce: 'n'.repeat(9000) }))), 'invalid_request', "The 'nonce' parameter is too long.");
  });

  it('prompt values', async () => {
    for (const prompt of ['bogus', 'none login', 'select_account']) {
      await expectRedirectError(await signedIn.get(path(base({ prompt }))), 'invalid_request',
        "Invalid value for 'prompt' parameter. Supported values: [none, consent, login, login consent, consent login]");
    }
  });

  it('max_age values', async () => {
    for (const maxAge of ['-1', 'abc', '2147483648', '1.5']) {
      await expectRedirectError(await signedIn.get(path(base({ max_age: maxAge }))), 'invalid_request',
        "Invalid value for 'max_age' parameter. It should be within range 0 - 2^31-1.");
    }
    await expectRedirectError(await signedIn.get(path(base({ max_age: '0', prompt: 'none' }))), 'invalid_request',
      "'prompt' parameter must not have the value 'none' for request with 'zero' as max_age.");
  });
});

describe('PKCE', () => {
  const challenge = () => createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');

  it('accepts S256 and the code redeems with the verifier', async () => {
    const spa = await createOidcApp(s.container, { method: 'none' });
    await assignUser(s.container, spa, user);
    const verifier = randomBytes(48).toString('base64url');
    const ch = createHash('sha256').update(verifier).digest('base64url');
    const res = await signedIn.get(path(base({ code_challenge: ch, code_challenge_method: 'S256', nonce: 'n-pkce' }, spa)));
    const { code } = responseParams(res.headers.get('location')!, 'query');
    assert.ok(code);
    const token = await fetch(`${s.orgUrl}/oauth2/default/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: spa.clientId, redirect_uri: CB, code: code!, code_verifier: verifier }),
    });
    const body = await token.json() as Record<string, string>;
    assert.equal(token.status, 200, JSON.stringify(body));
    assert.equal(jwtClaims(body.id_token!).nonce, 'n-pkce');
    assert.equal(jwtClaims(body.id_token!).sub, user.id);
  });

  it('refuses plain, a missing method and malformed challenges', async () => {
    const unsupported = 'PKCE code challenge method is not supported. Valid values: [S256]';
    await expectRedirectError(await signedIn.get(path(base({ code_challenge: challenge(), code_challenge_method: 'plain' }))),
      'invalid_request', unsupported);
    await expectRedirectError(await signedIn.get(path(base({ code_challenge: challenge() }))), 'invalid_request', unsupported);
    for (const bad of ['short', `${challenge()}A`, `${challenge().slice(0, 42)}=`, `${challenge().slice(0, 42)}+`]) {
      await expectRedirectError(await signedIn.get(path(base({ code_challenge: bad, code_challenge_method: 'S256' }))),
        'invalid_request', 'PKCE code challenge contains illegal characters.');
    }
  });

  it('is required for public clients and when the app requires it', async () => {
    const spa = await createOidcApp(s.container, { method: 'none' });
    const strict = await createOidcApp(s.container, { pkceRequired: true });
    for (const app of [spa, strict]) {
      await expectRedirectError(await signedIn.get(path(base({}, app))), 'invalid_request', 'PKCE code challenge is required by the application.');
    }
  });
});

describe('prompt, max_age, login_hint, id_token_hint', () => {
  it('prompt=none without a session is login_required; with one it succeeds silently', async () => {
    const anon = new Browser(s.orgUrl);
    await expectRedirectError(await anon.get(path(base({ prompt: 'none' }))), 'login_required',
      'The client specified not to prompt, but the user is not logged in.');
    const ok = await signedIn.get(path(base({ prompt: 'none' })));
    assert.ok(responseParams(ok.headers.get('location')!, 'query').code);
  });

  it('without a session the user is sent (303) to the sign-in page, which knows the app and the login_hint', async () => {
    const anon = new Browser(s.orgUrl);
    const res = await anon.get(path(base({ login_hint: 'ada@example.com' })));
    assert.equal(res.status, 303);
    const location = res.headers.get('location')!;
    assert.match(location, /^\/login\/login\.htm\?tx=/);
    const page = await anon.get(location);
    assert.deepEqual(pageSecurityProblems(page), []);
    const html = await page.text();
    assert.ok(html.includes('value="ada@example.com"'));
    assert.ok(html.includes('Sign in to Web &lt;App&gt;'));
    assert.match(page.headers.get('content-security-policy')!, /form-action 'self' https:\/\/app\.example\.com/);
  });

  it('prompt=login re-authenticates despite a session, with a new session cookie', async () => {
    const b = await freshBrowser();
    const before = sessionCookieOf(b);
    const res = await b.get(path(base({ prompt: 'login' })));
    assert.equal(res.status, 303);
    const final = await authorizeWithSignIn(b, path(base({ prompt: 'login' })), user.profile.login, PASSWORD);
    assert.ok(responseParams(final.headers.get('location')!, 'query').code);
    assert.notEqual(sessionCookieOf(b), before);
  });

  it('max_age: an older authentication asks again; a recent one passes; 0 always asks', async () => {
    const b = await freshBrowser();
    const recent = await b.get(path(base({ max_age: '300' })));
    assert.equal(recent.status, 302);
    await ageSession(b, 600_000);
    const stale = await b.get(path(base({ max_age: '300' })));
    assert.equal(stale.status, 303);
    await expectRedirectError(await b.get(path(base({ max_age: '300', prompt: 'none' }))), 'login_required',
      'The client specified not to prompt, but the user is not logged in.');
    const zero = await authorizeWithSignIn(b, path(base({ max_age: '0' })), user.profile.login, PASSWORD);
    const p = responseParams(zero.headers.get('location')!, 'query');
    assert.ok(p.code);
    // auth_time of the new ID token is the fresh sign-in.
    const idt = await b.get(path(base({ response_type: 'id_token', nonce: 'n', prompt: 'none' })));
    const claims = jwtClaims(responseParams(idt.headers.get('location')!, 'fragment').id_token!);
    assert.ok(Math.abs(claims.auth_time - Date.now() / 1000) < 30);
  });

  it('id_token_hint: same user passes silently, another user is login_required, a forged one is refused', async () => {
    const idRes = await signedIn.get(path(base({ response_type: 'id_token', nonce: 'n' })));
    const hint = responseParams(idRes.headers.get('location')!, 'fragment').id_token!;
    const same = await signedIn.get(path(base({ prompt: 'none', id_token_hint: hint })));
    assert.ok(responseParams(same.headers.get('location')!, 'query').code);

    const bobs = await freshBrowser(other);
    await expectRedirectError(await bobs.get(path(base({ prompt: 'none', id_token_hint: hint }))), 'login_required',
      'The client specified not to prompt, but the user is not logged in.');
    assert.equal((await bobs.get(path(base({ id_token_hint: hint })))).status, 303);

    const [h, p] = hint.split('.');
    await expectRedirectError(await signedIn.get(path(base({ id_token_hint: `${h}.${p}.${'A'.repeat(342)}` }))), 'invalid_request',
      'The id_token_hint signature is invalid.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
    await expectRedirectError(await signedIn.get(path(base({ id_token_hint: none }))), 'invalid_request', 'The id_token_hint signature is invalid.');
    await expectRedirectError(await signedIn.get(path(base({ id_token_hint: 'garbage' }))), 'invalid_request', 'The id_token_hint cannot be parsed.');
    // A token of the org server is not a hint for the default server.
    const orgRes = await signedIn.get(path(base({ response_type: 'id_token', nonce: 'n' }), 'org'));
    const orgHint = responseParams(orgRes.headers.get('location')!, 'fragment').id_token!;
    await expectRedirectError(await signedIn.get(path(base({ id_token_hint: orgHint }))), 'invalid_request', 'The id_token_hint signature is invalid.');
  });

  it('an expired but genuine id_token_hint is accepted', async () => {
    const key = await s.container.keys.activeKey('default');
    const now = Math.floor(Date.now() / 1000);
    const hint = signJwt({ sub: user.id, iss: issuer(), aud: web.clientId, iat: now - 7200, exp: now - 3600 }, key.privateKey, key.kid);
    const res = await signedIn.get(path(base({ prompt: 'none', id_token_hint: hint })));
    assert.ok(responseParams(res.headers.get('location')!, 'query').code);
  });

  it('prompt=consent is accepted for now', async () => {
    const res = await signedIn.get(path(base({ prompt: 'consent' })));
    assert.ok(responseParams(res.headers.get('location')!, 'query').code);
  });
});

describe('sessionToken', () => {
  async function sessionToken(login = user.profile.login): Promise<string> {
    const res = await fetch(`${s.orgUrl}/api/v1/authn`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: login, password: PASSWORD }),
    });
    const body = await res.json() as { sessionToken: string };
    assert.equal(res.status, 200);
    return body.sessionToken;
  }

  it('is redeemed once: it starts a session (new cookie) and the response needs no page', async () => {
    const b = new Browser(s.orgUrl);
    const token = await sessionToken();
    const res = await b.get(path(base({ sessionToken: token, prompt: 'none', response_mode: 'okta_post_message', response_type: 'id_token', nonce: 'n' })));
    assert.equal(res.status, 200);
    const { data } = postMessageData(await res.text());
    assert.equal(jwtClaims(data.id_token!).sub, user.id);
    assert.ok(sessionCookieOf(b));
    const me = await b.get('/api/v1/sessions/me');
    assert.equal(((await me.json()) as { userId: string }).userId, user.id);

    const again = new Browser(s.orgUrl);
    await expectRedirectError(await again.get(path(base({ sessionToken: token, prompt: 'none' }))), 'login_required',
      'The client specified not to prompt, but the user is not logged in.');
    const interactive = await again.get(path(base({ sessionToken: token })));
    assert.equal(interactive.status, 303);
  });

  it('replaces an existing session of another user', async () => {
    const b = await freshBrowser(other);
    const before = sessionCookieOf(b);
    const res = await b.get(path(base({ sessionToken: await sessionToken() })));
    assert.equal(res.status, 302);
    assert.notEqual(sessionCookieOf(b), before);
    const me = (await (await b.get('/api/v1/sessions/me')).json()) as { userId: string };
    assert.equal(me.userId, user.id);
    const old = await fetch(`${s.orgUrl}/api/v1/sessions/me`, { headers: { cookie: `sid=${before}` } });
    assert.equal(old.status, 404);
  });
});

describe('user and policy checks', () => {
  it('a user not assigned to the app gets access_denied', async () => {
    const stranger = await createUserWithPassword(s.container, PASSWORD);
    const lonely = await createOidcApp(s.container);
    const b = new Browser(s.orgUrl);
    const res = await authorizeWithSignIn(b, path(base({}, lonely)), stranger.profile.login, PASSWORD);
    await expectRedirectError(res, 'access_denied', 'User is not assigned to the client application.');
  });

  it('no matching access policy gives access_denied', async () => {
    const c = s.container;
    const now = Date.now();
    const id = `aus${randomBytes(6).toString('hex')}`;
    await c.store.authServers.create({
      id, name: id, description: null, audiences: ['api://strict'], issuerMode: 'ORG_URL', status: 'ACTIVE',
      rotationMode: 'AUTO', lastRotated: now, created: now, lastUpdated: now,
    });
    for (const scope of systemScopes(id, now)) await c.store.authServers.createScope(scope);
    await c.store.authServers.createPolicy({
      id: newId(ID_PREFIX.policy), authServerId: id, type: 'OAUTH_AUTHORIZATION_POLICY', name: 'Only someone else', description: null,
      status: 'ACTIVE', priority: 1, system: false, conditions: { clients: { include: ['0oasomeoneelse'] } }, created: now, lastUpdated: now,
    });
    await c.keys.ensureActiveKey(id);
    await expectRedirectError(await signedIn.get(path(base(), id)), 'access_denied',
      'Policy evaluation failed for this request, please check the policy configurations.', 'query', id);
  });

  it('POST /authorize works like GET and answers with 303', async () => {
    const res = await signedIn.postForm('/oauth2/default/v1/authorize', base());
    assert.equal(res.status, 303);
    assert.ok(responseParams(res.headers.get('location')!, 'query').code);
  });

  it('a tampered sign-in transaction is an error page', async () => {
    const anon = new Browser(s.orgUrl);
    const res = await anon.get(path(base()));
    const tx = new URL(res.headers.get('location')!, s.orgUrl).searchParams.get('tx')!;
    const flipped = tx.slice(0, -2) + (tx.at(-2) === 'A' ? 'B' : 'A') + tx.at(-1);
    await expectErrorPage(await signedIn.get(`/oauth2/default/v1/authorize?tx=${encodeURIComponent(flipped)}`), 'login_required',
      'Request expired, please start over and try again.');
    // A transaction is bound to its server.
    await expectErrorPage(await signedIn.get(`/oauth2/v1/authorize?tx=${encodeURIComponent(tx)}`), 'login_required',
      'Request expired, please start over and try again.');
  });
});
