/** /api/v1/groups over real HTTP: CRUD, the built-in Everyone group, memberships, listing. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomToken } from '../../src/crypto/ids.js';
import { json, startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s?.close();
});

const unique = (prefix: string) => `${prefix}-${randomToken(6)}`;
async function expectError(res: Response, status: number, code: string, causes?: string[]): Promise<any> {
  const body = await json(res);
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.errorCode, code, JSON.stringify(body));
  if (causes) assert.deepEqual(body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary), causes);
  return body;
}

async function createGroup(name = unique('group'), description: string | null = 'A group'): Promise<any> {
  const res = await s.send('POST', '/api/v1/groups', { profile: { name, description } });
  const body = await json(res);
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

async function createUser(): Promise<any> {
  const login = `${unique('member').toLowerCase().replace(/[^a-z0-9-]/g, 'x')}@example.com`;
  const res = await s.send('POST', '/api/v1/users', { profile: { login, email: login } });
  assert.equal(res.status, 200);
  return json(res);
}

async function everyone(): Promise<any> {
  const list = await json(await s.api('/api/v1/groups?q=Everyone'));
  return list.find((g: any) => g.profile.name === 'Everyone');
}

describe('groups', () => {
  it('creates a group in Okta shape', async () => {
    const name = unique('Engineering');
    const group = await createGroup(name, 'Builds things');
    assert.match(group.id, /^00g[A-Za-z0-9]{17}$/);
    assert.equal(group.type, 'OKTA_GROUP');
    assert.deepEqual(group.objectClass, ['okta:user_group']);
    assert.deepEqual(group.profile, { name, description: 'Builds things' });
    for (const k of ['created', 'lastUpdated', 'lastMembershipUpdated']) assert.match(group[k], /^\d{4}-\d{2}-\d{2}T.*Z$/);
    assert.equal(group._links.self.href, `${s.orgUrl}/api/v1/groups/${group.id}`);
    assert.equal(group._links.users.href, `${s.orgUrl}/api/v1/groups/${group.id}/users`);
    assert.deepEqual(await json(await s.api(`/api/v1/groups/${group.id}`)), group);
  });

  it('validates names and refuses duplicates (case-insensitively)', async () => {
    const name = unique('Dup');
    await createGroup(name);
    await expectError(await s.send('POST', '/api/v1/groups', { profile: { name: name.toUpperCase() } }), 400, 'E0000001', [
      'name: An object with this field already exists in the current organization',
    ]);
    await expectError(await s.send('POST', '/api/v1/groups', { profile: {} }), 400, 'E0000001', ['name: The field cannot be left blank']);
    await expectError(await s.send('POST', '/api/v1/groups', {}), 400, 'E0000001', ['name: The field cannot be left blank']);
    await expectError(await s.send('POST', '/api/v1/groups', { profile: { name: 'x', description: 5 } }), 400, 'E0000001', [
      'description: The field must be a string',
    ]);
    await expectError(await s.send('POST', '/api/v1/groups', { profile: 'x' }), 400, 'E0000001', ['profile: The field must be an object']);
    await expectError(await s.send('POST', '/api/v1/groups', { profile: { name: 'x'.repeat(256) } }), 400, 'E0000001');
    await expectError(await s.api('/api/v1/groups', { method: 'POST', body: '{"profile": {' }), 400, 'E0000003');
    await expectError(await s.api('/api/v1/groups', { method: 'POST', body: '"just a string"' }), 400, 'E0000003');
  });

  it('replaces a group profile with PUT', async () => {
    const group = await createGroup();
    const name = unique('Renamed');
    const res = await s.send('PUT', `/api/v1/groups/${group.id}`, { profile: { name } });
    const updated = await json(res);
    assert.equal(res.status, 200);
    assert.deepEqual(updated.profile, { name, description: null });
    const other = await createGroup();
    await expectError(await s.send('PUT', `/api/v1/groups/${other.id}`, { profile: { name } }), 400, 'E0000001', [
      'name: An object with this field already exists in the current organization',
    ]);
    await expectError(await s.send('PUT', '/api/v1/groups/00gMissing', { profile: { name: 'x' } }), 404, 'E0000007');
  });

  it('deletes a group', async () => {
    const group = await createGroup();
    assert.equal((await s.send('DELETE', `/api/v1/groups/${group.id}`)).status, 204);
    const body = await expectError(await s.api(`/api/v1/groups/${group.id}`), 404, 'E0000007');
    assert.equal(body.errorSummary, `Not found: Resource not found: ${group.id} (UserGroup)`);
    await expectError(await s.send('DELETE', `/api/v1/groups/${group.id}`), 404, 'E0000007');
  });

  it('keeps the built-in Everyone group read-only', async () => {
    const all = await everyone();
    assert.equal(all.type, 'BUILT_IN');
    await expectError(await s.send('PUT', `/api/v1/groups/${all.id}`, { profile: { name: 'Everybody' } }), 403, 'E0000006');
    await expectError(await s.send('DELETE', `/api/v1/groups/${all.id}`), 403, 'E0000006');
    const user = await createUser();
    await expectError(await s.send('PUT', `/api/v1/groups/${all.id}/users/${user.id}`), 403, 'E0000006');
    await expectError(await s.send('DELETE', `/api/v1/groups/${all.id}/users/${user.id}`), 403, 'E0000006');
    const members = await json(await s.api(`/api/v1/groups/${all.id}/users`));
    assert.ok(members.some((u: any) => u.id === user.id), 'every user is in Everyone');
  });
});

describe('memberships', () => {
  it('adds, lists and removes members', async () => {
    const group = await createGroup();
    const [a, b] = [await createUser(), await createUser()];
    assert.equal((await s.send('PUT', `/api/v1/groups/${group.id}/users/${a.id}`)).status, 204);
    assert.equal((await s.send('PUT', `/api/v1/groups/${group.id}/users/${b.id}`)).status, 204);
    assert.equal((await s.send('PUT', `/api/v1/groups/${group.id}/users/${b.id}`)).status, 204, 'adding twice is harmless');

    const res = await s.api(`/api/v1/groups/${group.id}/users?limit=1`);
    const first = await json(res);
    assert.equal(first.length, 1);
    const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    assert.ok(next);
    const second = await json(await fetch(next, { headers: { authorization: `SSWS ${s.token}` } }));
    assert.deepEqual([...first, ...second].map((u: any) => u.id).sort(), [a.id, b.id].sort());

    const groupsOfA = await json(await s.api(`/api/v1/users/${a.id}/groups`));
    assert.ok(groupsOfA.some((g: any) => g.id === group.id));
    const refreshed = await json(await s.api(`/api/v1/groups/${group.id}`));
    assert.ok(refreshed.lastMembershipUpdated >= group.lastMembershipUpdated);

    assert.equal((await s.send('DELETE', `/api/v1/groups/${group.id}/users/${a.id}`)).status, 204);
    const after = await json(await s.api(`/api/v1/groups/${group.id}/users`));
    assert.deepEqual(after.map((u: any) => u.id), [b.id]);
  });

  it('answers unknown groups and users with 404 E0000007', async () => {
    const group = await createGroup();
    const user = await createUser();
    await expectError(await s.send('PUT', `/api/v1/groups/00gNope/users/${user.id}`), 404, 'E0000007');
    const body = await expectError(await s.send('PUT', `/api/v1/groups/${group.id}/users/00uNope`), 404, 'E0000007');
    assert.equal(body.errorSummary, 'Not found: Resource not found: 00uNope (User)');
    await expectError(await s.send('DELETE', `/api/v1/groups/${group.id}/users/00uNope`), 404, 'E0000007');
    await expectError(await s.api('/api/v1/groups/00gNope/users'), 404, 'E0000007');
  });
});

describe('GET /api/v1/groups', () => {
  it('searches by name prefix and paginates', async () => {
    const prefix = unique('Team');
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await createGroup(`${prefix}-${i}`));
    const res = await s.api(`/api/v1/groups?q=${encodeURIComponent(prefix)}&limit=2`);
    const page = await json(res);
    assert.equal(page.length, 2);
    const link = res.headers.get('link') ?? '';
    assert.match(link, /rel="self"/);
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
    assert.ok(next?.includes(`q=${encodeURIComponent(prefix)}`), 'next keeps the query');
    const rest = await json(await fetch(next!, { headers: { authorization: `SSWS ${s.token}` } }));
    assert.deepEqual([...page, ...rest].map((g: any) => g.id).sort(), created.map((g) => g.id).sort());
  });

  it('refuses group filter expressions it cannot evaluate', async () => {
    await expectError(await s.api(`/api/v1/groups?filter=${encodeURIComponent('type eq "OKTA_GROUP"')}`), 400, 'E0000031');
  });
});
