/** SSWS authentication of the management API. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ID_PREFIX, newId, sha256 } from '../../src/crypto/ids.js';
import { json, startTestServer, type TestServer } from '../support/server.js';

describe('management API authentication', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s?.close();
  });

  async function expectInvalidToken(headers: Record<string, string>): Promise<void> {
    const res = await fetch(`${s.orgUrl}/api/v1/users`, { headers });
    assert.equal(res.status, 401);
    const body = await json(res);
    assert.equal(body.errorCode, 'E0000011');
    assert.equal(body.errorSummary, 'Invalid token provided');
    assert.deepEqual(body.errorCauses, []);
  }

  it('accepts the configured token', async () => {
    const res = await s.api('/api/v1/users');
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('x-okta-request-id'));
  });

  it('rejects a missing token', () => expectInvalidToken({}));
  it('rejects a wrong token', () => expectInvalidToken({ authorization: 'SSWS not-the-token-0123456789' }));
  it('rejects another scheme', () => expectInvalidToken({ authorization: `Bearer ${s.token}` }));
  it('rejects an empty SSWS header', () => expectInvalidToken({ authorization: 'SSWS ' }));

  it('authenticates before reading the body', async () => {
    const res = await fetch(`${s.orgUrl}/api/v1/groups`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    assert.equal(res.status, 401);
    assert.equal((await json(res)).errorCode, 'E0000011');
  });

  it('refuses tokens of users who are not active super administrators', async () => {
    const { store, clock } = s.container;
    const now = clock.now();
    const make = async (adminRoles: string[], login: string) => {
      const id = newId(ID_PREFIX.user);
      await store.users.create({
        id, status: 'ACTIVE', profile: { login }, passwordHash: null, failedLogins: 0, adminRoles,
        created: now, activated: now, statusChanged: now, lastLogin: null, lastUpdated: now, passwordChanged: null,
      });
      const token = `token-for-${login}-0123456789`;
      await store.apiTokens.create({ id: newId(ID_PREFIX.apiToken), name: login, tokenHash: sha256(token), userId: id, created: now, lastUsed: null });
      return { id, token };
    };
    const plain = await make([], 'plain@example.com');
    await expectInvalidToken({ authorization: `SSWS ${plain.token}` });

    const admin = await make(['SUPER_ADMIN'], 'second-admin@example.com');
    assert.equal((await s.api('/api/v1/users', { headers: { authorization: `SSWS ${admin.token}` } })).status, 200);
    const deactivated = await s.api(`/api/v1/users/${admin.id}/lifecycle/deactivate`, { method: 'POST' });
    assert.equal(deactivated.status, 200);
    await expectInvalidToken({ authorization: `SSWS ${admin.token}` });
  });

  it('answers unknown API paths with E0000007 even without a token', async () => {
    const res = await fetch(`${s.orgUrl}/api/v1/nothing-here`);
    assert.equal(res.status, 404);
    assert.equal((await json(res)).errorCode, 'E0000007');
  });
});
