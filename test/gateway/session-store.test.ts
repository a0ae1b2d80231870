/**
 * Conformance suite for the gateway's session stores: the SQL backend picked by GATEHOUSE_TEST_DB
 * (SQLite file or PostgreSQL), and Redis at 127.0.0.1:6379.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openSessionStore, parseSessionStoreUrl, type SessionStore } from '../../src/gateway/session-store/open.js';
import { createTestDatabase, testBackend, type TestDatabase } from '../support/database.js';
import { redisUrl } from './support/redis.js';

function conformance(name: string, open: () => Promise<{ store: SessionStore; cleanup(): Promise<void> }>) {
  describe(`session store: ${name}`, () => {
    let store: SessionStore;
    let cleanup: () => Promise<void>;
    const k = () => `test:${randomBytes(8).toString('hex')}`;

    before(async () => {
      ({ store, cleanup } = await open());
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    it('creates once, reads back with version 1', async () => {
      const key = k();
      assert.equal(await store.create(key, { a: 1 }, 10_000), true);
      assert.equal(await store.create(key, { a: 2 }, 10_000), false);
      const rec = await store.get<{ a: number }>(key);
      assert.deepEqual(rec?.value, { a: 1 });
      assert.equal(rec?.version, 1);
      assert.ok(rec && rec.expiresAt > Date.now() + 5_000);
      assert.equal(await store.ping(), true);
    });

    it('swaps only on the expected version', async () => {
      const key = k();
      await store.create(key, { n: 0 }, 10_000);
      assert.equal(await store.swap(key, 1, { n: 1 }, 10_000), true);
      assert.equal(await store.swap(key, 1, { n: 99 }, 10_000), false);
      const rec = await store.get<{ n: number }>(key);
      assert.deepEqual(rec?.value, { n: 1 });
      assert.equal(rec?.version, 2);
      assert.equal(await store.swap(k(), 1, { n: 1 }, 10_000), false, 'no swap on a missing record');
    });

    it('take is one-time, even concurrently', async () => {
      const key = k();
      await store.create(key, { s: 'x' }, 10_000);
      const results = await Promise.all(Array.from({ length: 8 }, () => store.take<{ s: string }>(key)));
      assert.equal(results.filter((r) => r?.s === 'x').length, 1);
      assert.equal(await store.get(key), undefined);
    });

    it('concurrent swaps: exactly one wins', async () => {
      const key = k();
      await store.create(key, { n: 0 }, 10_000);
      const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => store.swap(key, 1, { n: i }, 10_000)));
      assert.equal(wins.filter(Boolean).length, 1);
    });

    it('expired records are gone, and may be created again', async () => {
      const key = k();
      await store.create(key, { e: 1 }, 30);
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(await store.get(key), undefined);
      assert.equal(await store.take(key), undefined);
      assert.equal(await store.swap(key, 1, { e: 2 }, 1000), false);
      assert.equal(await store.create(key, { e: 3 }, 10_000), true);
      assert.equal((await store.get(key))?.version, 1);
    });

    it('delete removes', async () => {
      const key = k();
      await store.create(key, 1, 10_000);
      await store.delete(key);
      assert.equal(await store.get(key), undefined);
    });
  });
}

conformance(testBackend, async () => {
  const db: TestDatabase = await createTestDatabase();
  const store = await openSessionStore(parseSessionStoreUrl(db.url));
  return { store, cleanup: () => db.cleanup() };
});

conformance('redis', async () => {
  const store = await openSessionStore(parseSessionStoreUrl(redisUrl));
  return { store, cleanup: async () => undefined };
});

describe('parseSessionStoreUrl', () => {
  it('accepts the three forms and refuses others', () => {
    assert.deepEqual(parseSessionStoreUrl('sqlite:./data/x.db'), { kind: 'sqlite', filename: './data/x.db' });
    assert.equal(parseSessionStoreUrl('postgres://u@h:5432/d').kind, 'postgres');
    assert.equal(parseSessionStoreUrl('redis://127.0.0.1:6379/2').kind, 'redis');
    assert.throws(() => parseSessionStoreUrl('mysql://x'), /unsupported store/);
    assert.throws(() => parseSessionStoreUrl('sqlite:'), /needs a file name/);
  });
});
