/**
 * Guessing attacks: passwords (ASVS 6.1.1, 6.3.1, 6.3.8; lockout threshold, identical answers and
 * comparable cost for unknown users and wrong passwords, on the hosted page and /api/v1/authn) and
 * client secrets (OAuth 2.1 §2.4.1: per-client throttling at the token, introspection and revocation
 * endpoints, src/oauth/client-auth/secret-throttle.ts). Timing is compared loosely through medians.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/domain/model.js';
import { Browser, formFields } from '../support/browser.js';
import { basic, clientKey } from '../oauth/fixtures.js';
import {
  authorizePath, codeRequest, median, newApp, newUser, PASSWORD, postForm, startSecurityServer, tokenUrl,
  type SecurityServer, type TestApp,
} from './support.js';

const LOCKOUT = 5;
let s: SecurityServer;
let app: TestApp;

before(async () => {
  s = await startSecurityServer({ GATEHOUSE_LOCKOUT_THRESHOLD: String(LOCKOUT) });
  app = await newApp(s);
});
after(() => s.close());

async function signInPage(): Promise<{ b: Browser; fields: Record<string, string> }> {
  const b = new Browser(s.url);
  const first = await b.get(authorizePath(codeRequest(app)));
  const page = await b.get(first.headers.get('location')!);
  return { b, fields: formFields(await page.text()) };
}

async function hostedSignIn(username: string, password: string): Promise<{ status: number; html: string; ms: number }> {
  const { b, fields } = await signInPage();
  const t0 = performance.now();
  const res = await b.postForm('/login/login.htm', { ...fields, username, password });
  const ms = performance.now() - t0;
  return { status: res.status, html: await res.text(), ms };
}

async function authn(username: string, password: string): Promise<{ status: number; body: any; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${s.url}/api/v1/authn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const ms = performance.now() - t0;
  return { status: res.status, body: await res.json(), ms };
}

/** The page with everything request-specific (anti-CSRF token, transaction, echoed username) removed. */
function normalise(html: string, username: string): string {
  return html.replace(/value="[^"]*"/g, 'value=""').replaceAll(username, '');
}

