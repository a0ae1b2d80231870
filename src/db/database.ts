/**
 * Opens the database named by the configuration (embedded SQLite or PostgreSQL) as a typed Kysely
 * instance and brings its schema up to date. Kysely is imported only under src/db and src/store.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/config.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import { withStatementCache } from './sqlite-statements.js';

// int8 (bigint) columns hold epoch milliseconds, well inside Number's exact range.
pg.types.setTypeParser(20, (v: string) => Number(v));

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

export interface OpenDatabase {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

export async function openDatabase(cfg: DatabaseConfig): Promise<OpenDatabase> {
  if (cfg.kind === 'sqlite') {
    if (cfg.filename !== ':memory:') mkdirSync(dirname(cfg.filename), { recursive: true });
    let native: SQLite.Database;
    try {
      native = new SQLite(cfg.filename);
    } catch (err) {
      throw new DatabaseUnavailableError(`cannot open SQLite database ${cfg.filename}: ${(err as Error).message}`);
    }
    // WAL lets readers run beside the single writer; busy_timeout queues writers instead of failing.
    native.pragma('journal_mode = WAL');
    native.pragma('synchronous = NORMAL');
    native.pragma('busy_timeout = 5000');
    native.pragma('foreign_keys = ON');
    // Prepared statements are reused per SQL text (see sqlite-statements.ts).
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(native) }) });
    return { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  const pool = new pg.Pool({ connectionString: cfg.connectionString, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new DatabaseUnavailableError(`cannot connect to PostgreSQL: ${(err as Error).message}`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

/** Runs pending migrations; concurrent nodes are serialised by Kysely's migration lock. */
export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new DatabaseUnavailableError(`migration ${failed?.migrationName ?? ''} failed: ${(error as Error)?.message ?? 'unknown error'}`);
  }
}

export async function ping(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
