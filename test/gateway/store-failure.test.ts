/** A session store that stops answering gives a 503 page naming it, never a 500. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { startStack, type Stack } from './support/stack.js';

describe('session store failure', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(() => s.close());

  it('answers 503 with the reason', async () => {
    const b = s.browser();
    await b.follow(`${s.publicUrl}/api/v1/auth/login`);
    const url = s.env.GATEWAY_SESSION_STORE!;
    if (url.startsWith('sqlite:')) {
      const db = new SQLite(url.slice('sqlite:'.length));
      db.exec('DROP TABLE gatehouse_gateway_kv');
      db.close();
    } else {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query('DROP TABLE gatehouse_gateway_kv');
      await c.end();
    }
    const page = await b.request(`${s.publicUrl}/app`);
    assert.equal(page.status, 503);
    assert.match(page.body, /session store/);
    assert.match(page.body, /GATEWAY_SESSION_STORE/);
    b.accept = 'application/json';
    const api = await b.request(`${s.publicUrl}/api/v1/auth/login`);
    assert.equal(api.status, 503);
    assert.equal(JSON.parse(api.body).error, 'session_store_unavailable');
  });
});