describe('password guessing', () => {
  it(`the account locks after ${LOCKOUT} wrong passwords, and then even the right one fails`, async () => {
    const victim = await newUser(s, [app]);
    for (let i = 0; i < LOCKOUT; i++) assert.equal((await hostedSignIn(victim.profile.login, `wrong-${i}`)).status, 401);
    const locked = await hostedSignIn(victim.profile.login, PASSWORD);
    assert.equal(locked.status, 401);
    assert.equal((await s.container.store.users.get(victim.id))!.status, 'LOCKED_OUT');
    // Okta's /api/v1/authn names the state (its SDKs rely on it); no session token is issued.
    const viaApi = await authn(victim.profile.login, PASSWORD);
    assert.equal(viaApi.body.status, 'LOCKED_OUT');
    assert.equal(viaApi.body.sessionToken, undefined);
  });

  it('attempts through /api/v1/authn count towards the same lockout', async () => {
    const victim = await newUser(s, [app]);
    for (let i = 0; i < LOCKOUT - 1; i++) assert.equal((await authn(victim.profile.login, 'wrong')).status, 401);
    assert.equal((await hostedSignIn(victim.profile.login, 'wrong')).status, 401);
    assert.equal((await s.container.store.users.get(victim.id))!.status, 'LOCKED_OUT');
  });

  it('a success before the threshold resets the count', async () => {
    const victim = await newUser(s, [app]);
    for (let i = 0; i < LOCKOUT - 1; i++) await hostedSignIn(victim.profile.login, 'wrong');
    assert.equal((await hostedSignIn(victim.profile.login, PASSWORD)).status, 303);
    for (let i = 0; i < LOCKOUT - 1; i++) await hostedSignIn(victim.profile.login, 'wrong');
    assert.equal((await hostedSignIn(victim.profile.login, PASSWORD)).status, 303);
  });

  it('unknown user and wrong password give identical answers (hosted page and /api/v1/authn)', async () => {
    const known = await newUser(s, [app]);
    const unknownLogin = `nobody-${Date.now()}@example.com`;
    const wrong = await hostedSignIn(known.profile.login, 'not-it');
    const unknown = await hostedSignIn(unknownLogin, 'not-it');
    assert.equal(wrong.status, unknown.status);
    assert.equal(normalise(wrong.html, known.profile.login), normalise(unknown.html, unknownLogin));
    const apiWrong = await authn(known.profile.login, 'not-it');
    const apiUnknown = await authn(unknownLogin, 'not-it');
    assert.equal(apiWrong.status, 401);
    assert.deepEqual({ ...apiWrong.body, errorId: '' }, { ...apiUnknown.body, errorId: '' });
  });

  it('unknown users cost about as much as wrong passwords (medians, loosely)', async () => {
    const samples = 7;
    // One wrong attempt per user, so the measurement never trips the lockout.
    const users: User[] = [];
    for (let i = 0; i < samples; i++) users.push(await newUser(s, [app]));
    await authn('warm-up@example.com', 'x');
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < samples; i++) {
      wrong.push((await authn(users[i]!.profile.login, 'not-it')).ms);
      unknown.push((await authn(`ghost-${i}@example.com`, 'not-it')).ms);
    }
    const ratio = median(unknown) / median(wrong);
    assert.ok(ratio > 0.33 && ratio < 3, `unknown ${median(unknown).toFixed(1)} ms vs wrong ${median(wrong).toFixed(1)} ms`);
    // Both pay for a real password hash: nowhere near a cheap lookup miss.
    assert.ok(median(unknown) >= 5, `unknown users are answered in ${median(unknown).toFixed(1)} ms: no dummy hash?`);
  });

  it('over-long usernames and passwords are refused the same way, without a 5xx', async () => {
    for (const [u, p] of [['x'.repeat(10_000), 'x'], ['a@example.com', 'x'.repeat(100_000)], ['\u0000', 'x'], ['a\u0000b@example.com', '\u0000']]) {
      const res = await authn(u!, p!);
      assert.equal(res.status, 401, `${u!.slice(0, 10)} / ${p!.slice(0, 10)}`);
      assert.equal(res.body.errorCode, 'E0000004');
      // The sign-in form refuses a body over 64 KiB before reading it: a 4xx page either way.
      const page = await hostedSignIn(u!, p!);
      assert.ok(page.status === 401 || page.status === 400, String(page.status));
      assert.ok(page.html.includes('<!DOCTYPE html>'));
    }
  });
});

