/**
 * Over real HTTP: GET /api/v1/apps/{id}/users lists every assigned user, directly (scope USER) or
 * through a group (scope GROUP, the Everyone group included), paginated; GET /apps/{id}/users/{userId}
 * finds group-assigned users; GET /api/v1/users/{id}/appLinks lists the user's ACTIVE apps. Also
 * through Okta's own SDK.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import okta from '@okta/okta-sdk-nodejs';
import { randomToken } from '../../src/crypto/ids.js';
import { expectJson, json, startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s?.close();
});

async function expectError(res: Response, status: number, code: string): Promise<any> {
  const body = await json(res);
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.errorCode, code, JSON.stringify(body));
  for (const key of ['errorSummary', 'errorLink', 'errorId', 'errorCauses']) assert.ok(key in body, key);
  return body;
}

async function createApp(oauthClient: Record<string, unknown> = {}, extra: Record<string, unknown> = {}, query = ''): Promise<any> {
  return expectJson(await s.send('POST', `/api/v1/apps${query}`, {
    name: 'oidc_client',
    label: `Links ${randomToken(4)}`,
    signOnMode: 'OPENID_CONNECT',
    settings: { oauthClient: { grant_types: ['authorization_code'], redirect_uris: ['https://app.example.com/callback'], ...oauthClient } },
    ...extra,
  }));
}

async function createUser(): Promise<any> {
  const login = `assigned-${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}@example.com`;
  return expectJson(await s.send('POST', '/api/v1/users', { profile: { login, email: login, firstName: 'Assigned', lastName: 'User' } }));
}

async function createGroup(): Promise<any> {
  return expectJson(await s.send('POST', '/api/v1/groups', { profile: { name: `assigned-group-${randomToken(6)}` } }));
}

async function addMember(groupId: string, userId: string): Promise<void> {
  assert.equal((await s.send('PUT', `/api/v1/groups/${groupId}/users/${userId}`)).status, 204);
}

/** Every page of a list, following rel="next" exactly as given. */
async function allPages(path: string): Promise<{ rows: any[]; pages: number }> {
  const rows: any[] = [];
  let url: string | undefined = `${s.orgUrl}${path}`;
  let pages = 0;
  while (url) {
    const res = await s.api(url.slice(s.orgUrl.length));
    rows.push(...(await expectJson(res)));
    pages++;
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '');
    url = next?.[1];
  }
  return { rows, pages };
}

