/**
 * Okta's own management SDK (@okta/okta-sdk-nodejs) against Gatehouse: users, groups and apps,
 * including Link-header pagination followed by the SDK's collection iterator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import okta from '@okta/okta-sdk-nodejs';
import { randomToken } from '../../src/crypto/ids.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let client: okta.Client;
before(async () => {
  s = await startTestServer();
  // SDK 8.1 accepts http org URLs as is; `testing.disableHttpsCheck` keeps newer versions that check from refusing them.
  client = new okta.Client({ orgUrl: s.orgUrl, token: s.token, ...({ testing: { disableHttpsCheck: true } } as object) });
});
after(async () => {
  await s?.close();
});

const tag = `sdk${randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;

describe('@okta/okta-sdk-nodejs', () => {
  const userIds: string[] = [];

  it('creates users and lists them across pages', async () => {
    for (let i = 0; i < 5; i++) {
      const login = `${tag}-${i}@example.com`;
      const user = await client.userApi.createUser({
        body: {
          profile: { firstName: 'Sdk', lastName: `User${i}`, email: login, login },
          credentials: { password: { value: 'Sdk-Passw0rd!' } },
        },
        activate: true,
      });
      assert.equal(user.status, 'ACTIVE');
      assert.equal(user.profile?.login, login);
      userIds.push(user.id!);
    }
    const seen: string[] = [];
    const collection = await client.userApi.listUsers({ q: tag, limit: 2 });
    for await (const user of collection) {
      if (user) seen.push(user.id!);
    }
    assert.deepEqual(seen.sort(), [...userIds].sort(), 'every page followed through rel="next"');

    const filtered: string[] = [];
    for await (const user of await client.userApi.listUsers({ search: `profile.login eq "${tag}-3@example.com"` })) {
      if (user) filtered.push(user.id!);
    }
    assert.deepEqual(filtered, [userIds[3]]);

    const fetched = await client.userApi.getUser({ userId: `${tag}-0@example.com` });
    assert.equal(fetched.id, userIds[0]);
  });

  it('surfaces Okta errors as OktaApiError', async () => {
    await assert.rejects(
      client.userApi.createUser({ body: { profile: { login: `${tag}-0@example.com`, email: `${tag}-0@example.com` } } }),
      (err: { status?: number; errorCode?: string; errorCauses?: { errorSummary: string }[] }) => {
        assert.equal(err.status, 400);
        assert.equal(err.errorCode, 'E0000001');
        assert.equal(err.errorCauses?.[0]?.errorSummary, 'login: An object with this field already exists in the current organization');
        return true;
      },
    );
    await assert.rejects(client.userApi.getUser({ userId: '00uNoSuchUser' }), (err: { status?: number; errorCode?: string }) => {
      assert.equal(err.status, 404);
      assert.equal(err.errorCode, 'E0000007');
      return true;
    });
  });

  it('creates a group and assigns users to it', async () => {
    const group = await client.groupApi.createGroup({ group: { profile: { name: `${tag} group`, description: 'From the SDK' } } });
    assert.equal(group.type, 'OKTA_GROUP');
    assert.equal(group.profile?.name, `${tag} group`);
    await client.groupApi.assignUserToGroup({ groupId: group.id!, userId: userIds[0]! });
    await client.groupApi.assignUserToGroup({ groupId: group.id!, userId: userIds[1]! });
    const members: string[] = [];
    for await (const user of await client.groupApi.listGroupUsers({ groupId: group.id!, limit: 1 })) {
      if (user) members.push(user.id!);
    }
    assert.deepEqual(members.sort(), [userIds[0], userIds[1]].sort());
  });

  it('creates an OIDC app, assigns a user and reads it back', async () => {
    const created = await client.applicationApi.createApplication({
      application: {
        name: 'oidc_client',
        label: `${tag} app`,
        signOnMode: 'OPENID_CONNECT',
        credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_post' } },
        settings: {
          oauthClient: {
            application_type: 'web',
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            redirect_uris: ['https://app.example.com/callback'],
          },
        },
      } as okta.OpenIdConnectApplication,
    }) as okta.OpenIdConnectApplication;
    assert.equal(created.signOnMode, 'OPENID_CONNECT');
    assert.equal(created.status, 'ACTIVE');
    assert.equal(created.credentials?.oauthClient?.client_id, created.id);
    assert.ok(created.credentials?.oauthClient?.client_secret);

    const appUser = await client.applicationApi.assignUserToApplication({ appId: created.id!, appUser: { id: userIds[2]!, scope: 'USER' } });
    assert.equal(appUser.id, userIds[2]);
    assert.equal(appUser.credentials?.userName, `${tag}-2@example.com`);

    const fetched = await client.applicationApi.getApplication({ appId: created.id! }) as okta.OpenIdConnectApplication;
    assert.equal(fetched.label, `${tag} app`);
    assert.deepEqual(fetched.settings?.oauthClient?.redirect_uris, ['https://app.example.com/callback']);
    assert.equal(fetched.credentials?.oauthClient?.client_secret, created.credentials?.oauthClient?.client_secret);

    const assigned: string[] = [];
    for await (const u of await client.applicationApi.listApplicationUsers({ appId: created.id! })) {
      if (u) assigned.push(u.id!);
    }
    assert.deepEqual(assigned, [userIds[2]]);
  });

  it('deactivates and deletes a user', async () => {
    await client.userApi.deactivateUser({ userId: userIds[4]! });
    assert.equal((await client.userApi.getUser({ userId: userIds[4]! })).status, 'DEPROVISIONED');
    await client.userApi.deleteUser({ userId: userIds[4]! });
    await assert.rejects(client.userApi.getUser({ userId: userIds[4]! }), (err: { status?: number }) => err.status === 404);
  });
});
