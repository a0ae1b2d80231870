/**
 * Helpers every Kysely repository shares: JSON columns, driver-neutral unique-violation mapping,
 * pagination, prefix matching and "run in a transaction unless already in one".
 */
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.js';
import { DuplicateError, type Page } from '../store.js';

export type Db = Kysely<Database>;

export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * True for a lookup key no row can have: PostgreSQL text cannot hold NUL (and the management API
 * refuses it), so such a key is "not found" on both backends instead of a driver error (a 500)
 * on one. For lookups fed straight from protocol input: client_id, server id, login.
 */
export function unstorable(key: string): boolean {
  return key.includes('\u0000');
}

/** Affected-row counts come back as bigint from Kysely; both drivers stay far below 2^53. */
export function count(n: bigint | undefined): number {
  return Number(n ?? 0n);
}

/**
 * The columns of a unique/primary-key violation, or undefined when `err` is something else.
 * SQLite names them in the message ("UNIQUE constraint failed: t.a, t.b"), PostgreSQL in the detail
 * ("Key (a, b)=(...) already exists.").
 */
export function duplicateColumns(err: unknown): string[] | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; message?: unknown; detail?: unknown; constraint?: unknown };
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const m = /constraint failed: (.+)$/.exec(String(e.message));
    return m?.[1] ? m[1].split(',').map((c) => c.trim().replace(/^.*\./, '')) : [];
  }
  if (e.code === '23505') {
    const m = /^Key \(([^)]*)\)=/.exec(typeof e.detail === 'string' ? e.detail : '');
    if (m?.[1]) return m[1].split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    // Without a detail, a primary key is still recognisable by PostgreSQL's default constraint name.
    return typeof e.constraint === 'string' && e.constraint.endsWith('_pkey') ? ['id'] : [];
  }
  return undefined;
}

/**
 * Runs a write and turns a unique violation into DuplicateError naming the domain field:
 * `fields` maps column names to field names; unmapped columns (the primary key) name `fallback`.
 */
export async function guardUnique<T>(write: () => Promise<T>, fields: Record<string, string> = {}, fallback = 'id'): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const columns = duplicateColumns(err);
    if (!columns) throw err;
    const column = columns.find((c) => c in fields);
    throw new DuplicateError(column ? (fields[column] ?? fallback) : fallback);
  }
}

/** Runs `fn` in a transaction, joining the caller's when the repository is already bound to one. */
export async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}

/** LIKE pattern for "starts with `prefix`", escaped for the `escape '!'` clause of likePrefix. */
function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * `column LIKE 'prefix%'` with an explicit escape character, so `%` and `_` in user input match
 * literally on both dialects (PostgreSQL's default escape is `\`, SQLite has none).
 */
export function likePrefix(column: Expression<unknown>, prefix: string): Expression<SqlBool> {
  return sql<SqlBool>`${column} like ${prefixPattern(prefix)} escape '!'`;
}

/** Case-insensitive prefix match on a column that is not stored lower-cased. */
export function likePrefixIgnoreCase(column: Expression<unknown>, prefix: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${column}) like ${prefixPattern(prefix.toLowerCase())} escape '!'`;
}

/** Limit for a page; a non-positive or missing limit returns nothing rather than everything. */
export function pageLimit(page: Page): number {
  return Math.max(0, Math.floor(page.limit));
}
