/**
 * Queries built and compiled once, executed many times with new parameter values.
 *
 * Why: building a Kysely query and compiling it to SQL costs more JavaScript than running it on
 * SQLite (with its statements reused, see src/db/sqlite-statements.ts): on the refresh_token grant
 * Kysely's builders and compiler were about an eighth of the server's CPU. The few queries every
 * token request runs are therefore written as usual, with Kysely, but built with placeholders,
 * compiled once per database handle (so each dialect gets its own SQL, and a transaction its own
 * copy), and afterwards only their parameter list is rebuilt.
 *
 * Only for queries whose SQL does not depend on the values: a placeholder must be used where
 * Kysely turns a value into exactly one parameter (`=`, `>`, insert and update values), never as
 * an `in` list or anything Kysely would inspect.
 */
import type { Compilable, CompiledQuery, Insertable, QueryResult } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Db } from './shared.js';

/** Stands for the named parameter while the query is compiled. */
class Placeholder {
  constructor(readonly name: string) {}
}

export type PreparedQuery<P, R> = (db: Db, params: P) => Promise<QueryResult<R>>;

/**
 * `build` receives placeholders in place of the parameter values (typed as the values, so the
 * query type-checks as usual); the returned function runs the compiled query with real values.
 */
export function prepareQuery<P extends Record<string, unknown>, R>(build: (db: Db, params: P) => Compilable<R>): PreparedQuery<P, R> {
  const compiled = new WeakMap<Db, { query: CompiledQuery<R>; names: (string | undefined)[] }>();
  const compile = (db: Db) => {
    const placeholders = new Map<string, Placeholder>();
    const params = new Proxy({}, {
      get(_target, name) {
        if (typeof name !== 'string') return undefined;
        let p = placeholders.get(name);
        if (!p) placeholders.set(name, (p = new Placeholder(name)));
        return p;
      },
    }) as P;
    const query = build(db, params).compile();
    const names = query.parameters.map((v) => (v instanceof Placeholder ? v.name : undefined));
    // A placeholder that did not become a parameter of its own was used as something else
    // (`p.list[0]`, a value Kysely inspects): refuse the query rather than run it wrong.
    const unused = [...placeholders.keys()].filter((n) => !names.includes(n));
    if (unused.length || query.parameters.some((v) => v === undefined)) {
      throw new Error(`prepareQuery: parameters ${unused.join(', ') || '(undefined)'} cannot be placeholders in: ${query.sql}`);
    }
    const entry = { query, names };
    compiled.set(db, entry);
    return entry;
  };
  return (db, params) => {
    const { query, names } = compiled.get(db) ?? compile(db);
    const parameters = names.map((name, i) => (name === undefined ? query.parameters[i] : params[name]));
    return db.executeQuery<R>({ query: query.query, queryId: query.queryId, sql: query.sql, parameters });
  };
}

/**
 * `db.insertInto(table).values(row)` for one row, compiled once per set of columns: like
 * `values()`, it inserts the row's own keys whose value is not undefined.
 */
export function prepareInsert<T extends keyof Database & string>(table: T): (db: Db, row: Insertable<Database[T]>) => Promise<QueryResult<unknown>> {
  const byColumns = new Map<string, PreparedQuery<Record<string, unknown>, unknown>>();
  return (db, row) => {
    const values = row as Record<string, unknown>;
    const columns = Object.keys(values).filter((k) => values[k] !== undefined);
    const key = columns.join(',');
    let insert = byColumns.get(key);
    if (!insert) {
      insert = prepareQuery((qb, p: Record<string, unknown>) =>
        qb.insertInto(table).values(Object.fromEntries(columns.map((c) => [c, p[c]])) as Insertable<Database[T]>));
      byColumns.set(key, insert);
    }
    return insert(db, values);
  };
}

/**
 * `db.insertInto(table).values(rows)` for batches of rows with the given columns, compiled once per
 * batch size and database handle (write-behind batches vary in size). Values are passed by position,
 * row by row in `columns` order, which the compiled query is checked to follow.
 */
export function prepareBatchInsert<T extends keyof Database & string>(
  table: T, columns: readonly (keyof Database[T] & string)[],
): (db: Db, rows: readonly Database[T][]) => Promise<QueryResult<unknown>> {
  const compiled = new WeakMap<Db, Map<number, CompiledQuery<unknown>>>();
  const compile = (db: Db, size: number): CompiledQuery<unknown> => {
    const slots: Placeholder[] = [];
    const rows = Array.from({ length: size }, () => Object.fromEntries(columns.map((c) => {
      const slot = new Placeholder(String(slots.length));
      slots.push(slot);
      return [c, slot];
    })));
    const query = db.insertInto(table).values(rows as unknown as Insertable<Database[T]>[]).compile();
    if (query.parameters.length !== slots.length || query.parameters.some((p, i) => p !== slots[i])) {
      throw new Error(`prepareBatchInsert: the INSERT into ${table} does not take its values in row and column order`);
    }
    return query;
  };
  return (db, rows) => {
    let bySize = compiled.get(db);
    if (!bySize) compiled.set(db, (bySize = new Map()));
    let query = bySize.get(rows.length);
    if (!query) bySize.set(rows.length, (query = compile(db, rows.length)));
    const parameters: unknown[] = [];
    for (const row of rows) for (const c of columns) parameters.push(row[c]);
    return db.executeQuery({ query: query.query, queryId: query.queryId, sql: query.sql, parameters });
  };
}
