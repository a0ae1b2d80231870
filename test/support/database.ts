/**
 * A fresh, isolated database for one test file: a temporary SQLite file, or (GATEHOUSE_TEST_DB=postgres)
 * a new database on the local PostgreSQL server, dropped again by `cleanup`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const testBackend = (process.env.GATEHOUSE_TEST_DB ?? 'sqlite') as 'sqlite' | 'postgres';
const pgAdminUrl = process.env.GATEHOUSE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  /** Value for GATEHOUSE_DATABASE_URL. */
  url: string;
  cleanup(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (testBackend === 'postgres') {
    const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgAdminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(pgAdminUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      async cleanup() {
        const c = new pg.Client({ connectionString: pgAdminUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  return {
    url: `sqlite:${join(dir, 'gatehouse.db')}`,
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