describe('client-secret guessing (OAuth 2.1 §2.4.1)', () => {
  const introspectUrl = () => `${s.url}/oauth2/default/v1/introspect`;
  const revokeUrl = () => `${s.url}/oauth2/default/v1/revoke`;
  const tryToken = (a: TestApp, secret: string) => postForm(tokenUrl(s), { grant_type: 'client_credentials', scope: 'x' }, { authorization: basic(a.clientId, secret) });
  const tryIntrospect = (a: TestApp, secret: string) => postForm(introspectUrl(), { token: 'abc', client_id: a.clientId, client_secret: secret });
  const tryRevoke = (a: TestApp, secret: string) => postForm(revokeUrl(), { token: 'abc' }, { authorization: basic(a.clientId, secret) });
  const confidentialApp = () => newApp(s, { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });

  it('after 10 wrong secrets in a minute the client gets 429 with Retry-After, right secret or wrong', async () => {
    const target = await confidentialApp();
    for (let i = 0; i < 10; i++) {
      const res = await tryToken(target, `guess-${i}`);
      assert.equal(res.status, 401, `attempt ${i + 1}`);
      assert.equal(res.body.error, 'invalid_client');
    }
    const blocked = await tryToken(target, 'guess-11');
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error, 'invalid_client');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 60, String(retryAfter));
    assert.equal(blocked.headers.get('x-rate-limit-remaining'), '0');
    assert.ok(Number(blocked.headers.get('x-rate-limit-reset')) * 1000 > s.clock.now());
    assert.match(blocked.headers.get('cache-control') ?? '', /no-store/);
    // A lucky guess while blocked is not confirmed.
    assert.equal((await tryToken(target, target.secret!)).status, 429);
    assert.equal((await tryIntrospect(target, target.secret!)).status, 429);
    assert.equal((await tryRevoke(target, target.secret!)).status, 429);
  });

  it('other clients are not affected, and the block lifts after its period', async () => {
    const target = await confidentialApp();
    const bystander = await confidentialApp();
    for (let i = 0; i < 10; i++) await tryToken(target, `guess-${i}`);
    assert.equal((await tryToken(target, target.secret!)).status, 429);
    assert.notEqual((await tryToken(bystander, bystander.secret!)).status, 429);
    assert.notEqual((await tryToken(bystander, bystander.secret!)).status, 401);
    s.clock.advance(61_000);
    try {
      const after = await tryToken(target, target.secret!);
      assert.ok(after.status !== 401 && after.status !== 429, `${after.status} ${after.text}`);
    } finally {
      s.clock.advance(-61_000);
    }
  });

  it('introspection and revocation guesses count too, Basic and form alike', async () => {
    const target = await confidentialApp();
    for (let i = 0; i < 4; i++) assert.equal((await tryIntrospect(target, `g-${i}`)).status, 401);
    for (let i = 0; i < 3; i++) assert.equal((await tryRevoke(target, `g-${i}`)).status, 401);
    for (let i = 0; i < 3; i++) assert.equal((await tryToken(target, `g-${i}`)).status, 401);
    assert.equal((await tryIntrospect(target, 'g-last')).status, 429);
  });

  it('a burst of parallel guesses gets at most 10 answers that test the secret', async () => {
    const target = await confidentialApp();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => tryToken(target, `parallel-${i}`)));
    const tested = results.filter((r) => r.status === 401).length;
    assert.ok(tested <= 10, `${tested} guesses were checked`);
    assert.equal(results.filter((r) => r.status === 429).length, 40 - tested);
  });

  it('repeated blocks grow longer', async () => {
    const target = await confidentialApp();
    for (let i = 0; i < 10; i++) await tryToken(target, `a-${i}`);
    const first = Number((await tryToken(target, 'x')).headers.get('retry-after'));
    s.clock.advance(61_000);
    try {
      for (let i = 0; i < 10; i++) assert.equal((await tryToken(target, `b-${i}`)).status, 401);
      const second = Number((await tryToken(target, 'x')).headers.get('retry-after'));
      assert.ok(second > first, `${second} > ${first}`);
    } finally {
      s.clock.advance(-61_000);
    }
  });

  it('a legitimate client below the limit never notices, and a success forgets earlier failures', async () => {
    const target = await confidentialApp();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 9; i++) assert.equal((await tryToken(target, `typo-${i}`)).status, 401);
      assert.notEqual((await tryToken(target, target.secret!)).status, 401);
    }
  });

  it('public and private_key_jwt clients are not throttled by this (nothing to guess)', async () => {
    const spa = await newApp(s, { method: 'none' });
    for (let i = 0; i < 15; i++) {
      const res = await postForm(introspectUrl(), { token: 'abc', client_id: spa.clientId });
      assert.equal(res.status, 200);
    }
    const key = clientKey();
    const jwtApp = await newApp(s, { method: 'private_key_jwt', jwks: { keys: [key.jwk] } });
    for (let i = 0; i < 12; i++) {
      const res = await postForm(introspectUrl(), {
        token: 'abc', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: key.assertion({ iss: jwtApp.clientId, sub: jwtApp.clientId, aud: 'https://evil.example', exp: Math.floor(s.clock.now() / 1000) + 60, jti: `j${i}` }),
      });
      assert.equal(res.status, 401);
    }
  });
});
