/** /api/v1/users over real HTTP: creation, validation, reads, updates, lifecycle, listing. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomToken, sha256 } from '../../src/crypto/ids.js';
import { json, startTestServer, TEST_ADMIN_LOGIN, type TestServer } from '../support/server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s?.close();
});

let seq = 0;
function login(prefix = 'user'): string {
  seq += 1;
  return `${prefix}${seq}.${randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}@example.com`;
}

async function post(path: string, body?: unknown): Promise<Response> {
  return s.api(path, { method: 'POST', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

async function createUser(body: Record<string, unknown>, query = ''): Promise<any> {
  const res = await post(`/api/v1/users${query}`, body);
  const out = await json(res);
  assert.equal(res.status, 200, JSON.stringify(out));
  return out;
}

function profile(l = login(), extra: Record<string, unknown> = {}) {
  return { login: l, email: l, firstName: 'Ada', lastName: 'Lovelace', ...extra };
}

async function expectError(res: Response, status: number, code: string, causes?: string[]): Promise<any> {
  const body = await json(res);
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.errorCode, code, JSON.stringify(body));
  assert.equal(body.errorLink, code);
  assert.ok(body.errorId);
  if (causes) assert.deepEqual(body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary), causes);
  return body;
}

describe('POST /api/v1/users', () => {
  it('creates an ACTIVE user with a password, in Okta shape, without secrets', async () => {
    const p = profile();
    const user = await createUser({ profile: p, credentials: { password: { value: 'Correct-Horse-1' } } });
    assert.match(user.id, /^00u[A-Za-z0-9]{17}$/);
    assert.equal(user.status, 'ACTIVE');
    assert.deepEqual(user.profile, p);
    assert.deepEqual(user.credentials, { password: {}, provider: { type: 'OKTA', name: 'OKTA' } });
    assert.match(user.type.id, /^oty/);
    for (const k of ['created', 'activated', 'statusChanged', 'lastUpdated', 'passwordChanged']) {
      assert.match(user[k], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, k);
    }
    assert.equal(user.lastLogin, null);
    assert.equal(user._links.self.href, `${s.orgUrl}/api/v1/users/${user.id}`);
    assert.doesNotMatch(JSON.stringify(user), /argon2|passwordHash|Correct-Horse/);
  });

  it('creates PROVISIONED without a password and STAGED with activate=false', async () => {
    const provisioned = await createUser({ profile: profile() });
    assert.equal(provisioned.status, 'PROVISIONED');
    assert.deepEqual(provisioned.credentials, { provider: { type: 'OKTA', name: 'OKTA' } });
    const staged = await createUser({ profile: profile(), credentials: { password: { value: 'Correct-Horse-1' } } }, '?activate=false');
    assert.equal(staged.status, 'STAGED');
    assert.equal(staged.activated, null);
  });

  it('expires the password with nextLogin=changePassword', async () => {
    const user = await createUser({ profile: profile(), credentials: { password: { value: 'Correct-Horse-1' } } }, '?nextLogin=changePassword');
    assert.equal(user.status, 'PASSWORD_EXPIRED');
    await expectError(await post('/api/v1/users?nextLogin=changePassword', { profile: profile() }), 400, 'E0000124');
    await expectError(await post('/api/v1/users?nextLogin=changePassword&activate=false', {
      profile: profile(), credentials: { password: { value: 'Correct-Horse-1' } },
    }), 400, 'E0000125');
  });

  it('adds the user to groupIds, all or nothing', async () => {
    const group = await json(await post('/api/v1/groups', { profile: { name: `g-${login()}` } }));
    const user = await createUser({ profile: profile(), groupIds: [group.id] });
    const groups = await json(await s.api(`/api/v1/users/${user.id}/groups`));
    const names = groups.map((g: any) => g.profile.name).sort();
    assert.deepEqual(names, ['Everyone', group.profile.name].sort());

    const l = login();
    await expectError(await post('/api/v1/users', { profile: profile(l), groupIds: [group.id, '00gDoesNotExist000000'] }), 404, 'E0000007');
    const lookup = await s.api(`/api/v1/users/${encodeURIComponent(l)}`);
    assert.equal(lookup.status, 404, 'no half-created user is left behind');
  });

  it('refuses a duplicate login, case-insensitively', async () => {
    const l = login();
    await createUser({ profile: profile(l) });
    const body = await expectError(await post('/api/v1/users', { profile: profile(l.toUpperCase()) }), 400, 'E0000001', [
      'login: An object with this field already exists in the current organization',
    ]);
    assert.equal(body.errorSummary, 'Api validation failed: login');
  });

  it('validates the profile and credentials', async () => {
    await expectError(await post('/api/v1/users', { profile: { email: 'x@example.com' } }), 400, 'E0000001', ['login: The field cannot be left blank']);
    await expectError(await post('/api/v1/users', {}), 400, 'E0000001', ['login: The field cannot be left blank']);
    await expectError(await post('/api/v1/users', { profile: { login: '   ' } }), 400, 'E0000001', ['login: The field cannot be left blank']);
    await expectError(await post('/api/v1/users', { profile: profile(login(), { email: 'not-an-email' }) }), 400, 'E0000001', [
      'email: Does not match required pattern',
    ]);
    await expectError(await post('/api/v1/users', { profile: profile(login(), { firstName: 42 }) }), 400, 'E0000001', ['firstName: The field must be a string']);
    const weak = await expectError(await post('/api/v1/users', { profile: profile(), credentials: { password: { value: 'short' } } }), 400, 'E0000001');
    assert.match(weak.errorCauses[0].errorSummary, /^password: Password requirements were not met/);
    await expectError(await post('/api/v1/users', { profile: profile(), credentials: { password: { value: 12345678 } } }), 400, 'E0000001');
    await expectError(await post('/api/v1/users', { profile: profile(), groupIds: 'abc' }), 400, 'E0000001', ['groupIds: The field must be an array of group ids']);
    await expectError(await post('/api/v1/users', { profile: 'nope' }), 400, 'E0000001', ['profile: The field must be an object']);
    await expectError(await post('/api/v1/users?activate=maybe', { profile: profile() }), 400, 'E0000001');
  });

  it('rejects malformed and non-object bodies with E0000003', async () => {
    await expectError(await s.api('/api/v1/users', { method: 'POST', body: '{"profile":' }), 400, 'E0000003');
    await expectError(await s.api('/api/v1/users', { method: 'POST', body: '[1,2]' }), 400, 'E0000003');
    await expectError(await s.api('/api/v1/users', { method: 'POST' }), 400, 'E0000003');
  });
});

describe('GET /api/v1/users/{id}', () => {
  it('finds a user by id, by login and as me', async () => {
    const user = await createUser({ profile: profile() });
    assert.equal((await json(await s.api(`/api/v1/users/${user.id}`))).id, user.id);
    assert.equal((await json(await s.api(`/api/v1/users/${encodeURIComponent(user.profile.login)}`))).id, user.id);
    assert.equal((await json(await s.api('/api/v1/users/me'))).profile.login, TEST_ADMIN_LOGIN);
  });

  it('answers an unknown user with 404 E0000007', async () => {
    const body = await expectError(await s.api('/api/v1/users/00uNobody'), 404, 'E0000007');
    assert.equal(body.errorSummary, 'Not found: Resource not found: 00uNobody (User)');
  });
});

describe('updating users', () => {
  it('merges a partial profile (POST) and replaces a whole one (PUT)', async () => {
    const user = await createUser({ profile: profile(login(), { nickName: 'ada' }) });
    const partial = await json(await post(`/api/v1/users/${user.id}`, { profile: { firstName: 'Augusta' } }));
    assert.equal(partial.profile.firstName, 'Augusta');
    assert.equal(partial.profile.nickName, 'ada');
    assert.equal(partial.profile.lastName, 'Lovelace');

    const replaced = await json(await s.api(`/api/v1/users/${user.id}`, {
      method: 'PUT', body: JSON.stringify({ profile: { login: user.profile.login, email: user.profile.email, firstName: 'A' } }),
    }));
    assert.equal(replaced.profile.firstName, 'A');
    assert.equal(replaced.profile.nickName, undefined);
    assert.equal(replaced.profile.lastName, undefined);

    await expectError(await s.api(`/api/v1/users/${user.id}`, { method: 'PUT', body: JSON.stringify({}) }), 400, 'E0000001', [
      'login: The field cannot be left blank',
    ]);
    await expectError(await post(`/api/v1/users/${user.id}`, { profile: { email: 'bad' } }), 400, 'E0000001', ['email: Does not match required pattern']);
    await expectError(await post('/api/v1/users/00uMissing', { profile: { firstName: 'x' } }), 404, 'E0000007');
  });

  it('refuses a login already taken by another user', async () => {
    const a = await createUser({ profile: profile() });
    const b = await createUser({ profile: profile() });
    await expectError(await post(`/api/v1/users/${b.id}`, { profile: { login: a.profile.login } }), 400, 'E0000001', [
      'login: An object with this field already exists in the current organization',
    ]);
  });

  it('sets a password, completing a PROVISIONED user', async () => {
    const user = await createUser({ profile: profile() });
    assert.equal(user.status, 'PROVISIONED');
    const updated = await json(await post(`/api/v1/users/${user.id}`, { credentials: { password: { value: 'Brand-New-Pass-1' } } }));
    assert.equal(updated.status, 'ACTIVE');
    assert.deepEqual(updated.credentials.password, {});
    assert.ok(updated.passwordChanged);
  });
});

describe('user lifecycle', () => {
  const lifecycle = (id: string, op: string) => post(`/api/v1/users/${id}/lifecycle/${op}`);

  it('follows Okta status rules', async () => {
    const staged = await createUser({ profile: profile(), credentials: { password: { value: 'Correct-Horse-1' } } }, '?activate=false');
    let res = await lifecycle(staged.id, 'activate');
    assert.equal(res.status, 200);
    assert.deepEqual(await json(res), {});
    assert.equal((await json(await s.api(`/api/v1/users/${staged.id}`))).status, 'ACTIVE');
    await expectError(await lifecycle(staged.id, 'activate'), 403, 'E0000016');

    const noPassword = await createUser({ profile: profile() }, '?activate=false');
    await lifecycle(noPassword.id, 'activate');
    assert.equal((await json(await s.api(`/api/v1/users/${noPassword.id}`))).status, 'PROVISIONED');
    assert.equal((await lifecycle(noPassword.id, 'reactivate')).status, 200);
    await expectError(await lifecycle(noPassword.id, 'suspend'), 400, 'E0000001', ['Cannot suspend a user that is not active']);

    assert.equal((await lifecycle(staged.id, 'suspend')).status, 200);
    assert.equal((await json(await s.api(`/api/v1/users/${staged.id}`))).status, 'SUSPENDED');
    await expectError(await lifecycle(staged.id, 'suspend'), 400, 'E0000001');
    await expectError(await lifecycle(staged.id, 'unlock'), 403, 'E0000032');
    await expectError(await lifecycle(staged.id, 'reactivate'), 403, 'E0000038');
    assert.equal((await lifecycle(staged.id, 'unsuspend')).status, 200);
    await expectError(await lifecycle(staged.id, 'unsuspend'), 400, 'E0000001', ['Cannot unsuspend a user that is not suspended']);
    assert.equal((await lifecycle(staged.id, 'unlock')).status, 200);

    res = await lifecycle(staged.id, 'expire_password');
    const expired = await json(res);
    assert.equal(res.status, 200);
    assert.equal(expired.status, 'PASSWORD_EXPIRED');
    assert.equal(expired.id, staged.id);

    await expectError(await lifecycle('00uUnknownUser', 'suspend'), 404, 'E0000007');
    await expectError(await lifecycle(staged.id, 'explode'), 404, 'E0000007');
  });

  it('unlocks a LOCKED_OUT user', async () => {
    const user = await createUser({ profile: profile(), credentials: { password: { value: 'Correct-Horse-1' } } });
    await s.container.store.users.recordFailedLogin(user.id, 1, Date.now());
    assert.equal((await json(await s.api(`/api/v1/users/${user.id}`))).status, 'LOCKED_OUT');
    assert.equal((await lifecycle(user.id, 'unlock')).status, 200);
    const unlocked = await s.container.store.users.get(user.id);
    assert.equal(unlocked?.status, 'ACTIVE');
    assert.equal(unlocked?.failedLogins, 0);
  });

  it('deactivation revokes sessions and refresh tokens; DELETE deactivates then deletes', async () => {
    const user = await createUser({ profile: profile(), credentials: { password: { value: 'Correct-Horse-1' } } });
    const { store } = s.container;
    const now = Date.now();
    const sessionId = sha256(randomToken());
    await store.sessions.create({ id: sessionId, userId: user.id, created: now, expiresAt: now + 3_600_000, authTime: now, amr: ['pwd'], revokedAt: null });
    const refreshId = sha256(randomToken());
    await store.refreshTokens.create({
      id: refreshId, grantId: 'oagTestGrant', clientId: 'client', userId: user.id, authServerId: 'default',
      payload: { scopes: ['openid', 'offline_access'], authTime: now, amr: ['pwd'], accessTokenLifetimeSeconds: 3600, refreshTokenWindowSeconds: null },
      issuedAt: now, expiresAt: null, idleExpiresAt: null, rotatedAt: null, revokedAt: null,
    });

    let res = await s.api(`/api/v1/users/${user.id}`, { method: 'DELETE' });
    assert.equal(res.status, 204);
    assert.equal((await json(await s.api(`/api/v1/users/${user.id}`))).status, 'DEPROVISIONED');
    assert.ok((await store.sessions.get(sessionId))?.revokedAt, 'session revoked');
    assert.ok((await store.refreshTokens.get(refreshId))?.revokedAt, 'refresh token revoked');
    await expectError(await lifecycle(user.id, 'deactivate'), 403, 'E0000038');

    res = await s.api(`/api/v1/users/${user.id}`, { method: 'DELETE' });
    assert.equal(res.status, 204);
    await expectError(await s.api(`/api/v1/users/${user.id}`), 404, 'E0000007');
    await expectError(await s.api(`/api/v1/users/${user.id}`, { method: 'DELETE' }), 404, 'E0000007');
  });

  it('a deactivated user can be activated again', async () => {
    const user = await createUser({ profile: profile(), credentials: { password: { value: 'Correct-Horse-1' } } });
    await lifecycle(user.id, 'deactivate');
    await expectError(await post(`/api/v1/users/${user.id}`, { profile: { firstName: 'x' } }), 403, 'E0000038');
    assert.equal((await lifecycle(user.id, 'activate')).status, 200);
    assert.equal((await json(await s.api(`/api/v1/users/${user.id}`))).status, 'ACTIVE');
  });

  it('an administrator cannot deactivate, suspend or delete their own account', async () => {
    await expectError(await lifecycle('me', 'deactivate'), 403, 'E0000006');
    await expectError(await lifecycle(TEST_ADMIN_LOGIN, 'suspend'), 403, 'E0000006');
    const me = await json(await s.api('/api/v1/users/me'));
    await expectError(await s.api(`/api/v1/users/${me.id}`, { method: 'DELETE' }), 403, 'E0000006');
  });
});

describe('GET /api/v1/users', () => {
  let tag: string;
  const ids: string[] = [];
  before(async () => {
    tag = `list${randomToken(3).toLowerCase().replace(/[^a-z0-9]/g, 'q')}`;
    for (let i = 0; i < 5; i++) {
      const u = await createUser({ profile: profile(`${tag}-${i}@example.com`, { firstName: i % 2 ? 'Odd' : 'Even' }) });
      ids.push(u.id);
    }
    await post(`/api/v1/users/${ids[4]}/lifecycle/deactivate`);
  });

  const list = async (query: string) => {
    const res = await s.api(`/api/v1/users?${query}`);
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    return { body, link: res.headers.get('link') ?? '' };
  };

  it('searches by login prefix with q, leaving DEPROVISIONED users out', async () => {
    const { body } = await list(`q=${tag}`);
    assert.deepEqual(body.map((u: any) => u.id).sort(), ids.slice(0, 4).sort());
  });

  it('filters with Okta expressions', async () => {
    const dep = await list(`filter=${encodeURIComponent('status eq "DEPROVISIONED"')}`);
    assert.ok(dep.body.some((u: any) => u.id === ids[4]));
    assert.ok(dep.body.every((u: any) => u.status === 'DEPROVISIONED'));

    const byLogin = await list(`filter=${encodeURIComponent(`profile.login eq "${tag}-2@example.com"`)}`);
    assert.deepEqual(byLogin.body.map((u: any) => u.id), [ids[2]]);

    const expr = `(profile.login eq "${tag}-1@example.com" or profile.login eq "${tag}-3@example.com") and status eq "PROVISIONED"`;
    const combined = await list(`filter=${encodeURIComponent(expr)}`);
    assert.deepEqual(combined.body.map((u: any) => u.id).sort(), [ids[1], ids[3]].sort());

    const future = await list(`filter=${encodeURIComponent('lastUpdated gt "2999-01-01T00:00:00.000Z"')}`);
    assert.deepEqual(future.body, []);
    const past = await list(`filter=${encodeURIComponent('created gt "2000-01-01T00:00:00.000Z"')}`);
    assert.ok(past.body.length >= 5);

    const search = await list(`search=${encodeURIComponent(`profile.login sw "${tag}" and profile.firstName eq "Odd"`)}`);
    assert.deepEqual(search.body.map((u: any) => u.id).sort(), [ids[1], ids[3]].sort());
  });

  it('rejects bad filters with E0000031', async () => {
    for (const bad of ['status eq ACTIVE', 'status eq "NOPE"', 'profile.city eq "x"', 'lastUpdated gt "yesterday"', '(status eq "ACTIVE"', 'status ne "ACTIVE"', 'and']) {
      await expectError(await s.api(`/api/v1/users?filter=${encodeURIComponent(bad)}`), 400, 'E0000031');
    }
    await expectError(await s.api(`/api/v1/users?q=a&filter=${encodeURIComponent('status eq "ACTIVE"')}`), 400, 'E0000033');
  });

  it('paginates with Link headers and opaque cursors', async () => {
    const first = await list(`q=${tag}&limit=3`);
    assert.equal(first.body.length, 3);
    assert.match(first.link, new RegExp(`<${s.orgUrl}/api/v1/users\\?q=${tag}&limit=3>; rel="self"`));
    const next = /<([^>]+)>; rel="next"/.exec(first.link)?.[1];
    assert.ok(next, first.link);
    assert.ok(next.startsWith(`${s.orgUrl}/api/v1/users?`));
    const res = await fetch(next, { headers: { authorization: `SSWS ${s.token}` } });
    const second = await json(res);
    assert.equal(second.length, 1);
    assert.doesNotMatch(res.headers.get('link') ?? '', /rel="next"/);
    const all = [...first.body, ...second].map((u: any) => u.id);
    assert.deepEqual(all, [...ids.slice(0, 4)].sort());
  });

  it('caps the limit and refuses a bad cursor', async () => {
    const { link } = await list('limit=5000');
    assert.match(link, /limit=200>; rel="self"/);
    await expectError(await s.api('/api/v1/users?after=%25%25%25'), 400, 'E0000029');
    await expectError(await s.api('/api/v1/users?limit=ten'), 400, 'E0000029');
  });
});
