/**
 * The OpenID conformance suite's Basic (B) and RP-initiated logout (L) OP modules
 * (security-and-crypto.md §4), replayed against a live node over HTTP as the suite drives them:
 * code flow with client_secret_basic and client_secret_post, ID token checks (signature through
 * jwks_uri, iss, aud, exp, nonce, auth_time, at_hash), userinfo three ways, prompt / max_age /
 * id_token_hint, unknown and display parameters, request objects refused, code reuse, refresh tokens
 * bound to their client, and each logout module. Module names are in the test titles.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { User } from '../../src/domain/model.js';
import { Browser, formFields, jwtClaims, readAuthorizationResponse, responseParams } from '../support/browser.js';
import {
  authorize, authorizePath, basic, codeRequest, issuerOf, newApp, newUser, PASSWORD, pkce, postForm, signedInBrowser,
  startSecurityServer, tokenUrl, userinfo, type SecurityServer, type TestApp,
} from './support.js';

const SERVER = 'default';
let s: SecurityServer;
let client: TestApp;
let client2: TestApp;
let user: User;
let b: Browser;
let discovery: Record<string, any>;
let jwks: ReturnType<typeof createLocalJWKSet>;

before(async () => {
  s = await startSecurityServer();
  client = await newApp(s, { redirectUris: ['https://rp.example.com/cb'], postLogoutRedirectUris: ['https://rp.example.com/logged-out'] });
  client2 = await newApp(s, { redirectUris: ['https://rp2.example.com/cb'] });
  user = await newUser(s, [client, client2]);
  const profile = { ...user.profile, firstName: 'Ada', lastName: 'Lovelace' };
  await s.container.store.users.update({ ...user, profile });
  user = { ...user, profile };
  b = await signedInBrowser(s, client, user);
  discovery = await (await fetch(`${issuerOf(s, SERVER)}/.well-known/openid-configuration`)).json() as Record<string, any>;
  jwks = createLocalJWKSet(await (await fetch(discovery.jwks_uri)).json() as JSONWebKeySet);
});
after(() => s.close());

type Auth = 'client_secret_basic' | 'client_secret_post';

async function exchange(app: TestApp, code: string, authMethod: Auth = 'client_secret_basic', extra: Record<string, string> = {}) {
  const params = { grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, ...extra };
  return authMethod === 'client_secret_basic'
    ? postForm(discovery.token_endpoint, params, { authorization: basic(app.clientId, app.secret!) })
    : postForm(discovery.token_endpoint, { ...params, client_id: app.clientId, client_secret: app.secret! });
}

/** oidcc-server's ID token checks; returns the claims. */
async function validIdToken(idToken: string, app: TestApp, nonce: string | undefined, accessToken?: string): Promise<Record<string, any>> {
  const { payload, protectedHeader } = await jwtVerify(idToken, jwks, { issuer: discovery.issuer, audience: app.clientId, algorithms: ['RS256'] });
  assert.equal(protectedHeader.alg, 'RS256');
  assert.ok(protectedHeader.kid, 'kid');
  assert.equal(payload.nonce, nonce);
  assert.equal(typeof payload.sub, 'string');
  assert.ok(typeof payload.iat === 'number' && typeof payload.exp === 'number' && payload.exp > payload.iat);
  assert.equal(typeof payload.auth_time, 'number');
  if (accessToken) {
    const digest = createHash('sha256').update(accessToken).digest();
    assert.equal(payload.at_hash, digest.subarray(0, 16).toString('base64url'));
  }
  return payload as Record<string, any>;
}

async function codeFlow(opts: { browser?: Browser; extra?: Record<string, string>; auth?: Auth; app?: TestApp } = {}) {
  const app = opts.app ?? client;
  const nonce = `n-${Math.random()}`;
  const p = await authorize(opts.browser ?? b, codeRequest(app, { nonce, scope: 'openid profile email address phone offline_access', ...opts.extra }), SERVER);
  assert.ok(p.code, JSON.stringify(p));
  assert.equal(p.iss, discovery.issuer);
  const res = await exchange(app, p.code, opts.auth ?? 'client_secret_basic');
  assert.equal(res.status, 200, res.text);
  const claims = await validIdToken(res.body.id_token, app, nonce, res.body.access_token);
  return { tokens: res.body as Record<string, any>, claims, code: p.code };
}

