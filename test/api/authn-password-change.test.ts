/**
 * The expired-password transaction of Okta's classic Authentication API, over real HTTP: POST
 * /api/v1/authn → PASSWORD_EXPIRED with a stored stateToken, the transaction state read back with
 * {stateToken}, /authn/credentials/change_password → SUCCESS with a sessionToken that /authorize
 * accepts, /authn/cancel, Okta's errors (E0000011 for a dead stateToken, E0000014 for a wrong old
 * password, E0000080 for a policy violation, E0000003/E0000001 for bad bodies), lockout, and the
 * management API's POST /users/{id}/credentials/change_password. Driven by okta-auth-js too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OktaAuth } from '@okta/okta-auth-js';
import { flushSystemLog } from '../../src/audit/system-log.js';
import { json, startTestServer, type TestServer } from '../support/server.js';

const REDIRECT = 'https://spa.example.net/login/callback';
const OLD = 'Expired-Passw0rd!';
const NEW = 'Fresh-Passw0rd-2!';
const LOCKOUT_THRESHOLD = 3;

let s: TestServer;
let clientId: string;
let userCount = 0;

type Reply = { status: number; body: any; res: Response };

async function post(path: string, body: unknown, raw?: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Reply> {
  const res = await fetch(`${s.orgUrl}${path}`, {
    method: 'POST',
    headers: { accept: 'application/json', ...headers },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, res };
}

const authn = (body: unknown, raw?: string) => post('/api/v1/authn', body, raw);
const changePassword = (body: unknown, raw?: string) => post('/api/v1/authn/credentials/change_password', body, raw);
const cancel = (body: unknown, raw?: string) => post('/api/v1/authn/cancel', body, raw);

async function admin(method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await s.api(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, res };
}

function assertOktaError(r: Reply, status: number, code: string, summary: string, causes?: string[]): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.errorCode, code);
  assert.equal(r.body.errorSummary, summary);
  assert.equal(r.body.errorLink, code);
  assert.match(r.body.errorId, /^oae/);
  assert.ok(Array.isArray(r.body.errorCauses));
  if (causes) assert.deepEqual(r.body.errorCauses, causes.map((errorSummary) => ({ errorSummary })));
}

const invalidToken = (r: Reply) => assertOktaError(r, 401, 'E0000011', 'Invalid token provided', []);

/** A new ACTIVE user with password OLD, created over the management API. */
async function newUser(): Promise<{ id: string; login: string }> {
  const login = `expiring${++userCount}@example.com`;
  const r = await admin('POST', '/api/v1/users?activate=true', {
    profile: { login, email: login, firstName: 'Ada', lastName: `L${userCount}` },
    credentials: { password: { value: OLD } },
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { id: r.body.id, login };
}

/** A user whose password an administrator expired. */
async function expiredUser(): Promise<{ id: string; login: string }> {
  const user = await newUser();
  const r = await admin('POST', `/api/v1/users/${user.id}/lifecycle/expire_password`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'PASSWORD_EXPIRED');
  return user;
}

/** /authn with the old password: the PASSWORD_EXPIRED state. */
async function startTransaction(login: string): Promise<any> {
  const r = await authn({ username: login, password: OLD });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'PASSWORD_EXPIRED');
  return r.body;
}

/** The sessionToken at /oauth2/default/v1/authorize: a code for the user's redirect. */
async function redeemAtAuthorize(sessionToken: string): Promise<Response> {
  const url = new URL(`${s.orgUrl}/oauth2/default/v1/authorize`);
  for (const [k, v] of Object.entries({
    client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid profile', state: 'st-1', nonce: 'n-1',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', sessionToken,
  })) url.searchParams.set(k, v);
  return fetch(url, { redirect: 'manual' });
}

before(async () => {
  s = await startTestServer({ GATEHOUSE_LOCKOUT_THRESHOLD: String(LOCKOUT_THRESHOLD) });
  const app = await admin('POST', '/api/v1/apps', {
    name: 'oidc_client',
    label: 'Password change SPA',
    signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: { token_endpoint_auth_method: 'none' } },
    settings: {
      oauthClient: {
        application_type: 'browser', redirect_uris: [REDIRECT], response_types: ['code'], grant_types: ['authorization_code'],
      },
    },
  });
  assert.equal(app.status, 200, JSON.stringify(app.body));
  clientId = app.body.credentials.oauthClient.client_id;
  const groups = await admin('GET', '/api/v1/groups?q=Everyone');
  const everyone = groups.body.find((g: any) => g.profile.name === 'Everyone');
  const assign = await admin('PUT', `/api/v1/apps/${app.body.id}/groups/${everyone.id}`, {});
  assert.equal(assign.status, 200, JSON.stringify(assign.body));
});
after(() => s.close());

