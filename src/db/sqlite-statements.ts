/**
 * The better-sqlite3 database as Kysely's SqliteDialect sees it, with prepared statements reused.
 *
 * Why: Kysely's SQLite driver calls `db.prepare(sql)` for every query it runs, and SQLite's parse
 * and plan step was the largest single cost of a token request after RSA signing (about a tenth of
 * the server's CPU on the refresh_token grant). Statements are reusable after `all()`/`run()`, so
 * they are kept per SQL text in a small LRU. A statement still busy (an unfinished `iterate()`)
 * is never handed out twice: such a call gets a fresh, uncached statement.
 */
import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept; dynamic queries (filters, IN lists) beyond that are re-prepared. */
const DEFAULT_MAX_STATEMENTS = 500;

export function withStatementCache(native: SQLite.Database, maxStatements = DEFAULT_MAX_STATEMENTS): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      cache.clear();
      native.close();
    },
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit) {
        if (hit.busy) return native.prepare(sql);
        // Map order is insertion order: re-inserting marks the entry most recently used.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = native.prepare(sql);
      if (cache.size >= maxStatements) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}
