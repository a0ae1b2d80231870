/**
 * Storage conformance suite: the Store contract (src/store/store.ts) exercised against a fresh
 * database. Runs unchanged on SQLite and PostgreSQL (GATEHOUSE_TEST_DB).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDatabaseUrl } from '../../src/config/config.js';
import type {
  App, AuthServer, Claim, Group, Policy, PolicyRule, RefreshTokenRecord, Scope, Session, SigningKey, User, UserProfile,
} from '../../src/domain/model.js';
import { openStore } from '../../src/store/open-store.js';
import { DuplicateError, type Store } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const T = 1_700_000_000_000;
const LATER = T + 3_600_000;

let tdb: TestDatabase;
let store: Store;

before(async () => {
  tdb = await createTestDatabase();
  store = await openStore(parseDatabaseUrl(tdb.url));
});

after(async () => {
  await store?.close();
  await tdb?.cleanup();
});

function makeUser(id: string, login: string, over: Partial<User> = {}, profile: Partial<UserProfile> = {}): User {
  return {
    id,
    status: 'ACTIVE',
    profile: { login, email: login, firstName: 'First', lastName: 'Last', ...profile },
    passwordHash: null,
    failedLogins: 0,
    adminRoles: [],
    created: T,
    activated: T,
    statusChanged: T,
    lastLogin: null,
    lastUpdated: T,
    passwordChanged: null,
    ...over,
  };
}

function makeGroup(id: string, name: string, over: Partial<Group> = {}): Group {
  return { id, type: 'OKTA_GROUP', name, description: null, created: T, lastUpdated: T, lastMembershipUpdated: T, ...over };
}

function makeApp(id: string, clientId: string, label: string, over: Partial<App> = {}): App {
  return {
    id,
    status: 'ACTIVE',
    clientId,
    body: {
      name: 'oidc_client',
      label,
      signOnMode: 'OPENID_CONNECT',
      features: [],
      accessibility: { selfService: false },
      visibility: { hide: { iOS: false, web: false } },
      credentials: {
        userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
        oauthClient: { client_id: clientId, token_endpoint_auth_method: 'client_secret_basic', autoKeyRotation: true, pkce_required: false },
      },
      settings: {
        app: {},
        notes: {},
        oauthClient: {
          application_type: 'web',
          redirect_uris: ['https://rp.example/cb'],
          post_logout_redirect_uris: [],
          response_types: ['code'],
          grant_types: ['authorization_code'],
          consent_method: 'TRUSTED',
          issuer_mode: 'ORG_URL',
          wildcard_redirect: 'DISABLED',
        },
      },
    },
    created: T,
    lastUpdated: T,
    ...over,
  };
}

function makeServer(id: string, name: string): AuthServer {
  return {
    id, name, description: 'a server', audiences: ['api://x'], issuerMode: 'ORG_URL', status: 'ACTIVE',
    rotationMode: 'AUTO', lastRotated: T, created: T, lastUpdated: T,
  };
}

function makeScope(id: string, authServerId: string, name: string): Scope {
  return {
    id, authServerId, name, displayName: name, description: null, consent: 'IMPLICIT', default: false, optional: false,
    metadataPublish: 'ALL_CLIENTS', system: false, created: T, lastUpdated: T,
  };
}

function makePolicy(id: string, authServerId: string, priority: number): Policy {
  return {
    id, authServerId, type: 'OAUTH_AUTHORIZATION_POLICY', name: `policy ${id}`, description: null, status: 'ACTIVE',
    priority, system: false, conditions: { clients: { include: ['ALL_CLIENTS'] } }, created: T, lastUpdated: T,
  };
}

function makeRule(id: string, policyId: string, authServerId: string, priority: number): PolicyRule {
  return {
    id, policyId, authServerId, type: 'RESOURCE_ACCESS', name: `rule ${id}`, status: 'ACTIVE', priority, system: false,
    conditions: {
      people: { users: { include: [], exclude: [] }, groups: { include: ['EVERYONE'], exclude: [] } },
      grantTypes: { include: ['authorization_code'] },
      scopes: { include: ['*'] },
    },
    actions: { token: { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
    created: T,
    lastUpdated: T,
  };
}

function makeKey(kid: string, authServerId: string, created = T): SigningKey {
  return {
    kid, authServerId, status: 'ACTIVE', alg: 'RS256', publicJwk: { kty: 'RSA', n: 'abc', e: 'AQAB', kid },
    privateSealed: `sealed-${kid}`, created, expiresAt: null,
  };
}

function makeRefresh(id: string, over: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return {
    id, grantId: `grant-${id}`, clientId: 'client-rt', userId: 'user-rt', authServerId: 'default',
    payload: { scopes: ['openid', 'offline_access'], authTime: T, amr: ['pwd'], accessTokenLifetimeSeconds: 3600, refreshTokenWindowSeconds: null },
    issuedAt: T, expiresAt: LATER, idleExpiresAt: null, rotatedAt: null, revokedAt: null,
    ...over,
  };
}

function makeSession(id: string, userId: string, expiresAt = LATER): Session {
  return { id, userId, created: T, expiresAt, authTime: T, amr: ['pwd'], revokedAt: null };
}

async function rejectsDuplicate(p: Promise<unknown>, field: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof DuplicateError, `expected DuplicateError, got ${String(err)}`);
    assert.equal(err.field, field);
    return true;
  });
}

test('ping answers and dialect matches the backend', async () => {
  assert.equal(await store.ping(), true);
  assert.equal(store.dialect, (process.env.GATEHOUSE_TEST_DB ?? 'sqlite') as 'sqlite' | 'postgres');
});

describe('users', () => {
  test('create, get and getByLogin round-trip (login case-insensitive)', async () => {
    const u = makeUser('u-round', 'Round.Trip@Example.com', { adminRoles: ['SUPER_ADMIN'], passwordHash: 'hash' }, { nickName: 'rt', mobilePhone: null });
    await store.users.create(u);
    assert.deepEqual(await store.users.get('u-round'), u);
    assert.deepEqual(await store.users.getByLogin('round.trip@example.COM'), u);
    assert.equal(await store.users.get('nope'), undefined);
    assert.equal(await store.users.getByLogin('nope@example.com'), undefined);
  });

  test('duplicate login (any case) and duplicate id are DuplicateError', async () => {
    await store.users.create(makeUser('u-dup', 'dup@example.com'));
    await rejectsDuplicate(store.users.create(makeUser('u-dup2', 'DUP@example.com')), 'login');
    await rejectsDuplicate(store.users.create(makeUser('u-dup', 'other-dup@example.com')), 'id');
  });

  test('update replaces the row and keeps the lower-cased columns in sync', async () => {
    const u = makeUser('u-upd', 'before@example.com');
    await store.users.create(u);
    const changed = makeUser('u-upd', 'After@Example.com', { status: 'SUSPENDED', lastUpdated: T + 5, passwordHash: 'h2' }, { firstName: 'Zed' });
    await store.users.update(changed);
    assert.deepEqual(await store.users.get('u-upd'), changed);
    assert.equal(await store.users.getByLogin('before@example.com'), undefined);
    assert.equal((await store.users.getByLogin('after@example.com'))?.id, 'u-upd');
    const found = await store.users.list({ limit: 10, filter: { field: 'firstName', cmp: 'eq', value: 'ZED' } });
    assert.deepEqual(found.map((x) => x.id), ['u-upd']);
    await rejectsDuplicate(store.users.update({ ...changed, profile: { ...changed.profile, login: 'DUP@example.com' } }), 'login');
  });

  test('list is ordered by id with exclusive after and limit', async () => {
    for (const id of ['pg-3', 'pg-1', 'pg-5', 'pg-2', 'pg-4']) await store.users.create(makeUser(id, `${id}@page.example`));
    const all = await store.users.list({ limit: 1000 });
    const ids = all.map((u) => u.id);
    assert.deepEqual(ids, [...ids].sort());
    const walked: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.users.list({ limit: 2, after });
      if (page.length === 0) break;
      assert.ok(page.length <= 2);
      walked.push(...page.map((u) => u.id));
      after = page[page.length - 1]?.id;
    }
    assert.deepEqual(walked, ids);
    const pageAfter = await store.users.list({ limit: 2, after: 'pg-2', q: 'pg-' });
    assert.deepEqual(pageAfter.map((u) => u.id), ['pg-3', 'pg-4']);
  });

  test('q is a case-insensitive prefix match on login, email, first and last name', async () => {
    await store.users.create(makeUser('q-1', 'alpha@q.example', {}, { email: 'mail-one@q.example', firstName: 'Quentin', lastName: 'Smith' }));
    await store.users.create(makeUser('q-2', 'beta@q.example', {}, { email: 'mail-two@q.example', firstName: 'Ann', lastName: 'Quinn' }));
    await store.users.create(makeUser('q-3', 'gamma@q.example', {}, { email: null, firstName: null, lastName: null }));
    const ids = async (q: string) => (await store.users.list({ limit: 100, q })).map((u) => u.id);
    assert.deepEqual(await ids('ALPHA'), ['q-1']);
    assert.deepEqual(await ids('mail-'), ['q-1', 'q-2']);
    assert.deepEqual(await ids('qu'), ['q-1', 'q-2']);
    assert.deepEqual(await ids('gamma@'), ['q-3']);
    assert.deepEqual(await ids('smith'), ['q-1']);
    assert.deepEqual(await ids('q.example'), []);
  });

  test('LIKE wildcards in a prefix match literally', async () => {
    await store.users.create(makeUser('w-1', 'pct%x@w.example'));
    await store.users.create(makeUser('w-2', 'pctAx@w.example'));
    await store.users.create(makeUser('w-3', 'und_x@w.example'));
    await store.users.create(makeUser('w-4', 'undYx@w.example'));
    await store.users.create(makeUser('w-5', 'bang!x@w.example'));
    const ids = async (q: string) => (await store.users.list({ limit: 100, q })).map((u) => u.id);
    assert.deepEqual(await ids('pct%'), ['w-1']);
    assert.deepEqual(await ids('und_'), ['w-3']);
    assert.deepEqual(await ids('bang!'), ['w-5']);
  });

  test('filter: eq, sw, numeric comparisons and and/or trees', async () => {
    await store.users.create(makeUser('f-1', 'one@f.example', { status: 'ACTIVE', created: T + 100, lastLogin: T + 1000 }, { lastName: 'Filter' }));
    await store.users.create(makeUser('f-2', 'two@f.example', { status: 'STAGED', created: T + 200, lastLogin: null }, { lastName: 'Filter' }));
    await store.users.create(makeUser('f-3', 'three@f.example', { status: 'ACTIVE', created: T + 300, lastLogin: T + 3000 }, { lastName: 'Filter' }));
    const ids = async (filter: Parameters<Store['users']['list']>[0]['filter']) =>
      (await store.users.list({ limit: 100, filter })).map((u) => u.id);
    const inF = { field: 'lastName', cmp: 'eq', value: 'filter' } as const;

    assert.deepEqual(await ids({ op: 'and', terms: [inF, { field: 'status', cmp: 'eq', value: 'ACTIVE' }] }), ['f-1', 'f-3']);
    assert.deepEqual(await ids({ field: 'login', cmp: 'eq', value: 'TWO@f.example' }), ['f-2']);
    assert.deepEqual(await ids({ field: 'login', cmp: 'sw', value: 'T' }).then((r) => r.filter((id) => id.startsWith('f-'))), ['f-2', 'f-3']);
    assert.deepEqual(await ids({ field: 'email', cmp: 'sw', value: 'ONE@' }), ['f-1']);
    assert.deepEqual(await ids({ field: 'id', cmp: 'sw', value: 'f-' }), ['f-1', 'f-2', 'f-3']);
    // id and status compare exactly, not case-insensitively.
    assert.deepEqual(await ids({ field: 'id', cmp: 'sw', value: 'F-' }), []);
    assert.deepEqual(await ids({ op: 'and', terms: [inF, { field: 'status', cmp: 'eq', value: 'active' }] }), []);
    assert.deepEqual(await ids({ op: 'and', terms: [inF, { field: 'created', cmp: 'gt', value: T + 100 }] }), ['f-2', 'f-3']);
    assert.deepEqual(await ids({ op: 'and', terms: [inF, { field: 'created', cmp: 'ge', value: T + 100 }] }), ['f-1', 'f-2', 'f-3']);
    assert.deepEqual(await ids({ op: 'and', terms: [inF, { field: 'created', cmp: 'lt', value: T + 200 }] }), ['f-1']);
    assert.deepEqual(await ids({ op: 'and', terms: [inF, { field: 'created', cmp: 'le', value: T + 200 }] }), ['f-1', 'f-2']);
    assert.deepEqual(await ids({ op: 'and', terms: [inF, { field: 'created', cmp: 'eq', value: T + 300 }] }), ['f-3']);
    assert.deepEqual(await ids({ op: 'and', terms: [inF, { field: 'lastLogin', cmp: 'gt', value: T }] }), ['f-1', 'f-3']);
    assert.deepEqual(await ids({
      op: 'and',
      terms: [inF, { op: 'or', terms: [{ field: 'status', cmp: 'eq', value: 'STAGED' }, { field: 'lastLogin', cmp: 'ge', value: T + 3000 }] }],
    }), ['f-2', 'f-3']);
    assert.deepEqual(await store.users.list({ limit: 1, after: 'f-1', filter: inF }).then((r) => r.map((u) => u.id)), ['f-2']);
    assert.deepEqual(await store.users.list({ limit: 100, q: 'three', filter: inF }).then((r) => r.map((u) => u.id)), ['f-3']);
  });

  test('recordFailedLogin counts atomically and locks at the threshold', async () => {
    await store.users.create(makeUser('u-lock', 'lock@example.com'));
    let u = await store.users.recordFailedLogin('u-lock', 3, T + 1);
    assert.equal(u?.failedLogins, 1);
    assert.equal(u?.status, 'ACTIVE');
    u = await store.users.recordFailedLogin('u-lock', 3, T + 2);
    assert.equal(u?.failedLogins, 2);
    assert.equal(u?.status, 'ACTIVE');
    u = await store.users.recordFailedLogin('u-lock', 3, T + 3);
    assert.equal(u?.failedLogins, 3);
    assert.equal(u?.status, 'LOCKED_OUT');
    assert.equal(u?.statusChanged, T + 3);
    u = await store.users.recordFailedLogin('u-lock', 3, T + 4);
    assert.equal(u?.status, 'LOCKED_OUT');
    assert.equal(u?.statusChanged, T + 3, 'an already locked user keeps its lock time');
    assert.equal(await store.users.recordFailedLogin('missing', 3, T), undefined);

    await store.users.create(makeUser('u-burst', 'burst@example.com'));
    await Promise.all(Array.from({ length: 8 }, () => store.users.recordFailedLogin('u-burst', 100, T)));
    assert.equal((await store.users.get('u-burst'))?.failedLogins, 8);

    await store.users.recordSuccessfulLogin('u-burst', T + 9);
    const ok = await store.users.get('u-burst');
    assert.equal(ok?.failedLogins, 0);
    assert.equal(ok?.lastLogin, T + 9);
  });
});

describe('groups', () => {
  test('CRUD round trip and duplicate name (any case)', async () => {
    const g = makeGroup('g-crud', 'Engineering', { description: 'builders' });
    await store.groups.create(g);
    assert.deepEqual(await store.groups.get('g-crud'), g);
    assert.deepEqual(await store.groups.getByName('ENGINEERING'), g);
    await rejectsDuplicate(store.groups.create(makeGroup('g-crud2', 'engineering')), 'name');
    const renamed = { ...g, name: 'Eng', description: null, lastUpdated: T + 1 };
    await store.groups.update(renamed);
    assert.deepEqual(await store.groups.get('g-crud'), renamed);
    assert.equal(await store.groups.getByName('Engineering'), undefined);
    await store.groups.create(makeGroup('g-crud3', 'Other'));
    await rejectsDuplicate(store.groups.update({ ...renamed, name: 'OTHER' }), 'name');
  });

  test('list with q, after and limit', async () => {
    for (const id of ['gl-2', 'gl-1', 'gl-3']) await store.groups.create(makeGroup(id, `Listed ${id}`));
    const list = await store.groups.list({ limit: 10, q: 'listed' });
    assert.deepEqual(list.map((g) => g.id), ['gl-1', 'gl-2', 'gl-3']);
    assert.deepEqual((await store.groups.list({ limit: 1, after: 'gl-1', q: 'LISTED' })).map((g) => g.id), ['gl-2']);
  });

  test('membership, listMembers paging, listGroupsOfUser and groupIdsOfUser with Everyone', async () => {
    await store.groups.create(makeGroup('gm-a', 'Members A'));
    await store.groups.create(makeGroup('gm-b', 'Members B'));
    for (const id of ['mu-1', 'mu-2', 'mu-3']) await store.users.create(makeUser(id, `${id}@m.example`));
    await store.groups.addMember('gm-a', 'mu-1', T + 10);
    await store.groups.addMember('gm-a', 'mu-2', T + 11);
    await store.groups.addMember('gm-a', 'mu-3', T + 12);
    await store.groups.addMember('gm-b', 'mu-1', T + 13);
    await store.groups.addMember('gm-a', 'mu-1', T + 99); // already a member: no-op
    assert.equal((await store.groups.get('gm-a'))?.lastMembershipUpdated, T + 12);

    assert.deepEqual((await store.groups.listMembers('gm-a', { limit: 10 })).map((u) => u.id), ['mu-1', 'mu-2', 'mu-3']);
    assert.deepEqual((await store.groups.listMembers('gm-a', { limit: 1, after: 'mu-1' })).map((u) => u.id), ['mu-2']);
    assert.deepEqual((await store.groups.listGroupsOfUser('mu-1')).map((g) => g.id), ['gm-a', 'gm-b']);
    assert.deepEqual(await store.groups.groupIdsOfUser('mu-1'), ['gm-a', 'gm-b']);

    await store.groups.create(makeGroup('g-everyone', 'Everyone', { type: 'BUILT_IN' }));
    assert.deepEqual(await store.groups.groupIdsOfUser('mu-1'), ['g-everyone', 'gm-a', 'gm-b']);
    assert.deepEqual(await store.groups.groupIdsOfUser('mu-3'), ['g-everyone', 'gm-a']);
    assert.deepEqual(await store.groups.groupIdsOfUser('nobody'), ['g-everyone']);
    // An explicit membership in Everyone does not list it twice.
    await store.groups.addMember('g-everyone', 'mu-3', T);
    assert.deepEqual(await store.groups.groupIdsOfUser('mu-3'), ['g-everyone', 'gm-a']);

    await store.groups.removeMember('gm-a', 'mu-2', T + 20);
    assert.deepEqual((await store.groups.listMembers('gm-a', { limit: 10 })).map((u) => u.id), ['mu-1', 'mu-3']);
    assert.equal((await store.groups.get('gm-a'))?.lastMembershipUpdated, T + 20);
  });

  test('delete removes memberships and app group assignments', async () => {
    await store.groups.create(makeGroup('gd-1', 'Doomed'));
    await store.users.create(makeUser('gd-u', 'gd-u@example.com'));
    await store.apps.create(makeApp('gd-app', 'gd-client', 'Doomed App'));
    await store.groups.addMember('gd-1', 'gd-u', T);
    await store.apps.assignGroup({ appId: 'gd-app', groupId: 'gd-1', priority: 0, body: {}, created: T, lastUpdated: T });
    await store.groups.delete('gd-1');
    assert.equal(await store.groups.get('gd-1'), undefined);
    assert.deepEqual(await store.groups.listMembers('gd-1', { limit: 10 }), []);
    assert.ok(!(await store.groups.groupIdsOfUser('gd-u')).includes('gd-1'));
    assert.equal(await store.apps.getGroupAssignment('gd-app', 'gd-1'), undefined);
    // Re-creating a group with the same id starts empty.
    await store.groups.create(makeGroup('gd-1', 'Doomed'));
    assert.deepEqual(await store.groups.listMembers('gd-1', { limit: 10 }), []);
  });
});

describe('apps', () => {
  test('CRUD round trip, getByClientId and duplicate client_id', async () => {
    const app = makeApp('a-crud', 'client-crud', 'Portal');
    await store.apps.create(app);
    assert.deepEqual(await store.apps.get('a-crud'), app);
    assert.deepEqual(await store.apps.getByClientId('client-crud'), app);
    assert.equal(await store.apps.getByClientId('nope'), undefined);
    await rejectsDuplicate(store.apps.create(makeApp('a-crud2', 'client-crud', 'Other')), 'client_id');
    const updated = { ...app, status: 'INACTIVE' as const, body: { ...app.body, label: 'Portal 2' }, lastUpdated: T + 1 };
    await store.apps.update(updated);
    assert.deepEqual(await store.apps.get('a-crud'), updated);
  });

  test('list by q (label or name prefix, any case), status, after and limit', async () => {
    await store.apps.create(makeApp('al-1', 'cl-1', 'Zebra Portal'));
    await store.apps.create(makeApp('al-2', 'cl-2', 'zeta tools', { status: 'INACTIVE' }));
    await store.apps.create(makeApp('al-3', 'cl-3', 'Zen'));
    const ids = async (q: Parameters<Store['apps']['list']>[0]) => (await store.apps.list(q)).map((a) => a.id);
    assert.deepEqual(await ids({ limit: 10, q: 'ZE' }), ['al-1', 'al-2', 'al-3']);
    assert.deepEqual(await ids({ limit: 10, q: 'ze', status: 'ACTIVE' }), ['al-1', 'al-3']);
    assert.deepEqual(await ids({ limit: 1, q: 'ze', after: 'al-1' }), ['al-2']);
    assert.ok((await ids({ limit: 100, q: 'oidc_' })).includes('al-1'), 'matches on name too');
  });

  test('secrets', async () => {
    await store.apps.create(makeApp('as-app', 'as-client', 'Secrets'));
    const s1 = { id: 's-1', appId: 'as-app', secretSealed: 'sealed1', secretHash: 'hash1', status: 'ACTIVE' as const, created: T, lastUpdated: T };
    const s2 = { ...s1, id: 's-2', secretSealed: 'sealed2', secretHash: 'hash2' };
    await store.apps.createSecret(s2);
    await store.apps.createSecret(s1);
    assert.deepEqual(await store.apps.listSecrets('as-app'), [s1, s2]);
    assert.deepEqual(await store.apps.getSecret('as-app', 's-1'), s1);
    assert.equal(await store.apps.getSecret('other-app', 's-1'), undefined);
    await rejectsDuplicate(store.apps.createSecret(s1), 'id');
    const inactive = { ...s1, status: 'INACTIVE' as const, lastUpdated: T + 1 };
    await store.apps.updateSecret(inactive);
    assert.deepEqual(await store.apps.getSecret('as-app', 's-1'), inactive);
    await store.apps.deleteSecret('as-app', 's-2');
    assert.deepEqual(await store.apps.listSecrets('as-app'), [inactive]);
  });

  test('assignments: upsert, paging, isAssigned direct and by group, listAppIdsForUser', async () => {
    await store.apps.create(makeApp('aa-1', 'aa-client-1', 'Assign 1'));
    await store.apps.create(makeApp('aa-2', 'aa-client-2', 'Assign 2'));
    await store.apps.create(makeApp('aa-3', 'aa-client-3', 'Assign 3'));
    const ua = { appId: 'aa-1', userId: 'au-1', scope: 'USER' as const, body: { profile: { role: 'x' } }, created: T, lastUpdated: T };
    await store.apps.assignUser(ua);
    await store.apps.assignUser({ ...ua, userId: 'au-2' });
    await store.apps.assignUser({ ...ua, userId: 'au-3' });
    const reassigned = { ...ua, scope: 'GROUP' as const, body: { profile: { role: 'y' } }, created: T + 50, lastUpdated: T + 50 };
    await store.apps.assignUser(reassigned);
    assert.deepEqual(await store.apps.getUserAssignment('aa-1', 'au-1'), { ...reassigned, created: T });
    assert.deepEqual((await store.apps.listUserAssignments('aa-1', { limit: 2 })).map((a) => a.userId), ['au-1', 'au-2']);
    assert.deepEqual((await store.apps.listUserAssignments('aa-1', { limit: 2, after: 'au-2' })).map((a) => a.userId), ['au-3']);

    const ga = { appId: 'aa-2', groupId: 'ag-1', priority: 1, body: {}, created: T, lastUpdated: T };
    await store.apps.assignGroup(ga);
    await store.apps.assignGroup({ ...ga, groupId: 'ag-2', priority: 0 });
    await store.apps.assignGroup({ ...ga, priority: 7, lastUpdated: T + 1 });
    assert.deepEqual(await store.apps.getGroupAssignment('aa-2', 'ag-1'), { ...ga, priority: 7, lastUpdated: T + 1 });
    assert.deepEqual((await store.apps.listGroupAssignments('aa-2', { limit: 10 })).map((a) => a.groupId), ['ag-1', 'ag-2']);
    assert.deepEqual((await store.apps.listGroupAssignments('aa-2', { limit: 10, after: 'ag-1' })).map((a) => a.groupId), ['ag-2']);

    assert.equal(await store.apps.isAssigned('aa-1', 'au-1', []), true, 'direct');
    assert.equal(await store.apps.isAssigned('aa-1', 'au-9', ['ag-1']), false);
    assert.equal(await store.apps.isAssigned('aa-2', 'au-9', ['ag-x', 'ag-1']), true, 'by group');
    assert.equal(await store.apps.isAssigned('aa-2', 'au-9', []), false);
    assert.equal(await store.apps.isAssigned('aa-2', 'au-1', ['ag-x']), false);
    assert.equal(await store.apps.isAssigned('aa-3', 'au-1', ['ag-1', 'ag-2']), false);

    assert.deepEqual(await store.apps.listAppIdsForUser('au-1', []), ['aa-1']);
    assert.deepEqual(await store.apps.listAppIdsForUser('au-1', ['ag-2']), ['aa-1', 'aa-2']);
    assert.deepEqual(await store.apps.listAppIdsForUser('au-9', ['ag-1', 'ag-2']), ['aa-2']);

    await store.apps.unassignUser('aa-1', 'au-1');
    assert.equal(await store.apps.isAssigned('aa-1', 'au-1', []), false);
    await store.apps.unassignGroup('aa-2', 'ag-1');
    assert.equal(await store.apps.isAssigned('aa-2', 'au-9', ['ag-1']), false);
  });

  test('delete removes secrets and assignments', async () => {
    await store.apps.create(makeApp('ad-1', 'ad-client', 'Doomed'));
    await store.apps.createSecret({ id: 'ad-s', appId: 'ad-1', secretSealed: 'x', secretHash: 'y', status: 'ACTIVE', created: T, lastUpdated: T });
    await store.apps.assignUser({ appId: 'ad-1', userId: 'ad-u', scope: 'USER', body: {}, created: T, lastUpdated: T });
    await store.apps.assignGroup({ appId: 'ad-1', groupId: 'ad-g', priority: 0, body: {}, created: T, lastUpdated: T });
    await store.apps.delete('ad-1');
    assert.equal(await store.apps.get('ad-1'), undefined);
    assert.equal(await store.apps.getByClientId('ad-client'), undefined);
    assert.deepEqual(await store.apps.listSecrets('ad-1'), []);
    assert.deepEqual(await store.apps.listUserAssignments('ad-1', { limit: 10 }), []);
    assert.deepEqual(await store.apps.listGroupAssignments('ad-1', { limit: 10 }), []);
    assert.equal(await store.apps.isAssigned('ad-1', 'ad-u', ['ad-g']), false);
  });
});

describe('authorization servers', () => {
  test('CRUD round trip, list and duplicate name', async () => {
    const s = makeServer('srv-1', 'Default');
    await store.authServers.create(s);
    assert.deepEqual(await store.authServers.get('srv-1'), s);
    await rejectsDuplicate(store.authServers.create(makeServer('srv-x', 'DEFAULT')), 'name');
    const updated: AuthServer = { ...s, description: null, audiences: ['a', 'b'], issuerMode: 'DYNAMIC', rotationMode: 'MANUAL', lastRotated: null, status: 'INACTIVE', lastUpdated: T + 1 };
    await store.authServers.update(updated);
    assert.deepEqual(await store.authServers.get('srv-1'), updated);
    await store.authServers.create(makeServer('srv-2', 'Partners'));
    await store.authServers.create(makeServer('srv-3', 'Payments'));
    assert.deepEqual((await store.authServers.list({ limit: 10, q: 'pa' })).map((x) => x.id), ['srv-2', 'srv-3']);
    assert.deepEqual((await store.authServers.list({ limit: 1, after: 'srv-1' })).map((x) => x.id), ['srv-2']);
    await rejectsDuplicate(store.authServers.update({ ...updated, name: 'partners' }), 'name');
  });

  test('scopes and claims', async () => {
    await store.authServers.create(makeServer('srv-sc', 'Scoped'));
    const sc = makeScope('sc-1', 'srv-sc', 'read:all');
    await store.authServers.createScope(sc);
    await store.authServers.createScope(makeScope('sc-0', 'srv-sc', 'write:all'));
    assert.deepEqual(await store.authServers.getScope('srv-sc', 'sc-1'), sc);
    assert.equal(await store.authServers.getScope('other', 'sc-1'), undefined);
    assert.deepEqual((await store.authServers.listScopes('srv-sc')).map((x) => x.id), ['sc-0', 'sc-1']);
    await rejectsDuplicate(store.authServers.createScope(makeScope('sc-2', 'srv-sc', 'read:all')), 'name');
    await store.authServers.createScope(makeScope('sc-3', 'srv-1', 'read:all')); // another server: fine
    const updated: Scope = { ...sc, consent: 'REQUIRED', default: true, description: 'read', lastUpdated: T + 1 };
    await store.authServers.updateScope(updated);
    assert.deepEqual(await store.authServers.getScope('srv-sc', 'sc-1'), updated);
    await rejectsDuplicate(store.authServers.updateScope({ ...updated, name: 'write:all' }), 'name');
    await store.authServers.deleteScope('srv-sc', 'sc-0');
    assert.deepEqual((await store.authServers.listScopes('srv-sc')).map((x) => x.id), ['sc-1']);

    const claim: Claim = {
      id: 'cl-1', authServerId: 'srv-sc', name: 'groups', status: 'ACTIVE', claimType: 'IDENTITY', valueType: 'GROUPS',
      value: 'Eng', group_filter_type: 'STARTS_WITH', conditions: { scopes: ['openid'] }, alwaysIncludeInToken: true,
      system: false, created: T, lastUpdated: T,
    };
    await store.authServers.createClaim(claim);
    assert.deepEqual(await store.authServers.getClaim('srv-sc', 'cl-1'), claim);
    const { group_filter_type: _ignored, ...noFilter } = claim;
    const plain: Claim = { ...noFilter, valueType: 'EXPRESSION', value: 'user.email', lastUpdated: T + 2 };
    await store.authServers.updateClaim(plain);
    assert.deepEqual(await store.authServers.getClaim('srv-sc', 'cl-1'), plain);
    assert.deepEqual(await store.authServers.listClaims('srv-sc'), [plain]);
    await store.authServers.deleteClaim('srv-sc', 'cl-1');
    assert.deepEqual(await store.authServers.listClaims('srv-sc'), []);
  });

  test('policies and rules are ordered by priority', async () => {
    await store.authServers.create(makeServer('srv-p', 'Policies'));
    const p1 = makePolicy('pol-a', 'srv-p', 2);
    const p2 = makePolicy('pol-b', 'srv-p', 1);
    await store.authServers.createPolicy(p1);
    await store.authServers.createPolicy(p2);
    assert.deepEqual(await store.authServers.getPolicy('srv-p', 'pol-a'), p1);
    assert.deepEqual((await store.authServers.listPolicies('srv-p')).map((p) => p.id), ['pol-b', 'pol-a']);
    const moved = { ...p1, priority: 0, status: 'INACTIVE' as const, name: 'renamed' };
    await store.authServers.updatePolicy(moved);
    assert.deepEqual(await store.authServers.getPolicy('srv-p', 'pol-a'), moved);
    assert.deepEqual((await store.authServers.listPolicies('srv-p')).map((p) => p.id), ['pol-a', 'pol-b']);

    const r1 = makeRule('rule-a', 'pol-a', 'srv-p', 5);
    const r2 = makeRule('rule-b', 'pol-a', 'srv-p', 3);
    await store.authServers.createRule(r1);
    await store.authServers.createRule(r2);
    await store.authServers.createRule(makeRule('rule-c', 'pol-b', 'srv-p', 1));
    assert.deepEqual(await store.authServers.getRule('srv-p', 'pol-a', 'rule-a'), r1);
    assert.equal(await store.authServers.getRule('srv-p', 'pol-b', 'rule-a'), undefined);
    assert.deepEqual((await store.authServers.listRules('srv-p', 'pol-a')).map((r) => r.id), ['rule-b', 'rule-a']);
    const r1b = { ...r1, priority: 1, actions: { token: { ...r1.actions.token, accessTokenLifetimeMinutes: 5 } } };
    await store.authServers.updateRule(r1b);
    assert.deepEqual(await store.authServers.getRule('srv-p', 'pol-a', 'rule-a'), r1b);
    assert.deepEqual((await store.authServers.listRules('srv-p', 'pol-a')).map((r) => r.id), ['rule-a', 'rule-b']);
    await store.authServers.deleteRule('srv-p', 'pol-a', 'rule-b');
    assert.deepEqual((await store.authServers.listRules('srv-p', 'pol-a')).map((r) => r.id), ['rule-a']);
    await store.authServers.deletePolicy('srv-p', 'pol-b');
    assert.equal(await store.authServers.getPolicy('srv-p', 'pol-b'), undefined);
    assert.deepEqual(await store.authServers.listRules('srv-p', 'pol-b'), [], 'rules go with their policy');
  });

  test('delete removes scopes, claims, policies, rules and keys', async () => {
    await store.authServers.create(makeServer('srv-d', 'Doomed'));
    await store.authServers.createScope(makeScope('d-sc', 'srv-d', 'x'));
    await store.authServers.createClaim({
      id: 'd-cl', authServerId: 'srv-d', name: 'c', status: 'ACTIVE', claimType: 'RESOURCE', valueType: 'EXPRESSION',
      value: '1', conditions: { scopes: [] }, alwaysIncludeInToken: false, system: false, created: T, lastUpdated: T,
    });
    await store.authServers.createPolicy(makePolicy('d-pol', 'srv-d', 1));
    await store.authServers.createRule(makeRule('d-rule', 'd-pol', 'srv-d', 1));
    await store.signingKeys.create(makeKey('d-kid', 'srv-d'));
    await store.signingKeys.create(makeKey('keep-kid', 'srv-keep'));
    await store.authServers.delete('srv-d');
    assert.equal(await store.authServers.get('srv-d'), undefined);
    assert.deepEqual(await store.authServers.listScopes('srv-d'), []);
    assert.deepEqual(await store.authServers.listClaims('srv-d'), []);
    assert.deepEqual(await store.authServers.listPolicies('srv-d'), []);
    assert.deepEqual(await store.authServers.listRules('srv-d', 'd-pol'), []);
    assert.deepEqual(await store.signingKeys.listForServer('srv-d'), []);
    assert.equal((await store.signingKeys.listForServer('srv-keep')).length, 1);
    // The same ids are free again.
    await store.authServers.createScope(makeScope('d-sc', 'srv-d2', 'x'));
  });
});

describe('signing keys', () => {
  test('create, listForServer (oldest first) and update', async () => {
    const k2 = makeKey('kid-2', 'org', T + 10);
    const k1 = makeKey('kid-1', 'org', T);
    await store.signingKeys.create(k2);
    await store.signingKeys.create(k1);
    assert.deepEqual(await store.signingKeys.listForServer('org'), [k1, k2]);
    await rejectsDuplicate(store.signingKeys.create(k1), 'kid');
    const expired = { ...k1, status: 'EXPIRED' as const, expiresAt: T + 100 };
    await store.signingKeys.update(expired);
    assert.deepEqual(await store.signingKeys.listForServer('org'), [expired, k2]);
  });
});

describe('artifacts', () => {
  const payload = { clientId: 'c1', userId: 'u1', scopes: ['openid'], redirectUri: 'https://rp/cb' };

  test('consume: ok once, then reused with the payload', async () => {
    await store.artifacts.put('code-1', 'code', payload, LATER, T);
    assert.deepEqual(await store.artifacts.consume('code-1', 'code', T + 1), { status: 'ok', payload });
    assert.deepEqual(await store.artifacts.consume('code-1', 'code', T + 2), { status: 'reused', payload });
  });

  test('consume: wrong kind or unknown id is missing, past expiry is expired', async () => {
    await store.artifacts.put('st-1', 'session_token', { userId: 'u' }, LATER, T);
    assert.deepEqual(await store.artifacts.consume('st-1', 'code', T), { status: 'missing' });
    assert.deepEqual(await store.artifacts.consume('nope', 'code', T), { status: 'missing' });
    await store.artifacts.put('code-exp', 'code', payload, T + 10, T);
    assert.deepEqual(await store.artifacts.consume('code-exp', 'code', T + 10), { status: 'expired' });
    assert.deepEqual(await store.artifacts.consume('code-exp', 'code', T + 11), { status: 'expired' });
    // Still unconsumed, so it reads back as usable before its expiry.
    assert.equal((await store.artifacts.consume('code-exp', 'code', T + 9)).status, 'ok');
    assert.deepEqual(await store.artifacts.consume('st-1', 'session_token', T), { status: 'ok', payload: { userId: 'u' } });
  });

  test('peek reads a live artifact without consuming it; nothing for the wrong kind, expired or consumed', async () => {
    const state = { userId: 'u-peek', expiresAt: T + 10 };
    await store.artifacts.put('state-1', 'state_token', state, T + 10, T);
    assert.deepEqual(await store.artifacts.peek('state-1', 'state_token', T), state);
    assert.deepEqual(await store.artifacts.peek('state-1', 'state_token', T + 9), state);
    assert.equal(await store.artifacts.peek('state-1', 'session_token', T), undefined);
    assert.equal(await store.artifacts.peek('nope', 'state_token', T), undefined);
    assert.equal(await store.artifacts.peek('state-1', 'state_token', T + 10), undefined);
    assert.deepEqual(await store.artifacts.consume('state-1', 'state_token', T + 1), { status: 'ok', payload: state });
    assert.equal(await store.artifacts.peek('state-1', 'state_token', T + 2), undefined);
  });

  test('duplicate id is DuplicateError', async () => {
    await store.artifacts.put('code-dup', 'code', payload, LATER, T);
    await rejectsDuplicate(store.artifacts.put('code-dup', 'code', payload, LATER, T), 'id');
  });

  test('exactly one of 10 concurrent consumers wins', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `code-race-${round}`;
      await store.artifacts.put(id, 'code', { round }, LATER, T);
      const results = await Promise.all(Array.from({ length: 10 }, () => store.artifacts.consume<{ round: number }>(id, 'code', T + 1)));
      assert.equal(results.filter((r) => r.status === 'ok').length, 1, JSON.stringify(results));
      assert.equal(results.filter((r) => r.status === 'reused').length, 9, JSON.stringify(results));
      for (const r of results) assert.deepEqual('payload' in r ? r.payload : undefined, { round });
    }
  });

  test('annotate adds to the payload that a reuse returns', async () => {
    await store.artifacts.put('code-ann', 'code', payload, LATER, T);
    assert.equal((await store.artifacts.consume('code-ann', 'code', T)).status, 'ok');
    await store.artifacts.annotate('code-ann', { grantId: 'g-1' });
    assert.deepEqual(await store.artifacts.consume('code-ann', 'code', T), { status: 'reused', payload: { ...payload, grantId: 'g-1' } });
    await store.artifacts.annotate('nope', { grantId: 'g-2' }); // no row: nothing to do
  });

  test('deleteExpired removes only expired artifacts (consumed or not)', async () => {
    const now = T + 1_000;
    await store.artifacts.put('gc-1', 'code', payload, now - 1, T);
    await store.artifacts.put('gc-2', 'code', payload, now, T);
    await store.artifacts.put('gc-3', 'code', payload, now + 1, T);
    await store.artifacts.consume('gc-1', 'code', T);
    const removed = await store.artifacts.deleteExpired(now);
    assert.ok(removed >= 2, `removed ${removed}`);
    assert.deepEqual(await store.artifacts.consume('gc-1', 'code', T), { status: 'missing' });
    assert.deepEqual(await store.artifacts.consume('gc-2', 'code', T), { status: 'missing' });
    assert.equal((await store.artifacts.consume('gc-3', 'code', T)).status, 'ok');
    assert.equal(await store.artifacts.deleteExpired(now), 0);
  });
});

describe('refresh tokens', () => {
  test('create/get round trip and duplicate id', async () => {
    const t = makeRefresh('rt-round', { payload: { ...makeRefresh('x').payload, sessionId: 's1' }, idleExpiresAt: T + 5 });
    await store.refreshTokens.create(t);
    assert.deepEqual(await store.refreshTokens.get('rt-round'), t);
    assert.equal(await store.refreshTokens.get('nope'), undefined);
    await rejectsDuplicate(store.refreshTokens.create(t), 'id');
  });

  test('markRotated succeeds once and only on a live token', async () => {
    await store.refreshTokens.create(makeRefresh('rt-1'));
    assert.equal(await store.refreshTokens.markRotated('rt-1', T + 1), true);
    assert.equal(await store.refreshTokens.markRotated('rt-1', T + 2), false);
    assert.equal((await store.refreshTokens.get('rt-1'))?.rotatedAt, T + 1);

    await store.refreshTokens.create(makeRefresh('rt-revoked'));
    await store.refreshTokens.revoke('rt-revoked', T + 1);
    assert.equal(await store.refreshTokens.markRotated('rt-revoked', T + 2), false);

    await store.refreshTokens.create(makeRefresh('rt-expired', { expiresAt: T + 10 }));
    assert.equal(await store.refreshTokens.markRotated('rt-expired', T + 10), false);

    await store.refreshTokens.create(makeRefresh('rt-idle', { idleExpiresAt: T + 10 }));
    assert.equal(await store.refreshTokens.markRotated('rt-idle', T + 10), false);
    await store.refreshTokens.touch('rt-idle', T + 100);
    assert.equal((await store.refreshTokens.get('rt-idle'))?.idleExpiresAt, T + 100);
    assert.equal(await store.refreshTokens.markRotated('rt-idle', T + 10), true);

    await store.refreshTokens.create(makeRefresh('rt-forever', { expiresAt: null }));
    assert.equal(await store.refreshTokens.markRotated('rt-forever', LATER * 2), true);
    assert.equal(await store.refreshTokens.markRotated('rt-missing', T), false);
  });

  test('exactly one of 10 concurrent rotations wins', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `rt-race-${round}`;
      await store.refreshTokens.create(makeRefresh(id));
      const results = await Promise.all(Array.from({ length: 10 }, () => store.refreshTokens.markRotated(id, T + 1)));
      assert.equal(results.filter(Boolean).length, 1, JSON.stringify(results));
    }
  });

  test('revokeGrant, revokeForUser, revokeForClient and listForClient', async () => {
    await store.refreshTokens.create(makeRefresh('fam-1', { grantId: 'fam', clientId: 'c-list', userId: 'u-a' }));
    await store.refreshTokens.create(makeRefresh('fam-2', { grantId: 'fam', clientId: 'c-list', userId: 'u-a' }));
    await store.refreshTokens.create(makeRefresh('solo-1', { grantId: 'solo', clientId: 'c-list', userId: 'u-b' }));
    await store.refreshTokens.create(makeRefresh('solo-2', { grantId: 'solo2', clientId: 'c-list', userId: 'u-b' }));
    await store.refreshTokens.create(makeRefresh('other-1', { grantId: 'other', clientId: 'c-other', userId: 'u-b' }));

    assert.deepEqual((await store.refreshTokens.listForClient('c-list', { limit: 10 })).map((t) => t.id), ['fam-1', 'fam-2', 'solo-1', 'solo-2']);
    assert.deepEqual((await store.refreshTokens.listForClient('c-list', { limit: 2, after: 'fam-1' })).map((t) => t.id), ['fam-2', 'solo-1']);

    await store.refreshTokens.revokeGrant('fam', T + 5);
    assert.equal((await store.refreshTokens.get('fam-1'))?.revokedAt, T + 5);
    assert.equal((await store.refreshTokens.get('fam-2'))?.revokedAt, T + 5);
    assert.equal((await store.refreshTokens.get('solo-1'))?.revokedAt, null);
    await store.refreshTokens.revokeGrant('fam', T + 9);
    assert.equal((await store.refreshTokens.get('fam-1'))?.revokedAt, T + 5, 'first revocation time is kept');
    assert.deepEqual((await store.refreshTokens.listForClient('c-list', { limit: 10 })).map((t) => t.id), ['solo-1', 'solo-2']);

    await store.refreshTokens.markRotated('solo-2', T + 1);
    assert.deepEqual((await store.refreshTokens.listForClient('c-list', { limit: 10 })).map((t) => t.id), ['solo-1']);

    await store.refreshTokens.revokeForClient('c-other', T + 6);
    assert.equal((await store.refreshTokens.get('other-1'))?.revokedAt, T + 6);
    assert.equal((await store.refreshTokens.get('solo-1'))?.revokedAt, null);
    await store.refreshTokens.revokeForUser('u-b', T + 7);
    assert.equal((await store.refreshTokens.get('solo-1'))?.revokedAt, T + 7);
    assert.equal((await store.refreshTokens.get('other-1'))?.revokedAt, T + 6);
  });
});

describe('revocations', () => {
  test('add, anyRevoked and deleteExpired', async () => {
    assert.equal(await store.revocations.anyRevoked([]), false);
    assert.equal(await store.revocations.anyRevoked(['jti:none']), false);
    await store.revocations.add('grant:g1', T + 100);
    await store.revocations.add('jti:j1', T + 10);
    await store.revocations.add('grant:g1', T + 50); // an earlier horizon does not shorten the entry
    assert.equal(await store.revocations.anyRevoked(['jti:x', 'grant:g1']), true);
    assert.equal(await store.revocations.anyRevoked(['jti:j1']), true);
    assert.equal(await store.revocations.deleteExpired(T + 60), 1);
    assert.equal(await store.revocations.anyRevoked(['jti:j1']), false);
    assert.equal(await store.revocations.anyRevoked(['grant:g1']), true);
  });
});

describe('sessions', () => {
  test('create, get, update, revoke, revokeForUser, deleteExpired', async () => {
    const s = makeSession('sess-1', 'su-1');
    await store.sessions.create(s);
    assert.deepEqual(await store.sessions.get('sess-1'), s);
    await rejectsDuplicate(store.sessions.create(s), 'id');
    const extended = { ...s, expiresAt: LATER + 1, amr: ['pwd', 'otp'], authTime: T + 3 };
    await store.sessions.update(extended);
    assert.deepEqual(await store.sessions.get('sess-1'), extended);
    await store.sessions.revoke('sess-1', T + 4);
    assert.equal((await store.sessions.get('sess-1'))?.revokedAt, T + 4);

    await store.sessions.create(makeSession('sess-2', 'su-2'));
    await store.sessions.create(makeSession('sess-3', 'su-2'));
    await store.sessions.create(makeSession('sess-4', 'su-3'));
    await store.sessions.revokeForUser('su-2', T + 5);
    assert.equal((await store.sessions.get('sess-2'))?.revokedAt, T + 5);
    assert.equal((await store.sessions.get('sess-3'))?.revokedAt, T + 5);
    assert.equal((await store.sessions.get('sess-4'))?.revokedAt, null);

    await store.sessions.create(makeSession('sess-old', 'su-4', T + 1));
    assert.ok(await store.sessions.deleteExpired(T + 1) >= 1);
    assert.equal(await store.sessions.get('sess-old'), undefined);
    assert.ok(await store.sessions.get('sess-4'));
  });
});

describe('consents', () => {
  test('upsert is idempotent per scope; list, delete and deleteForClient', async () => {
    const g = { id: 'cg-1', userId: 'cu', clientId: 'cc-1', authServerId: 'default', scope: 'openid', created: T, lastUpdated: T };
    await store.consents.upsert(g);
    await store.consents.upsert({ ...g, id: 'cg-1b', created: T + 5, lastUpdated: T + 5 });
    assert.deepEqual(await store.consents.list('cu'), [{ ...g, lastUpdated: T + 5 }]);
    await store.consents.upsert({ ...g, id: 'cg-2', scope: 'profile' });
    await store.consents.upsert({ ...g, id: 'cg-3', clientId: 'cc-2' });
    await store.consents.upsert({ ...g, id: 'cg-4', userId: 'other-user' });
    assert.deepEqual((await store.consents.list('cu')).map((c) => c.id), ['cg-1', 'cg-2', 'cg-3']);
    assert.deepEqual((await store.consents.list('cu', 'cc-1')).map((c) => c.id), ['cg-1', 'cg-2']);
    await store.consents.delete('other-user', 'cg-1'); // not that user's grant
    await store.consents.delete('cu', 'cg-2');
    assert.deepEqual((await store.consents.list('cu')).map((c) => c.id), ['cg-1', 'cg-3']);
    await store.consents.deleteForClient('cu', 'cc-1');
    assert.deepEqual((await store.consents.list('cu')).map((c) => c.id), ['cg-3']);
    assert.deepEqual((await store.consents.list('other-user')).map((c) => c.id), ['cg-4']);
  });
});

describe('api tokens', () => {
  test('create, getByHash, duplicate hash, list and delete', async () => {
    const t = { id: 'tok-b', name: 'ci', tokenHash: 'h-b', userId: 'admin', created: T, lastUsed: null };
    await store.apiTokens.create(t);
    await store.apiTokens.create({ ...t, id: 'tok-a', tokenHash: 'h-a', lastUsed: T + 1 });
    assert.deepEqual(await store.apiTokens.getByHash('h-b'), t);
    assert.equal(await store.apiTokens.getByHash('h-zzz'), undefined);
    await rejectsDuplicate(store.apiTokens.create({ ...t, id: 'tok-c' }), 'tokenHash');
    assert.deepEqual((await store.apiTokens.list()).map((x) => x.id), ['tok-a', 'tok-b']);
    await store.apiTokens.delete('tok-b');
    assert.equal(await store.apiTokens.getByHash('h-b'), undefined);
  });
});

describe('settings', () => {
  test('get, setIfAbsent (first writer wins, also concurrently) and set', async () => {
    assert.equal(await store.settings.get('k1'), undefined);
    assert.equal(await store.settings.setIfAbsent('k1', 'first'), 'first');
    assert.equal(await store.settings.setIfAbsent('k1', 'second'), 'first');
    assert.equal(await store.settings.get('k1'), 'first');
    await store.settings.set('k1', 'third');
    assert.equal(await store.settings.get('k1'), 'third');
    await store.settings.set('k2', 'new');
    assert.equal(await store.settings.get('k2'), 'new');

    const values = await Promise.all(Array.from({ length: 8 }, (_, i) => store.settings.setIfAbsent('k-race', `v${i}`)));
    assert.equal(new Set(values).size, 1, JSON.stringify(values));
    assert.equal(await store.settings.get('k-race'), values[0]);
  });
});

describe('user delete cascade', () => {
  test('removes memberships, assignments, sessions, refresh tokens and consent grants', async () => {
    await store.users.create(makeUser('ud-1', 'ud-1@example.com'));
    await store.users.create(makeUser('ud-2', 'ud-2@example.com'));
    await store.groups.create(makeGroup('ud-g', 'UD group'));
    await store.apps.create(makeApp('ud-app', 'ud-client', 'UD app'));
    for (const uid of ['ud-1', 'ud-2']) {
      await store.groups.addMember('ud-g', uid, T);
      await store.apps.assignUser({ appId: 'ud-app', userId: uid, scope: 'USER', body: {}, created: T, lastUpdated: T });
      await store.sessions.create(makeSession(`ud-sess-${uid}`, uid));
      await store.refreshTokens.create(makeRefresh(`ud-rt-${uid}`, { userId: uid, clientId: 'ud-client' }));
      await store.consents.upsert({ id: `ud-cg-${uid}`, userId: uid, clientId: 'ud-client', authServerId: 'default', scope: 'openid', created: T, lastUpdated: T });
    }
    await store.users.delete('ud-1');
    assert.equal(await store.users.get('ud-1'), undefined);
    assert.deepEqual((await store.groups.listMembers('ud-g', { limit: 10 })).map((u) => u.id), ['ud-2']);
    assert.equal(await store.apps.getUserAssignment('ud-app', 'ud-1'), undefined);
    assert.equal(await store.sessions.get('ud-sess-ud-1'), undefined);
    assert.equal(await store.refreshTokens.get('ud-rt-ud-1'), undefined);
    assert.deepEqual(await store.consents.list('ud-1'), []);
    // The other user is untouched.
    assert.ok(await store.apps.getUserAssignment('ud-app', 'ud-2'));
    assert.ok(await store.sessions.get('ud-sess-ud-2'));
    assert.ok(await store.refreshTokens.get('ud-rt-ud-2'));
    assert.equal((await store.consents.list('ud-2')).length, 1);
    // The login is free again.
    await store.users.create(makeUser('ud-1b', 'ud-1@example.com'));
  });
});

describe('transactions', () => {
  test('commit makes writes visible and returns the result', async () => {
    const result = await store.transaction(async (tx) => {
      await tx.users.create(makeUser('tx-1', 'tx-1@example.com'));
      await tx.groups.create(makeGroup('tx-g', 'Tx group'));
      await tx.groups.addMember('tx-g', 'tx-1', T);
      return 42;
    });
    assert.equal(result, 42);
    assert.ok(await store.users.get('tx-1'));
    assert.deepEqual(await store.groups.groupIdsOfUser('tx-1').then((ids) => ids.filter((i) => i.startsWith('tx-'))), ['tx-g']);
  });

  test('a throw rolls everything back', async () => {
    await assert.rejects(store.transaction(async (tx) => {
      await tx.users.create(makeUser('tx-2', 'tx-2@example.com'));
      await tx.settings.set('tx-key', 'v');
      await tx.users.delete('tx-1'); // a cascade inside the outer transaction
      assert.equal(await tx.users.get('tx-2').then((u) => u?.id), 'tx-2', 'visible inside');
      throw new Error('boom');
    }), /boom/);
    assert.equal(await store.users.get('tx-2'), undefined);
    assert.equal(await store.settings.get('tx-key'), undefined);
    assert.ok(await store.users.get('tx-1'), 'the cascaded delete was rolled back too');
    assert.deepEqual((await store.groups.listMembers('tx-g', { limit: 10 })).map((u) => u.id), ['tx-1']);
  });

  test('a DuplicateError inside rolls back and surfaces unchanged; nested calls join the outer transaction', async () => {
    await assert.rejects(store.transaction(async (tx) => {
      await tx.users.create(makeUser('tx-3', 'tx-3@example.com'));
      await tx.transaction(async (inner) => inner.users.create(makeUser('tx-4', 'tx-4@example.com')));
      await tx.users.create(makeUser('tx-5', 'TX-1@example.com'));
    }), (err: unknown) => err instanceof DuplicateError && err.field === 'login');
    assert.equal(await store.users.get('tx-3'), undefined);
    assert.equal(await store.users.get('tx-4'), undefined);
    assert.equal(await store.users.get('tx-5'), undefined);
  });
});
