/**
 * The System Log: each event whole in `body`, its filterable fields in columns. Pages run in
 * (published, uuid) order so events with the same millisecond still page deterministically.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { LogEvent, LogFilter, LogQuery, LogTextField } from '../../audit/log-event.js';
import type { Database, SystemLogTable } from '../../db/schema.js';
import type { SystemLogRepo } from '../store.js';
import { prepareBatchInsert } from './prepared.js';
import { count, type Db, parseJson, toJson } from './shared.js';

type Eb = ExpressionBuilder<Database, 'system_log'>;

const TEXT_COLUMNS = {
  uuid: 'uuid',
  eventType: 'event_type',
  severity: 'severity',
  displayMessage: 'display_message',
  'outcome.result': 'outcome_result',
  'actor.id': 'actor_id',
  'client.ipAddress': 'client_ip',
} as const satisfies Record<Exclude<LogTextField, 'target.id'>, keyof SystemLogTable>;

const COMPARATORS = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

function likeEscape(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}

function like(column: Expression<unknown>, pattern: string): Expression<SqlBool> {
  return sql<SqlBool>`${column} like ${pattern} escape '!'`;
}

/** The text the `q` keywords search: display message, event type, actor and targets, lower-cased. */
export function searchText(e: LogEvent): string {
  const parts = [e.displayMessage, e.eventType, e.actor.id, e.actor.alternateId, e.actor.displayName];
  for (const t of e.target) parts.push(t.id, t.alternateId, t.displayName);
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join('\n').toLowerCase();
}

function toRow(e: LogEvent, json: string = toJson(e)): SystemLogTable {
  return {
    uuid: e.uuid,
    published: Date.parse(e.published),
    event_type: e.eventType,
    severity: e.severity,
    display_message: e.displayMessage,
    outcome_result: e.outcome.result,
    actor_id: e.actor.id,
    target_ids: toJson(e.target.map((t) => t.id)),
    client_ip: e.client.ipAddress,
    search_text: searchText(e),
    body: json,
  };
}

function targetIdTerm(eb: Eb, cmp: 'eq' | 'ne', id: string): Expression<SqlBool> {
  const hasTarget = like(eb.ref('target_ids'), `%${likeEscape(toJson(id))}%`);
  return cmp === 'eq' ? hasTarget : eb.not(hasTarget);
}

function filterExpression(eb: Eb, f: LogFilter): Expression<SqlBool> {
  if ('op' in f) {
    if (f.op === 'not') return eb.not(filterExpression(eb, f.term));
    const terms = f.terms.map((t) => filterExpression(eb, t));
    return f.op === 'and' ? eb.and(terms) : eb.or(terms);
  }
  if (f.cmp === 'pr') {
    if (f.field === 'published') return eb.lit(true);
    if (f.field === 'target.id') return eb('target_ids', '<>', '[]');
    return eb(TEXT_COLUMNS[f.field], 'is not', null);
  }
  if (f.field === 'published') return eb('published', COMPARATORS[f.cmp], f.value);
  if (f.field === 'target.id') {
    if (f.cmp !== 'eq' && f.cmp !== 'ne') throw new Error(`target.id supports eq and ne only, not ${f.cmp}`);
    return targetIdTerm(eb, f.cmp, f.value);
  }
  const column = TEXT_COLUMNS[f.field as Exclude<LogTextField, 'target.id'>];
  switch (f.cmp) {
    case 'eq': return eb(column, '=', f.value);
    // An absent value is "not equal" too, as SCIM has it.
    case 'ne': return eb.or([eb(column, 'is', null), eb(column, '<>', f.value)]);
    case 'sw': return like(eb.fn('lower', [eb.ref(column)]), `${likeEscape(f.value.toLowerCase())}%`);
    case 'ew': return like(eb.fn('lower', [eb.ref(column)]), `%${likeEscape(f.value.toLowerCase())}`);
    case 'co': return like(eb.fn('lower', [eb.ref(column)]), `%${likeEscape(f.value.toLowerCase())}%`);
  }
}

const COLUMNS = [
  'uuid', 'published', 'event_type', 'severity', 'display_message', 'outcome_result', 'actor_id', 'target_ids',
  'client_ip', 'search_text', 'body',
] as const satisfies readonly (keyof SystemLogTable)[];

// The write-behind queue appends a batch every few milliseconds under load; building the statement
// cost more than SQLite took to run it.
const insertRows = prepareBatchInsert('system_log', COLUMNS);

export function createSystemLogRepo(db: Db): SystemLogRepo {
  return {
    async append(events, json) {
      if (events.length === 0) return;
      const rows = events.map((e, i) => toRow(e, json?.[i]));
      await insertRows(db, rows);
    },

    async list(query: LogQuery) {
      const desc = query.order === 'DESCENDING';
      let qb = db.selectFrom('system_log').select('body')
        .where('published', '>=', query.since)
        .where('published', '<', query.until);
      if (query.after) {
        const { published, uuid } = query.after;
        const beyond = desc ? '<' : '>';
        qb = qb.where((eb) => eb.or([
          eb('published', beyond, published),
          eb.and([eb('published', '=', published), eb('uuid', beyond, uuid)]),
        ]));
      }
      if (query.filter) {
        const filter = query.filter;
        qb = qb.where((eb) => filterExpression(eb, filter));
      }
      for (const keyword of query.keywords ?? []) {
        qb = qb.where((eb) => like(eb.ref('search_text'), `%${likeEscape(keyword.toLowerCase())}%`));
      }
      const direction = desc ? 'desc' : 'asc';
      const rows = await qb.orderBy('published', direction).orderBy('uuid', direction).limit(Math.max(0, Math.floor(query.limit))).execute();
      return rows.map((r) => parseJson<LogEvent>(r.body));
    },

    async deleteBefore(before) {
      const result = await db.deleteFrom('system_log').where('published', '<', before).executeTakeFirst();
      return count(result.numDeletedRows);
    },
  };
}