describe('PASSWORD_EXPIRED → /api/v1/authn/credentials/change_password', () => {
  it('changes the password, ends the transaction and signs the user in', async () => {
    const user = await expiredUser();
    const before = await admin('GET', `/api/v1/users/${user.id}`);
    const tx = await startTransaction(user.login);
    assert.match(tx.stateToken, /^[A-Za-z0-9_-]{43}$/);
    const expires = Date.parse(tx.expiresAt);
    assert.ok(expires > Date.now() + 240_000 && expires <= Date.now() + 300_000);
    assert.equal(tx.sessionToken, undefined);
    assert.equal(tx._embedded.user.id, user.id);
    assert.deepEqual(tx._links, {
      next: { name: 'changePassword', href: `${s.orgUrl}/api/v1/authn/credentials/change_password`, hints: { allow: ['POST'] } },
      cancel: { href: `${s.orgUrl}/api/v1/authn/cancel`, hints: { allow: ['POST'] } },
    });

    // The transaction state, read back with the stateToken alone, as often as wanted.
    for (let i = 0; i < 2; i++) {
      const state = await authn({ stateToken: tx.stateToken });
      assert.equal(state.status, 200, JSON.stringify(state.body));
      assert.equal(state.res.headers.get('cache-control'), 'no-store');
      assert.deepEqual(state.body, tx);
    }

    await new Promise((r) => setTimeout(r, 5)); // passwordChanged must move
    const r = await changePassword({ stateToken: tx.stateToken, oldPassword: OLD, newPassword: NEW });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.res.headers.get('cache-control'), 'no-store');
    assert.equal(r.body.status, 'SUCCESS');
    assert.match(r.body.sessionToken, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(r.body.stateToken, undefined);
    assert.equal(r.body._embedded.user.id, user.id);
    assert.ok(Date.parse(r.body._embedded.user.passwordChanged) > Date.parse(before.body.passwordChanged));
    assert.deepEqual(r.body._links, { cancel: { href: `${s.orgUrl}/api/v1/authn/cancel`, hints: { allow: ['POST'] } } });

    const after = await admin('GET', `/api/v1/users/${user.id}`);
    assert.equal(after.body.status, 'ACTIVE');
    assert.equal(after.body.passwordChanged, r.body._embedded.user.passwordChanged);
    assert.ok(after.body.lastLogin);

    // The sessionToken signs the user in at /authorize, once.
    const authorize = await redeemAtAuthorize(r.body.sessionToken);
    assert.equal(authorize.status, 302);
    const callback = new URL(authorize.headers.get('location')!);
    assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT);
    assert.ok(callback.searchParams.get('code'), callback.href);
    assert.equal(callback.searchParams.get('state'), 'st-1');
    assert.ok(authorize.headers.getSetCookie().some((c) => c.startsWith('sid=')));

    // The old password is gone, the new one works.
    assertOktaError(await authn({ username: user.login, password: OLD }), 401, 'E0000004', 'Authentication failed', []);
    const signIn = await authn({ username: user.login, password: NEW });
    assert.equal(signIn.body.status, 'SUCCESS');

    // The stateToken is used up everywhere.
    invalidToken(await changePassword({ stateToken: tx.stateToken, oldPassword: OLD, newPassword: 'Another-Passw0rd!' }));
    invalidToken(await authn({ stateToken: tx.stateToken }));
    invalidToken(await cancel({ stateToken: tx.stateToken }));
  });

  it('a wrong old password is 403 E0000014 and leaves the transaction alive', async () => {
    const user = await expiredUser();
    const tx = await startTransaction(user.login);
    const r = await changePassword({ stateToken: tx.stateToken, oldPassword: 'not-the-password', newPassword: NEW });
    assertOktaError(r, 403, 'E0000014', 'Update of credentials failed', ['oldPassword: The credentials provided were incorrect.']);
    assert.equal((await authn({ stateToken: tx.stateToken })).body.status, 'PASSWORD_EXPIRED');
    const ok = await changePassword({ stateToken: tx.stateToken, oldPassword: OLD, newPassword: NEW });
    assert.equal(ok.body.status, 'SUCCESS');
  });

  it('a new password that breaks the policy or repeats the old one is 403 E0000080', async () => {
    const user = await expiredUser();
    const tx = await startTransaction(user.login);
    const summary = 'The password does not meet the complexity requirements of the current password policy.';
    const requirements = 'password: Password requirements were not met. Password requirements: at least 8 characters, at most 256 characters.';
    assertOktaError(await changePassword({ stateToken: tx.stateToken, oldPassword: OLD, newPassword: 'short' }), 403, 'E0000080', summary, [requirements]);
    assertOktaError(await changePassword({ stateToken: tx.stateToken, oldPassword: OLD, newPassword: 'x'.repeat(257) }), 403, 'E0000080', summary, [requirements]);
    assertOktaError(await changePassword({ stateToken: tx.stateToken, oldPassword: OLD, newPassword: OLD }), 403, 'E0000080', summary,
      ['password: Password cannot be your current password']);
    // Nothing changed: the transaction lives, the old password is still the (expired) one.
    assert.equal((await authn({ stateToken: tx.stateToken })).body.status, 'PASSWORD_EXPIRED');
    assert.equal((await admin('GET', `/api/v1/users/${user.id}`)).body.status, 'PASSWORD_EXPIRED');
    assert.equal((await changePassword({ stateToken: tx.stateToken, oldPassword: OLD, newPassword: NEW })).body.status, 'SUCCESS');
  });

  it('wrong old passwords count towards lockout; the locking one ends the transaction', async () => {
    const user = await expiredUser();
    const tx = await startTransaction(user.login);
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) {
      const r = await changePassword({ stateToken: tx.stateToken, oldPassword: `wrong-${i}`, newPassword: NEW });
      assertOktaError(r, 403, 'E0000014', 'Update of credentials failed');
    }
    assert.equal((await admin('GET', `/api/v1/users/${user.id}`)).body.status, 'LOCKED_OUT');
    invalidToken(await changePassword({ stateToken: tx.stateToken, oldPassword: OLD, newPassword: NEW }));
    invalidToken(await authn({ stateToken: tx.stateToken }));
    const locked = await authn({ username: user.login, password: OLD });
    assert.equal(locked.status, 200);
    // No link to a recovery endpoint that does not exist (self-service unlock is not offered).
    assert.deepEqual(locked.body, { status: 'LOCKED_OUT' });
    assert.equal((await post('/api/v1/authn/recovery/unlock', { username: user.login })).status, 404);
  });

  it('the transaction dies when an administrator sets the password meanwhile', async () => {
    const user = await expiredUser();
    const tx = await startTransaction(user.login);
    const set = await admin('POST', `/api/v1/users/${user.id}`, { credentials: { password: { value: 'Admin-Set-Passw0rd' } } });
    assert.equal(set.body.status, 'ACTIVE');
    invalidToken(await authn({ stateToken: tx.stateToken }));
    invalidToken(await changePassword({ stateToken: tx.stateToken, oldPassword: 'Admin-Set-Passw0rd', newPassword: NEW }));
  });

  it('an expired transaction is E0000011', async () => {
    const user = await expiredUser();
    const tx = await startTransaction(user.login);
    const clock = s.container.clock;
    const real = clock.now;
    clock.now = () => real() + 300_001;
    try {
      invalidToken(await authn({ stateToken: tx.stateToken }));
      invalidToken(await changePassword({ stateToken: tx.stateToken, oldPassword: OLD, newPassword: NEW }));
      invalidToken(await cancel({ stateToken: tx.stateToken }));
    } finally {
      clock.now = real;
    }
  });

  it('two concurrent changes: exactly one wins', async () => {
    const user = await expiredUser();
    const tx = await startTransaction(user.login);
    const results = await Promise.all([NEW, 'Other-Passw0rd-3!'].map((newPassword) =>
      changePassword({ stateToken: tx.stateToken, oldPassword: OLD, newPassword })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
    const winner = results.find((r) => r.status === 200)!;
    invalidToken(results.find((r) => r.status === 401)!);
    const password = winner === results[0] ? NEW : 'Other-Passw0rd-3!';
    assert.equal((await authn({ username: user.login, password })).body.status, 'SUCCESS');
  });
});

