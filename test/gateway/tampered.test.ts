/**
 * Tampered and broken callbacks: each is refused with a readable page (never a 500 or a stack trace)
 * and no session. Real-provider cases use oidc-provider; forged ID tokens use the scriptable mock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { Browser } from './support/browser.js';
import { startMockProvider, type MockProvider } from './support/mock-provider.js';
import { freePort } from './support/net.js';
import { startStack, testLog, type Stack } from './support/stack.js';
import { startUpstream, type Upstream } from './support/upstream.js';

/** Follows the sign-in until the provider redirects to the callback, and returns that callback URL. */
async function callbackUrl(b: Browser, publicUrl: string, path = '/callback'): Promise<URL> {
  const r = await b.follow(`${publicUrl}/api/v1/auth/login`, (next) => next.origin === publicUrl && next.pathname === path);
  return new URL(r.headers.get('location')!, r.chain.at(-1)!.url);
}

function assertRefused(r: { status: number; body: string; headers: Headers }, status: number, code: string, text?: RegExp) {
  assert.equal(r.status, status, r.body);
  assert.match(r.headers.get('content-type') ?? '', /text\/html/);
  assert.match(r.body, new RegExp(`Error: ${code}`));
  if (text) assert.match(r.body, text);
  assert.doesNotMatch(r.body, /at .*\.ts:\d+|Error: .*\n\s+at /);
}

describe('tampered callbacks (oidc-provider)', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(() => s.close());

  it('wrong state', async () => {
    const b = s.browser();
    const cb = await callbackUrl(b, s.publicUrl);
    cb.searchParams.set('state', 'forged-state');
    assertRefused(await b.request(cb.toString()), 400, 'invalid_state', /no longer valid/);
    assert.equal(b.cookies(s.publicUrl).get('gatehouse_session'), undefined);
  });

  it('missing state', async () => {
    const b = s.browser();
    const cb = await callbackUrl(b, s.publicUrl);
    cb.searchParams.delete('state');
    assertRefused(await b.request(cb.toString()), 400, 'missing_state');
  });

  it('a callback from another browser (no binding cookie)', async () => {
    const b = s.browser();
    const cb = await callbackUrl(b, s.publicUrl);
    const other = new Browser();
    assertRefused(await other.request(cb.toString()), 400, 'state_not_bound', /another browser/);
  });

  it('a reloaded callback (state already used)', async () => {
    const b = s.browser();
    const cb = await callbackUrl(b, s.publicUrl);
    const binding = [...b.cookies(s.publicUrl)].find(([k]) => k.startsWith('gh_tx_'))!;
    assert.equal((await b.request(cb.toString())).status, 302);
    b.cookies(s.publicUrl).set(binding[0], binding[1]);
    assertRefused(await b.request(cb.toString()), 400, 'invalid_state');
  });

  it('a replayed code under a fresh state', async () => {
    const b = s.browser();
    const first = await callbackUrl(b, s.publicUrl);
    assert.equal((await b.request(first.toString())).status, 302, 'first use signs in');
    // Start a new sign-in, then present the old (spent) code with the new state.
    const b2 = s.browser();
    const second = await callbackUrl(b2, s.publicUrl);
    second.searchParams.set('code', first.searchParams.get('code')!);
    assertRefused(await b2.request(second.toString()), 400, 'invalid_grant', /already (redeemed|used)/);
  });

  it('an iss response parameter from another issuer (RFC 9207)', async () => {
    const b = s.browser();
    const cb = await callbackUrl(b, s.publicUrl);
    assert.equal(cb.searchParams.get('iss'), s.provider.issuer);
    cb.searchParams.set('iss', 'https://evil.example');
    assertRefused(await b.request(cb.toString()), 400, 'issuer_mismatch', /mix-up/);
  });

  it('a missing iss when the provider advertises it', async () => {
    const b = s.browser();
    const cb = await callbackUrl(b, s.publicUrl);
    cb.searchParams.delete('iss');
    assertRefused(await b.request(cb.toString()), 400, 'issuer_missing');
  });

  it('duplicated parameters', async () => {
    const b = s.browser();
    const cb = await callbackUrl(b, s.publicUrl);
    cb.searchParams.append('code', 'second');
    assertRefused(await b.request(cb.toString()), 400, 'invalid_request');
  });

  it('the user cancels at the provider (access_denied)', async () => {
    s.provider.signInAs = undefined;
    try {
      const b = s.browser();
      const r = await b.follow(`${s.publicUrl}/api/v1/auth/login`);
      assertRefused(r, 403, 'access_denied', /cancelled/);
    } finally {
      s.provider.signInAs = 'alice';
    }
  });

  it('AUTHORIZER_ENFORCE_PRINCIPAL_DOMAIN refuses other domains', async () => {
    const gw = await startGateway({ ...s.env, GATEWAY_PORT: '0', AUTHORIZER_PRINCIPAL_DOMAIN: 'example.com', AUTHORIZER_ENFORCE_PRINCIPAL_DOMAIN: 'true' },
      { log: testLog(), probeRedirects: false });
    try {
      const b = new Browser();
      b.route = (u) => (u.origin === s.publicUrl ? new URL(u.pathname + u.search, gw.url) : u);
      s.provider.signInAs = 'bob';
      const r = await b.follow(`${s.publicUrl}/api/v1/auth/login`);
      assertRefused(r, 403, 'principal_refused', /not in the domain example\.com/);
    } finally {
      s.provider.signInAs = 'alice';
      await gw.close();
    }
  });
});