describe('GET /api/v1/apps/{id}/users', () => {
  it('lists direct and group assignments, direct winning, across pages', async () => {
    const app = await createApp();
    const [direct, viaGroup, both, viaTwoGroups, outsider] = [await createUser(), await createUser(), await createUser(), await createUser(), await createUser()];
    const [g1, g2, unassigned] = [await createGroup(), await createGroup(), await createGroup()];
    for (const u of [viaGroup, both, viaTwoGroups]) await addMember(g1.id, u.id);
    await addMember(g2.id, viaTwoGroups.id);
    await addMember(unassigned.id, outsider.id);
    await expectJson(await s.send('PUT', `/api/v1/apps/${app.id}/groups/${g1.id}`, { priority: 1, profile: { role: 'low' } }));
    await expectJson(await s.send('PUT', `/api/v1/apps/${app.id}/groups/${g2.id}`, { priority: 0, profile: { role: 'high' } }));
    for (const u of [direct, both]) await expectJson(await s.send('POST', `/api/v1/apps/${app.id}/users`, { id: u.id, profile: { role: 'direct' } }));

    const expected = [direct, viaGroup, both, viaTwoGroups].map((u) => u.id).sort();
    const { rows, pages } = await allPages(`/api/v1/apps/${app.id}/users?limit=1`);
    assert.deepEqual(rows.map((r) => r.id), expected, 'every assigned user once, in id order');
    assert.equal(pages, 4);
    const byId = new Map(rows.map((r) => [r.id, r]));
    assert.equal(byId.get(direct.id).scope, 'USER');
    assert.equal(byId.get(both.id).scope, 'USER', 'a direct assignment wins over a group');
    assert.deepEqual(byId.get(both.id).profile, { role: 'direct' });
    assert.equal(byId.get(viaGroup.id).scope, 'GROUP');
    assert.deepEqual(byId.get(viaGroup.id).profile, { role: 'low' });
    assert.equal(byId.get(viaTwoGroups.id).scope, 'GROUP');
    assert.deepEqual(byId.get(viaTwoGroups.id).profile, { role: 'high' }, 'the highest-priority group gives the profile');
    const groupUser = byId.get(viaGroup.id);
    assert.equal(groupUser.credentials.userName, viaGroup.profile.login);
    assert.equal(groupUser.status, 'ACTIVE');
    assert.equal(groupUser._links.user.href, `${s.orgUrl}/api/v1/users/${viaGroup.id}`);
    assert.equal(groupUser._links.app.href, `${s.orgUrl}/api/v1/apps/${app.id}`);
    assert.ok(!byId.has(outsider.id));

    // One page holding everything has no next link; a page of two does.
    const whole = await s.api(`/api/v1/apps/${app.id}/users`);
    assert.equal((await expectJson(whole)).length, 4);
    assert.doesNotMatch(whole.headers.get('link') ?? '', /rel="next"/);
    const firstTwo = await s.api(`/api/v1/apps/${app.id}/users?limit=2`);
    assert.deepEqual((await expectJson(firstTwo)).map((r: any) => r.id), expected.slice(0, 2));
    assert.match(firstTwo.headers.get('link') ?? '', /rel="next"/);

    // Removing the group removes the users it brought, not the direct ones.
    assert.equal((await s.send('DELETE', `/api/v1/apps/${app.id}/groups/${g1.id}`)).status, 204);
    const after = (await allPages(`/api/v1/apps/${app.id}/users`)).rows;
    assert.deepEqual(after.map((r) => r.id), [direct, both, viaTwoGroups].map((u) => u.id).sort());
  });

  it('finds one group-assigned user by id with scope GROUP, and 404s otherwise', async () => {
    const app = await createApp();
    const [member, stranger] = [await createUser(), await createUser()];
    const group = await createGroup();
    await addMember(group.id, member.id);
    await expectJson(await s.send('PUT', `/api/v1/apps/${app.id}/groups/${group.id}`, { profile: { team: 'blue' } }));
    const found = await expectJson(await s.api(`/api/v1/apps/${app.id}/users/${member.id}`));
    assert.equal(found.id, member.id);
    assert.equal(found.scope, 'GROUP');
    assert.deepEqual(found.profile, { team: 'blue' });
    await expectError(await s.api(`/api/v1/apps/${app.id}/users/${stranger.id}`), 404, 'E0000007');
    await expectError(await s.api(`/api/v1/apps/${app.id}/users/00uNobody`), 404, 'E0000007');
    await expectError(await s.api('/api/v1/apps/0oaNothing/users'), 404, 'E0000007');
    await expectError(await s.api(`/api/v1/apps/${app.id}/users?limit=abc`), 400, 'E0000029');
  });

  it('lists every user of the org for an app assigned to Everyone', async () => {
    const app = await createApp();
    const user = await createUser();
    const groups = await expectJson(await s.api('/api/v1/groups?q=Everyone'));
    const everyone = groups.find((g: any) => g.profile.name === 'Everyone');
    await expectJson(await s.send('PUT', `/api/v1/apps/${app.id}/groups/${everyone.id}`));
    await expectJson(await s.send('POST', `/api/v1/apps/${app.id}/users`, { id: user.id }));
    const listed = (await allPages(`/api/v1/apps/${app.id}/users?limit=3`)).rows;
    const users = (await allPages('/api/v1/users?limit=200')).rows;
    assert.deepEqual(listed.map((r) => r.id), users.map((u) => u.id).sort());
    assert.equal(listed.find((r) => r.id === user.id).scope, 'USER');
    assert.ok(listed.filter((r) => r.id !== user.id).every((r) => r.scope === 'GROUP'));
    // Every user of the org now has this app: take it away before the app-link tests.
    await expectJson(await s.send('POST', `/api/v1/apps/${app.id}/lifecycle/deactivate`));
    assert.equal((await s.send('DELETE', `/api/v1/apps/${app.id}`)).status, 204);
  });
});

