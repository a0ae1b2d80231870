/** Housekeeping removes only what has expired: artifacts, revocations, sessions, old log events. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runMaintenance, SYSTEM_LOG_RETENTION_MS } from '../../src/server/maintenance.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server?.close();
});

test('expired protocol state is purged and live state kept', async () => {
  const { store, clock } = server.container;
  const now = clock.now();
  await store.artifacts.put('expired-code', 'code', { a: 1 }, now - 1000, now - 5000);
  await store.artifacts.put('live-code', 'code', { a: 2 }, now + 60_000, now);
  await store.revocations.add('jti:old', now - 1000);
  await store.revocations.add('jti:new', now + 60_000);
  await store.sessions.create({ id: 'old-session', userId: 'u1', created: now - 10_000, expiresAt: now - 1, authTime: now - 10_000, amr: ['pwd'], revokedAt: null });
  await store.sessions.create({ id: 'new-session', userId: 'u1', created: now, expiresAt: now + 60_000, authTime: now, amr: ['pwd'], revokedAt: null });

  await runMaintenance({ store, clock: { now: () => now } });

  assert.equal((await store.artifacts.consume('expired-code', 'code', now)).status, 'missing');
  assert.equal((await store.artifacts.consume('live-code', 'code', now)).status, 'ok');
  assert.equal(await store.revocations.anyRevoked(['jti:old']), false);
  assert.equal(await store.revocations.anyRevoked(['jti:new']), true);
  assert.equal(await store.sessions.get('old-session'), undefined);
  assert.ok(await store.sessions.get('new-session'));
});

test('System Log events older than the retention are dropped', async () => {
  const { store, clock } = server.container;
  const before = await server.api('/api/v1/logs?since=2000-01-01T00:00:00.000Z');
  assert.equal(before.status, 200);
  const future = clock.now() + SYSTEM_LOG_RETENTION_MS + 60_000;
  await runMaintenance({ store, clock: { now: () => future } });
  const res = await server.api('/api/v1/logs?since=2000-01-01T00:00:00.000Z');
  assert.deepEqual(await res.json(), []);
});
