/**
 * SessionStore on an SQLite file. Several gateway processes on one host may share the file (WAL mode,
 * busy timeout); for replicas on several hosts use PostgreSQL or Redis.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { SessionStoreError, type SessionStore, type StoredRecord } from './store.js';

interface Row {
  value: string;
  version: number;
  expires_at: number;
}

const SWEEP_EVERY_MS = 60_000;

export function openSqliteStore(filename: string, now: () => number = Date.now): SessionStore {
  let db: SQLite.Database;
  try {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    db = new SQLite(filename);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS gatehouse_gateway_kv (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      version INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    )`);
  } catch (err) {
    throw new SessionStoreError(`cannot open the SQLite session store ${filename}: ${(err as Error).message}`);
  }

  const createStmt = db.prepare(
    `INSERT INTO gatehouse_gateway_kv (key, value, version, expires_at) VALUES (?, ?, 1, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = 1, expires_at = excluded.expires_at
     WHERE gatehouse_gateway_kv.expires_at <= ?`,
  );
  const getStmt = db.prepare<[string, number], Row>(
    'SELECT value, version, expires_at FROM gatehouse_gateway_kv WHERE key = ? AND expires_at > ?',
  );
  const swapStmt = db.prepare(
    `UPDATE gatehouse_gateway_kv SET value = ?, version = version + 1, expires_at = ?
     WHERE key = ? AND version = ? AND expires_at > ?`,
  );
  const takeStmt = db.prepare<[string], Row>('DELETE FROM gatehouse_gateway_kv WHERE key = ? RETURNING value, version, expires_at');
  const deleteStmt = db.prepare('DELETE FROM gatehouse_gateway_kv WHERE key = ?');
  const sweepStmt = db.prepare('DELETE FROM gatehouse_gateway_kv WHERE expires_at <= ?');

  const sweep = setInterval(() => {
    try {
      sweepStmt.run(now());
    } catch {
      // A busy database skips one sweep; expired rows are invisible to reads anyway.
    }
  }, SWEEP_EVERY_MS);
  sweep.unref();

  return {
    kind: 'sqlite',
    async create(key, value, ttlMs) {
      const t = now();
      return createStmt.run(key, JSON.stringify(value), t + ttlMs, t).changes === 1;
    },
    async get<T>(key: string): Promise<StoredRecord<T> | undefined> {
      const row = getStmt.get(key, now());
      return row ? { value: JSON.parse(row.value) as T, version: row.version, expiresAt: row.expires_at } : undefined;
    },
    async swap(key, expectedVersion, value, ttlMs) {
      const t = now();
      return swapStmt.run(JSON.stringify(value), t + ttlMs, key, expectedVersion, t).changes === 1;
    },
    async take<T>(key: string): Promise<T | undefined> {
      const row = takeStmt.get(key);
      return row && row.expires_at > now() ? (JSON.parse(row.value) as T) : undefined;
    },
    async delete(key) {
      deleteStmt.run(key);
    },
    async ping() {
      try {
        db.prepare('SELECT 1').get();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      clearInterval(sweep);
      db.close();
    },
  };
}