describe('GET /api/v1/users/{id}/appLinks', () => {
  it("lists the user's ACTIVE apps, direct or through a group, in Okta's AppLink shape", async () => {
    const user = await createUser();
    const group = await createGroup();
    await addMember(group.id, user.id);
    const launched = await createApp({ initiate_login_uri: 'https://launch.example.com/login', logo_uri: 'https://launch.example.com/logo.png' }, { label: 'A launched app' });
    const viaGroup = await createApp({}, { label: 'B via group', visibility: { hide: { web: true, iOS: false } } });
    const inactive = await createApp({}, { label: 'C inactive' }, '?activate=false');
    const unassigned = await createApp({}, { label: 'D unassigned' });
    await expectJson(await s.send('POST', `/api/v1/apps/${launched.id}/users`, { id: user.id }));
    await expectJson(await s.send('PUT', `/api/v1/apps/${viaGroup.id}/groups/${group.id}`));
    await expectJson(await s.send('POST', `/api/v1/apps/${inactive.id}/users`, { id: user.id }));

    const links = await expectJson(await s.api(`/api/v1/users/${user.id}/appLinks`));
    assert.deepEqual(links.map((l: any) => l.appInstanceId), [launched.id, viaGroup.id]);
    assert.ok(!links.some((l: any) => l.appInstanceId === unassigned.id));
    const [first, second] = links;
    assert.deepEqual(Object.keys(first).sort(), [
      'appAssignmentId', 'appInstanceId', 'appName', 'credentialsSetup', 'hidden', 'id', 'label', 'linkUrl', 'logoUrl', 'sortOrder',
    ]);
    assert.equal(first.id, user.id);
    assert.equal(first.label, 'A launched app');
    assert.equal(first.appName, 'oidc_client');
    assert.equal(first.linkUrl, 'https://launch.example.com/login');
    assert.equal(first.logoUrl, 'https://launch.example.com/logo.png');
    assert.equal(first.hidden, false);
    assert.equal(first.credentialsSetup, false);
    assert.equal(first.sortOrder, 0);
    assert.match(first.appAssignmentId, /^0ua[A-Za-z0-9]{17}$/);
    assert.equal(second.linkUrl, `${s.orgUrl}/home/oidc_client/${viaGroup.id}/oidc_client_link`);
    assert.equal(second.hidden, true);
    assert.equal(second.sortOrder, 1);
    assert.notEqual(second.appAssignmentId, first.appAssignmentId);

    // The same ids on every read; by login too.
    const again = await expectJson(await s.api(`/api/v1/users/${encodeURIComponent(user.profile.login)}/appLinks`));
    assert.deepEqual(again, links);

    // Deactivating an app drops its link; a user with nothing assigned gets [].
    await expectJson(await s.send('POST', `/api/v1/apps/${launched.id}/lifecycle/deactivate`));
    assert.deepEqual((await expectJson(await s.api(`/api/v1/users/${user.id}/appLinks`))).map((l: any) => l.appInstanceId), [viaGroup.id]);
    const loner = await createUser();
    assert.deepEqual(await expectJson(await s.api(`/api/v1/users/${loner.id}/appLinks`)), []);
    await expectError(await s.api('/api/v1/users/00uNobody/appLinks'), 404, 'E0000007');
  });
});

describe('@okta/okta-sdk-nodejs', () => {
  it('lists application users and app links', async () => {
    const client = new okta.Client({ orgUrl: s.orgUrl, token: s.token, ...({ testing: { disableHttpsCheck: true } } as object) });
    const app = await createApp();
    const [direct, member] = [await createUser(), await createUser()];
    const group = await createGroup();
    await addMember(group.id, member.id);
    await client.applicationApi.assignUserToApplication({ appId: app.id, appUser: { id: direct.id } });
    await client.applicationApi.assignGroupToApplication({ appId: app.id, groupId: group.id });

    const seen: { id: string; scope: string }[] = [];
    for await (const appUser of await client.applicationApi.listApplicationUsers({ appId: app.id, limit: 1 })) {
      if (appUser) seen.push({ id: appUser.id!, scope: appUser.scope! });
    }
    assert.deepEqual(seen, [{ id: direct.id, scope: 'USER' }, { id: member.id, scope: 'GROUP' }].sort((a, b) => (a.id < b.id ? -1 : 1)));
    const one = await client.applicationApi.getApplicationUser({ appId: app.id, userId: member.id });
    assert.equal(one.scope, 'GROUP');

    const links: string[] = [];
    for await (const link of await client.userApi.listAppLinks({ userId: member.id })) {
      if (link) links.push(link.appInstanceId!);
    }
    assert.deepEqual(links, [app.id]);
  });
});