describe('/api/v1/authn/cancel', () => {
  it('ends the transaction with status UNAUTHENTICATED', async () => {
    const user = await expiredUser();
    const tx = await startTransaction(user.login);
    const r = await cancel({ stateToken: tx.stateToken });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'UNAUTHENTICATED' });
    invalidToken(await cancel({ stateToken: tx.stateToken }));
    invalidToken(await authn({ stateToken: tx.stateToken }));
    invalidToken(await changePassword({ stateToken: tx.stateToken, oldPassword: OLD, newPassword: NEW }));
    // The user is untouched and can start over.
    assert.equal((await admin('GET', `/api/v1/users/${user.id}`)).body.status, 'PASSWORD_EXPIRED');
    assert.notEqual((await startTransaction(user.login)).stateToken, tx.stateToken);
  });
});

describe('bad stateTokens and bodies', () => {
  it('unknown, malformed or non-string stateTokens are 401 E0000011', async () => {
    for (const stateToken of ['nope', '00' + 'a'.repeat(40), 'x'.repeat(5000), 42, '', null, ['a'], { a: 1 }]) {
      invalidToken(await authn({ stateToken }));
    }
    for (const stateToken of ['nope', 'x'.repeat(5000)]) {
      invalidToken(await changePassword({ stateToken, oldPassword: OLD, newPassword: NEW }));
      invalidToken(await cancel({ stateToken }));
    }
  });

  it('malformed bodies are E0000003, missing fields E0000001, never a 500', async () => {
    const notWellFormed = 'The request body was not well-formed.';
    for (const send of [changePassword, cancel, authn]) {
      for (const raw of ['{"stateToken":', '[1,2]', '"text"', 'null', '12']) {
        assertOktaError(await send(undefined, raw), 400, 'E0000003', notWellFormed);
      }
    }
    for (const path of ['/api/v1/authn/credentials/change_password', '/api/v1/authn/cancel']) {
      const empty = await post(path, undefined, undefined, { 'content-type': 'application/json' });
      assert.equal(empty.status, 400, JSON.stringify(empty.body));
      assert.ok(['E0000003', 'E0000001'].includes(empty.body.errorCode));
      const text = await post(path, undefined, 'x', { 'content-type': 'text/plain' });
      assert.equal(text.status, 400, JSON.stringify(text.body));
      assert.match(text.body.errorCode, /^E00000/);
    }
    const missing = await changePassword({});
    assertOktaError(missing, 400, 'E0000001', 'Api validation failed: stateToken', [
      'stateToken: The field cannot be left blank.', 'oldPassword: The field cannot be left blank.', 'newPassword: The field cannot be left blank.',
    ]);
    assertOktaError(await changePassword({ stateToken: 'x', oldPassword: 1, newPassword: ['y'] }), 400, 'E0000001', 'Api validation failed: oldPassword', [
      'oldPassword: The field cannot be left blank.', 'newPassword: The field cannot be left blank.',
    ]);
    assertOktaError(await cancel({}), 400, 'E0000001', 'Api validation failed: stateToken', ['stateToken: The field cannot be left blank.']);
  });
});