describe('OpenID conformance: Basic OP modules (B)', () => {
  it('oidcc-discovery-endpoint-verification', () => {
    for (const key of ['issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported']) {
      assert.ok(discovery[key], key);
    }
    assert.equal(discovery.issuer, issuerOf(s, SERVER));
    assert.ok(discovery.scopes_supported.includes('openid'));
    assert.ok(discovery.response_types_supported.includes('code'));
    assert.ok(discovery.id_token_signing_alg_values_supported.includes('RS256'));
    assert.ok(!discovery.id_token_signing_alg_values_supported.includes('none'));
  });

  it('oidcc-server / oidcc-idtoken-signature / oidcc-idtoken-rs256: happy code flow, RS256 with kid', async () => {
    const { claims } = await codeFlow();
    assert.equal(claims.sub, user.id);
  });

  it('oidcc-server-client-secret-post', async () => {
    await codeFlow({ auth: 'client_secret_post' });
  });

  it('oidcc-idtoken-unsigned: an unsigned ID token is never issued (refused as unsupported)', async () => {
    const { tokens } = await codeFlow();
    assert.notEqual(JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url').toString()).alg, 'none');
  });

  it('oidcc-response-type-missing: an error for the client (or an error page), no code', async () => {
    const params = codeRequest(client);
    delete (params as Record<string, string | undefined>).response_type;
    const res = await b.get(authorizePath(params, SERVER));
    const location = res.headers.get('location');
    if (location) {
      const p = responseParams(location, 'query');
      assert.ok(['invalid_request', 'unsupported_response_type'].includes(p.error!), JSON.stringify(p));
      assert.equal(p.code, undefined);
    } else {
      assert.equal(res.status, 400);
    }
  });

  it('oidcc-userinfo-get / -post-header / -post-body', async () => {
    const { tokens } = await codeFlow();
    const get = await userinfo(s, tokens.access_token, SERVER);
    assert.equal(get.status, 200);
    assert.equal(get.body.sub, user.id);
    const header = await fetch(discovery.userinfo_endpoint, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(((await header.json()) as { sub: string }).sub, user.id);
    const body = await postForm(discovery.userinfo_endpoint, { access_token: tokens.access_token });
    assert.equal(body.status, 200);
    assert.equal(body.body.sub, user.id);
  });

  it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow', async () => {
    const params = codeRequest(client);
    delete (params as Record<string, string | undefined>).nonce;
    const p = await authorize(b, params, SERVER);
    const res = await exchange(client, p.code!);
    assert.equal(res.status, 200);
    assert.equal(jwtClaims(res.body.id_token).nonce, undefined);
  });

  it('oidcc-scope-profile / -email / -address / -phone / -all', async () => {
    const { tokens } = await codeFlow();
    const info = (await userinfo(s, tokens.access_token, SERVER)).body;
    assert.equal(info.email, user.profile.email);
    assert.equal(info.given_name, 'Ada');
    assert.equal(info.family_name, 'Lovelace');
    assert.equal(info.preferred_username, user.profile.login);
    for (const scope of ['profile', 'email']) {
      const p = await authorize(b, codeRequest(client, { scope: `openid ${scope}` }), SERVER);
      const one = (await userinfo(s, (await exchange(client, p.code!)).body.access_token, SERVER)).body;
      assert.equal(one.sub, user.id);
      assert.equal('email' in one, scope === 'email', `${scope}: ${JSON.stringify(one)}`);
    }
  });

  it('oidcc-alternate-happy-flow / oidcc-display-page / oidcc-display-popup: reordered scopes, display accepted', async () => {
    await codeFlow({ extra: { scope: 'offline_access email openid profile' } });
    await codeFlow({ extra: { display: 'page' } });
    await codeFlow({ extra: { display: 'popup' } });
  });

  it('oidcc-prompt-login: a new authentication, a later auth_time', async () => {
    const before = await codeFlow();
    s.clock.advance(2000);
    try {
      const res = await b.get(authorizePath(codeRequest(client, { prompt: 'login' }), SERVER));
      assert.equal(res.status, 303, 'asks for the password again');
      const page = await b.get(res.headers.get('location')!);
      const signedIn = await b.follow(await b.postForm('/login/login.htm', { ...formFields(await page.text()), username: user.profile.login, password: PASSWORD }));
      const p = await readAuthorizationResponse(signedIn, 'query');
      const tokens = (await exchange(client, p.code!)).body;
      const after = await validIdToken(tokens.id_token, client, 'n-1', tokens.access_token);
      assert.ok(after.auth_time > before.claims.auth_time, `${after.auth_time} > ${before.claims.auth_time}`);
    } finally {
      s.clock.advance(-2000);
    }
  });

  it('oidcc-prompt-none-not-logged-in: login_required to the client', async () => {
    const p = await authorize(new Browser(s.url), codeRequest(client, { prompt: 'none' }), SERVER);
    assert.equal(p.error, 'login_required');
    assert.equal(p.state, 'st-1');
  });

  it('oidcc-prompt-none-logged-in: silent success, same sub and auth_time', async () => {
    const first = await codeFlow();
    const second = await codeFlow({ extra: { prompt: 'none' } });
    assert.equal(second.claims.sub, first.claims.sub);
    assert.equal(second.claims.auth_time, first.claims.auth_time);
  });

  it('oidcc-max-age-1: after more than a second, the user signs in again', async () => {
    const fresh = await signedInBrowser(s, client, user);
    s.clock.advance(2000);
    try {
      const res = await fresh.get(authorizePath(codeRequest(client, { max_age: '1' }), SERVER));
      assert.equal(res.status, 303);
      assert.ok(res.headers.get('location')!.startsWith('/login/login.htm'));
    } finally {
      s.clock.advance(-2000);
    }
  });

  it('oidcc-max-age-10000: no new sign-in; same sub and auth_time', async () => {
    const first = await codeFlow();
    const second = await codeFlow({ extra: { max_age: '10000' } });
    assert.equal(second.claims.auth_time, first.claims.auth_time);
    assert.equal(second.claims.sub, first.claims.sub);
  });

  it('oidcc-ensure-request-with-unknown-parameter-succeeds', async () => {
    await codeFlow({ extra: { extra_param: 'foo', 'x-unknown': 'bar' } });
  });

  it('oidcc-id-token-hint: prompt=none with the previous ID token succeeds silently, same sub', async () => {
    const first = await codeFlow();
    const second = await codeFlow({ extra: { prompt: 'none', id_token_hint: first.tokens.id_token } });
    assert.equal(second.claims.sub, first.claims.sub);
  });

  it('oidcc-login-hint / -ui-locales / -claims-locales / -ensure-request-with-acr-values-succeeds / -claims-essential', async () => {
    await codeFlow({ extra: { login_hint: user.profile.login } });
    await codeFlow({ extra: { ui_locales: 'se' } });
    await codeFlow({ extra: { claims_locales: 'se' } });
    await codeFlow({ extra: { acr_values: '1 2' } });
    await codeFlow({ extra: { claims: JSON.stringify({ userinfo: { name: { essential: true } } }) } });
  });

  it('oidcc-codereuse / oidcc-codereuse-30seconds: invalid_grant, the first access token revoked', async () => {
    for (const delay of [0, 30_000]) {
      const { tokens, code } = await codeFlow();
      s.clock.advance(delay);
      try {
        const again = await exchange(client, code);
        assert.equal(again.status, 400);
        assert.equal(again.body.error, 'invalid_grant');
        assert.equal((await userinfo(s, tokens.access_token, SERVER)).status, 401);
      } finally {
        s.clock.advance(-delay);
      }
    }
  });

  it('oidcc-ensure-registered-redirect-uri: an unregistered redirect_uri is an error page', async () => {
    const res = await b.get(authorizePath(codeRequest(client, { redirect_uri: 'https://rp.example.com/cb/unregistered' }), SERVER));
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
  });

  it('oidcc-ensure-post-request-succeeds', async () => {
    const res = await b.postForm(discovery.authorization_endpoint, codeRequest(client));
    assert.equal(res.status, 303);
    assert.ok(responseParams(res.headers.get('location')!, 'query').code);
  });

  it('oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported / oidcc-unsigned-request-object-…', async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(codeRequest(client))).toString('base64url')}.`;
    const viaUri = await authorize(b, codeRequest(client, { request_uri: 'https://rp.example.com/request.jwt' }), SERVER);
    assert.equal(viaUri.error, 'request_uri_not_supported');
    const viaObject = await authorize(b, codeRequest(client, { request: unsigned }), SERVER);
    assert.equal(viaObject.error, 'request_not_supported');
    assert.equal(discovery.request_parameter_supported, false);
  });

  it('oidcc-ensure-request-object-with-redirect-uri: refused as unsupported, never redirected elsewhere', async () => {
    const obj = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ redirect_uri: 'https://evil.example/cb' })).toString('base64url')}.`;
    const res = await b.get(authorizePath(codeRequest(client, { request: obj }), SERVER));
    assert.ok(res.headers.get('location')!.startsWith('https://rp.example.com/cb?'));
  });

  it('oidcc-refresh-token: works, RFC 6749 charset, bound to its client', async () => {
    const { tokens } = await codeFlow();
    assert.match(tokens.refresh_token, /^[\x20-\x7E]+$/);
    const other = await codeFlow({ app: client2, browser: b });
    const stolen = await postForm(discovery.token_endpoint, { grant_type: 'refresh_token', refresh_token: other.tokens.refresh_token }, { authorization: basic(client.clientId, client.secret!) });
    assert.equal(stolen.status, 400);
    assert.equal(stolen.body.error, 'invalid_grant');
    const ok = await postForm(discovery.token_endpoint, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, { authorization: basic(client.clientId, client.secret!) });
    assert.equal(ok.status, 200);
    await validIdToken(ok.body.id_token, client, undefined, ok.body.access_token);
  });

  it('oidcc-ensure-request-with-valid-pkce-succeeds', async () => {
    const pair = pkce();
    const p = await authorize(b, codeRequest(client, { code_challenge: pair.challenge, code_challenge_method: 'S256' }), SERVER);
    const res = await exchange(client, p.code!, 'client_secret_basic', { code_verifier: pair.verifier });
    assert.equal(res.status, 200, res.text);
  });
});