describe('forged ID tokens (scriptable provider)', () => {
  let mock: MockProvider;
  let upstream: Upstream;
  let gw: RunningGateway;
  let db: TestDatabase;
  let publicUrl: string;

  before(async () => {
    mock = await startMockProvider();
    upstream = await startUpstream();
    db = await createTestDatabase();
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    gw = await startGateway({
      AUTHENTICATION_AUTHORITY: mock.issuer,
      OIDC_DISCOVERY_URI: `${mock.issuer}/.well-known/openid-configuration`,
      OIDC_CLIENT_ID: mock.clientId,
      OIDC_CLIENT_SECRET: mock.clientSecret,
      OIDC_SERVER_URL: publicUrl,
      OIDC_SCOPE: 'openid email',
      GATEWAY_REFRESH: 'false',
      GATEWAY_UPSTREAM_URL: upstream.url,
      GATEWAY_PORT: String(port),
      GATEWAY_SESSION_STORE: db.url,
    }, { log: testLog() });
  });
  after(async () => {
    await gw.close();
    await mock.close();
    await upstream.close();
    await db.cleanup();
  });

  const signIn = () => new Browser().follow(`${publicUrl}/api/v1/auth/login`);

  it('accepts an untampered token', async () => {
    const r = await signIn();
    assert.equal(r.status, 200, r.body);
    assert.equal(JSON.parse(r.body).headers['x-auth-request-user'], 'mock');
  });

  const cases: [string, Partial<MockProvider['tamper']> & object, number, string, RegExp][] = [
    ['wrong nonce', { claims: (c) => ({ ...c, nonce: 'not-the-nonce' }) }, 400, 'invalid_nonce', /nonce/],
    ['missing nonce', { claims: (c) => ({ ...c, nonce: undefined }) }, 400, 'invalid_nonce', /no nonce/],
    ['foreign issuer', { claims: (c) => ({ ...c, iss: 'https://evil.example' }) }, 502, 'issuer_mismatch', /AUTHENTICATION_AUTHORITY/],
    ['expired token', { claims: (c) => ({ ...c, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }) }, 502, 'clock_skew', /expired .* ago/],
    ['issued in the future', { claims: (c) => ({ ...c, iat: Math.floor(Date.now() / 1000) + 600, exp: Math.floor(Date.now() / 1000) + 1200 }) }, 502, 'clock_skew', /in the future/],
    ['bad signature', { rogueKey: true }, 502, 'bad_signature', /signature/],
    ['unknown kid', { rogueKey: true, kid: 'nobody' }, 502, 'bad_signature', /no key for the ID token/],
    ['other audience', { claims: (c) => ({ ...c, aud: 'someone-else' }) }, 502, 'invalid_audience', /audience/],
    ['several audiences without azp', { claims: (c) => ({ ...c, aud: [mock.clientId, 'other'] }) }, 502, 'invalid_audience', /azp/],
    ['at_hash mismatch', { claims: (c) => ({ ...c, at_hash: 'AAAAAAAAAAAAAAAAAAAAAA' }) }, 502, 'invalid_id_token', /at_hash/],
  ];
  for (const [name, tamper, status, code, text] of cases) {
    it(`refuses: ${name}`, async () => {
      mock.tamper = tamper;
      const b = new Browser();
      const r = await b.follow(`${publicUrl}/api/v1/auth/login`);
      assertRefused(r, status, code, text);
      assert.equal(b.cookies(publicUrl).get('gatehouse_session'), undefined);
    });
  }

  it('refuses a response without iss when the provider advertises RFC 9207', async () => {
    mock.responseIss = null;
    try {
      assertRefused(await signIn(), 400, 'issuer_missing');
    } finally {
      mock.responseIss = undefined;
    }
  });

  it('answers JSON errors to API clients, and bad input never gives 500', async () => {
    const b = new Browser();
    b.accept = 'application/json';
    const r = await b.request(`${publicUrl}/callback?state=x&code=y`);
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.body).error, 'invalid_state');
    for (const path of ['/callback?%zz', '/callback?state[]=1', '/api/v1/auth/login?redirectUri=%00', '/silent-callback', '/api/v1/auth/refresh']) {
      const x = await b.request(`${publicUrl}${path}`, { headers: { cookie: 'gatehouse_session=garbage' } });
      assert.ok(x.status < 500, `${path}: ${x.status} ${x.body}`);
    }
  });
});