describe('POST /api/v1/users/{id}/credentials/change_password', () => {
  const path = (id: string) => `/api/v1/users/${id}/credentials/change_password`;

  it('changes the password, validating the current one, and answers with the credentials', async () => {
    const user = await newUser();
    const before = await admin('GET', `/api/v1/users/${user.id}`);
    await new Promise((r) => setTimeout(r, 5));
    const r = await admin('POST', path(user.id), { oldPassword: { value: OLD }, newPassword: { value: NEW } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { password: {}, provider: { type: 'OKTA', name: 'OKTA' } });
    const after = await admin('GET', `/api/v1/users/${user.id}`);
    assert.equal(after.body.status, 'ACTIVE');
    assert.ok(Date.parse(after.body.passwordChanged) > Date.parse(before.body.passwordChanged));
    assertOktaError(await authn({ username: user.login, password: OLD }), 401, 'E0000004', 'Authentication failed');
    assert.equal((await authn({ username: user.login, password: NEW })).body.status, 'SUCCESS');
    // By login too.
    const byLogin = await admin('POST', path(encodeURIComponent(user.login)), { oldPassword: { value: NEW }, newPassword: { value: OLD } });
    assert.equal(byLogin.status, 200, JSON.stringify(byLogin.body));
  });

  it('makes a PASSWORD_EXPIRED user ACTIVE', async () => {
    const user = await expiredUser();
    const r = await admin('POST', path(user.id), { oldPassword: { value: OLD }, newPassword: { value: NEW } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await admin('GET', `/api/v1/users/${user.id}`)).body.status, 'ACTIVE');
    assert.equal((await authn({ username: user.login, password: NEW })).body.status, 'SUCCESS');
  });

  it('a wrong old password is 403 E0000014; policy violations 403 E0000080', async () => {
    const user = await newUser();
    assertOktaError(await admin('POST', path(user.id), { oldPassword: { value: 'wrong-password' }, newPassword: { value: NEW } }),
      403, 'E0000014', 'Update of credentials failed', ['oldPassword: The credentials provided were incorrect.']);
    const summary = 'The password does not meet the complexity requirements of the current password policy.';
    assertOktaError(await admin('POST', path(user.id), { oldPassword: { value: OLD }, newPassword: { value: 'short' } }), 403, 'E0000080', summary);
    assertOktaError(await admin('POST', path(user.id), { oldPassword: { value: OLD }, newPassword: { value: OLD } }), 403, 'E0000080', summary,
      ['password: Password cannot be your current password']);
    assert.equal((await authn({ username: user.login, password: OLD })).body.status, 'SUCCESS');
  });

  it('revokeSessions ends the user\'s sessions', async () => {
    const user = await newUser();
    const token = (await authn({ username: user.login, password: OLD })).body.sessionToken;
    const authorize = await redeemAtAuthorize(token);
    const sid = authorize.headers.getSetCookie().find((c) => c.startsWith('sid='))!.split(';')[0]!;
    const me = () => fetch(`${s.orgUrl}/api/v1/sessions/me`, { headers: { cookie: sid, accept: 'application/json' } });
    assert.equal((await me()).status, 200);
    const r = await admin('POST', path(user.id), { oldPassword: { value: OLD }, newPassword: { value: NEW }, revokeSessions: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await me()).status, 404);
  });

  it('other statuses are 403 E0000035; unknown users 404; bad bodies 400; no token 401', async () => {
    const user = await newUser();
    assert.equal((await admin('POST', `/api/v1/users/${user.id}/lifecycle/suspend`)).status, 200);
    assertOktaError(await admin('POST', path(user.id), { oldPassword: { value: OLD }, newPassword: { value: NEW } }),
      403, 'E0000035', 'Change password not allowed on specified user.');
    assertOktaError(await admin('POST', path('00unobody'), { oldPassword: { value: OLD }, newPassword: { value: NEW } }),
      404, 'E0000007', 'Not found: Resource not found: 00unobody (User)');
    const other = await newUser();
    for (const raw of ['{', '[]', '"x"', 'null']) {
      const res = await s.api(path(other.id), { method: 'POST', body: raw });
      assert.equal(res.status, 400, raw);
      assert.equal((await json(res)).errorCode, 'E0000003', raw);
    }
    assertOktaError(await admin('POST', path(other.id), {}), 400, 'E0000001', 'Api validation failed: oldPassword', [
      'oldPassword: The field cannot be left blank', 'newPassword: The field cannot be left blank',
    ]);
    assertOktaError(await admin('POST', path(other.id), { oldPassword: OLD, newPassword: { value: NEW } }), 400, 'E0000001', 'Api validation failed: oldPassword');
    assertOktaError(await admin('POST', path(other.id), { oldPassword: { value: OLD }, newPassword: { value: NEW }, revokeSessions: 'yes' }),
      400, 'E0000001', 'Api validation failed: revokeSessions');
    const anonymous = await fetch(`${s.orgUrl}${path(other.id)}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ oldPassword: { value: OLD }, newPassword: { value: NEW } }),
    });
    assert.equal(anonymous.status, 401);
    assert.equal((await authn({ username: other.login, password: OLD })).body.status, 'SUCCESS');
  });
});

describe('System Log', () => {
  it('user.account.update_password for each change, by the user (authn) or the administrator', async () => {
    const user = await expiredUser();
    const tx = await startTransaction(user.login);
    assert.equal((await changePassword({ stateToken: tx.stateToken, oldPassword: 'wrong-password', newPassword: NEW })).status, 403);
    assert.equal((await changePassword({ stateToken: tx.stateToken, oldPassword: OLD, newPassword: NEW })).status, 200);
    assert.equal((await admin('POST', `/api/v1/users/${user.id}/credentials/change_password`, { oldPassword: { value: NEW }, newPassword: { value: OLD } })).status, 200);
    await flushSystemLog(s.container);
    const filter = `eventType eq "user.account.update_password" and target.id eq "${user.id}"`;
    const events = await admin('GET', `/api/v1/logs?limit=100&filter=${encodeURIComponent(filter)}`);
    assert.equal(events.status, 200, JSON.stringify(events.body));
    assert.deepEqual(events.body.map((e: any) => [e.actor.id, e.outcome.result, e.outcome.reason ?? null]), [
      [user.id, 'FAILURE', 'INVALID_CREDENTIALS'],
      [user.id, 'SUCCESS', null],
      [(await admin('GET', '/api/v1/users/me')).body.id, 'SUCCESS', null],
    ]);
    assert.ok(events.body.every((e: any) => !JSON.stringify(e).includes(OLD) && !JSON.stringify(e).includes(NEW)));
  });
});

describe('okta-auth-js', () => {
  // The SDK keeps the raw response as `data` (its typings leave it out) and drops `stateToken` from the transaction.
  const stateTokenOf = (tx: object): string => (tx as { data: { stateToken: string } }).data.stateToken;
  const sdk = () => new OktaAuth({ issuer: `${s.orgUrl}/oauth2/default`, clientId, redirectUri: REDIRECT });

  it('signInWithCredentials → PASSWORD_EXPIRED → changePassword → SUCCESS', async () => {
    const user = await expiredUser();
    const auth = sdk();
    const tx = await auth.signInWithCredentials({ username: user.login, password: OLD });
    assert.equal(tx.status, 'PASSWORD_EXPIRED');
    assert.equal(typeof tx.changePassword, 'function');
    assert.equal(typeof tx.cancel, 'function');
    assert.match(stateTokenOf(tx), /^[A-Za-z0-9_-]{43}$/);
    // The SDK resumes a transaction by its stateToken.
    const resumed = await auth.tx.resume({ stateToken: stateTokenOf(tx) });
    assert.equal(resumed.status, 'PASSWORD_EXPIRED');
    await assert.rejects(tx.changePassword!({ oldPassword: 'wrong-password', newPassword: NEW }), (err: any) => {
      assert.equal(err.errorCode, 'E0000014');
      assert.deepEqual(err.errorCauses, [{ errorSummary: 'oldPassword: The credentials provided were incorrect.' }]);
      return true;
    });
    const done = await tx.changePassword!({ oldPassword: OLD, newPassword: NEW });
    assert.equal(done.status, 'SUCCESS');
    assert.ok(done.sessionToken);
    assert.equal((await redeemAtAuthorize(done.sessionToken!)).status, 302);
  });

  it('cancel ends the transaction', async () => {
    const user = await expiredUser();
    const auth = sdk();
    const tx = await auth.signInWithCredentials({ username: user.login, password: OLD });
    const stateToken = stateTokenOf(tx);
    assert.match(stateToken, /^[A-Za-z0-9_-]{43}$/);
    const cancelled = await tx.cancel!();
    assert.equal(cancelled.status, 'UNAUTHENTICATED');
    await assert.rejects(auth.tx.resume({ stateToken }), (err: any) => {
      assert.equal(err.errorCode, 'E0000011');
      assert.equal(err.errorSummary, 'Invalid token provided');
      return true;
    });
  });
});