describe('OpenID conformance: RP-initiated logout modules (L)', () => {
  async function loggedIn(): Promise<{ browser: Browser; idToken: string }> {
    const browser = await signedInBrowser(s, client, user);
    const { tokens } = await codeFlow({ browser });
    return { browser, idToken: tokens.id_token };
  }
  const logout = (browser: Browser, params: Record<string, string>) => browser.get(`${discovery.end_session_endpoint}?${new URLSearchParams(params)}`);
  async function promptNoneFails(browser: Browser): Promise<void> {
    const p = await authorize(browser, codeRequest(client, { prompt: 'none' }), SERVER);
    assert.equal(p.error, 'login_required');
  }
  async function promptNoneWorks(browser: Browser): Promise<void> {
    const p = await authorize(browser, codeRequest(client, { prompt: 'none' }), SERVER);
    assert.ok(p.code, JSON.stringify(p));
  }
  const target = 'https://rp.example.com/logged-out';

  it('oidcc-rp-initiated-logout: redirect with state, then prompt=none fails', async () => {
    const { browser, idToken } = await loggedIn();
    const res = await logout(browser, { id_token_hint: idToken, post_logout_redirect_uri: target, state: 'ls' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), `${target}?state=ls`);
    await promptNoneFails(browser);
  });

  const noRedirect: [string, (idToken: string) => Record<string, string>][] = [
    ['oidcc-rp-initiated-logout-bad-post-logout-redirect-uri', (t) => ({ id_token_hint: t, post_logout_redirect_uri: 'https://rp.example.com/unregistered', state: 's' })],
    ['oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri', (t) => ({ id_token_hint: t, post_logout_redirect_uri: `${target}?x=1`, state: 's' })],
    ['oidcc-rp-initiated-logout-modified-id-token-hint (alg none)', (t) => {
      const [, p] = t.split('.');
      return { id_token_hint: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`, post_logout_redirect_uri: target, state: 's' };
    }],
    ['oidcc-rp-initiated-logout-bad-id-token-hint (foreign signature)', (t) => {
      const [h, p] = t.split('.');
      return { id_token_hint: `${h}.${p}.${Buffer.from('x'.repeat(256)).toString('base64url')}`, post_logout_redirect_uri: target, state: 's' };
    }],
  ];
  for (const [name, params] of noRedirect) {
    it(`${name}: an error page, no redirect`, async () => {
      const { browser, idToken } = await loggedIn();
      const res = await logout(browser, params(idToken));
      assert.equal(res.headers.get('location'), null);
      assert.equal(res.status, 400);
      await promptNoneWorks(browser);
    });
  }

  it('oidcc-rp-initiated-logout-no-id-token-hint: no redirect', async () => {
    const { browser } = await loggedIn();
    const res = await logout(browser, { post_logout_redirect_uri: target, state: 's' });
    assert.equal(res.headers.get('location'), null);
    assert.ok(res.status === 200 || res.status === 400);
  });

  const logsOut: [string, (idToken: string) => Record<string, string>, boolean][] = [
    ['oidcc-rp-initiated-logout-no-params', () => ({}), false],
    ['oidcc-rp-initiated-logout-no-post-logout-redirect-uri', (t) => ({ id_token_hint: t }), false],
    ['oidcc-rp-initiated-logout-only-state', () => ({ state: 's' }), false],
    ['oidcc-rp-initiated-logout-no-state', (t) => ({ id_token_hint: t, post_logout_redirect_uri: target }), true],
  ];
  for (const [name, params, redirectsBack] of logsOut) {
    it(`${name}: logged out`, async () => {
      const { browser, idToken } = await loggedIn();
      const res = await logout(browser, params(idToken));
      if (redirectsBack) assert.equal(res.headers.get('location'), target);
      else {
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('location'), null);
      }
      await promptNoneFails(browser);
    });
  }

  it('token endpoint URL in discovery is the one used throughout', () => {
    assert.equal(discovery.token_endpoint, tokenUrl(s, SERVER));
  });
});
