/** SessionStore on PostgreSQL: one table, created on first use; any number of replicas may share it. */
import pg from 'pg';
import { SessionStoreError, type SessionStore, type StoredRecord } from './store.js';

// int8 columns hold epoch milliseconds, well inside Number's exact range.
pg.types.setTypeParser(20, (v: string) => Number(v));

const SWEEP_EVERY_MS = 60_000;

export async function openPostgresStore(connectionString: string, now: () => number = Date.now): Promise<SessionStore> {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined);
  try {
    await pool.query(`CREATE TABLE IF NOT EXISTS gatehouse_gateway_kv (
      key text PRIMARY KEY,
      value text NOT NULL,
      version integer NOT NULL,
      expires_at bigint NOT NULL
    )`);
  } catch (err) {
    // Two replicas creating the table at the same moment: the loser sees a unique violation.
    if ((err as { code?: string }).code !== '23505') {
      await pool.end().catch(() => undefined);
      throw new SessionStoreError(`cannot open the PostgreSQL session store: ${(err as Error).message}`);
    }
  }

  const sweep = setInterval(() => {
    pool.query('DELETE FROM gatehouse_gateway_kv WHERE expires_at <= $1', [now()]).catch(() => undefined);
  }, SWEEP_EVERY_MS);
  sweep.unref();

  return {
    kind: 'postgres',
    async create(key, value, ttlMs) {
      const t = now();
      const r = await pool.query(
        `INSERT INTO gatehouse_gateway_kv (key, value, version, expires_at) VALUES ($1, $2, 1, $3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = 1, expires_at = excluded.expires_at
         WHERE gatehouse_gateway_kv.expires_at <= $4`,
        [key, JSON.stringify(value), t + ttlMs, t],
      );
      return r.rowCount === 1;
    },
    async get<T>(key: string): Promise<StoredRecord<T> | undefined> {
      const r = await pool.query<{ value: string; version: number; expires_at: number }>(
        'SELECT value, version, expires_at FROM gatehouse_gateway_kv WHERE key = $1 AND expires_at > $2',
        [key, now()],
      );
      const row = r.rows[0];
      return row ? { value: JSON.parse(row.value) as T, version: row.version, expiresAt: row.expires_at } : undefined;
    },
    async swap(key, expectedVersion, value, ttlMs) {
      const t = now();
      const r = await pool.query(
        `UPDATE gatehouse_gateway_kv SET value = $1, version = version + 1, expires_at = $2
         WHERE key = $3 AND version = $4 AND expires_at > $5`,
        [JSON.stringify(value), t + ttlMs, key, expectedVersion, t],
      );
      return r.rowCount === 1;
    },
    async take<T>(key: string): Promise<T | undefined> {
      const r = await pool.query<{ value: string; expires_at: number }>(
        'DELETE FROM gatehouse_gateway_kv WHERE key = $1 RETURNING value, expires_at',
        [key],
      );
      const row = r.rows[0];
      return row && row.expires_at > now() ? (JSON.parse(row.value) as T) : undefined;
    },
    async delete(key) {
      await pool.query('DELETE FROM gatehouse_gateway_kv WHERE key = $1', [key]);
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      clearInterval(sweep);
      await pool.end();
    },
  };
}
