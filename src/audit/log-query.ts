/**
 * GET /api/v1/logs parameters into a LogQuery (management.yaml `listLogEvents`):
 *
 * - `since`/`until`: ISO 8601 timestamps; `until` defaults to now, `since` to 7 days before `until`.
 *   Anything else is 400 E0000030.
 * - `filter`: SCIM expression over eventType, severity, displayMessage, outcome.result, actor.id,
 *   target.id, client.ipAddress, uuid and published (400 E0000031 otherwise).
 * - `q`: up to 10 case-insensitive keywords of at most 40 characters, all of which must match.
 * - `sortOrder`: ASCENDING (default) or DESCENDING.
 * - `limit`: 0–1000, default 100 (larger values are capped); `after`: our opaque cursor.
 *
 * A request without `until` in ASCENDING order is a *polling* request: Okta always answers it with a
 * `next` link so a client can keep tailing the log. Every other request is *bounded*: `next` only
 * when more events exist.
 */
import { ApiError, validationError } from '../errors/api-error.js';
import { FilterSyntaxError, parseFilterExpression, type FilterNode } from '../lib/filter-expression.js';
import type { LogCursor, LogFilter, LogFilterField, LogQuery, LogTextField } from './log-event.js';

export const DEFAULT_LOG_LIMIT = 100;
export const MAX_LOG_LIMIT = 1000;
const DEFAULT_WINDOW_MS = 7 * 24 * 3600 * 1000;
const MAX_KEYWORDS = 10;
const MAX_KEYWORD_LENGTH = 40;

export interface LogRequestParams {
  since?: string | undefined;
  until?: string | undefined;
  filter?: string | undefined;
  q?: string | undefined;
  sortOrder?: string | undefined;
  limit?: string | undefined;
  after?: string | undefined;
}

export interface ParsedLogRequest {
  query: LogQuery;
  /** No `until` and ascending: the response always carries a `next` link. */
  polling: boolean;
}

// yyyy-MM-dd['T'HH:mm[:ss[.SSS…]]][Z|±HH:mm|±HHmm]; without a zone the time is UTC.
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

/** Epoch milliseconds of an ISO 8601 timestamp, or undefined when it is not a real one. */
export function parseIsoTimestamp(text: string): number | undefined {
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((v) => (v === undefined ? undefined : Number(v)));
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (month! < 1 || month! > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const utc = Date.UTC(year!, month! - 1, day!, hour, minute, second, millis);
  // Date.UTC rolls 30 February over into March; a real date survives the round trip.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  const zone = m[8];
  if (!zone || zone === 'Z' || zone === 'z') return utc;
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const offset = (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  if (Number(z[2]) > 23 || Number(z[3]) > 59) return undefined;
  return z[1] === '+' ? utc - offset : utc + offset;
}

function date(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = parseIsoTimestamp(text);
  if (ms === undefined) throw ApiError.of('E0000030');
  return ms;
}

export function encodeLogCursor(cursor: LogCursor): string {
  return Buffer.from(`${cursor.published}.${cursor.uuid}`, 'utf8').toString('base64url');
}

export function decodeLogCursor(after: string): LogCursor {
  const text = /^[A-Za-z0-9_-]{1,400}$/.test(after) ? Buffer.from(after, 'base64url').toString('utf8') : '';
  const m = /^(\d{1,16})\.([A-Za-z0-9_-]{1,100})$/.exec(text);
  if (!m || encodeLogCursor({ published: Number(m[1]), uuid: m[2]! }) !== after) throw ApiError.of('E0000029');
  return { published: Number(m[1]), uuid: m[2]! };
}

function limit(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_LOG_LIMIT;
  if (!/^\d{1,9}$/.test(text)) throw ApiError.of('E0000029');
  return Math.min(Number(text), MAX_LOG_LIMIT);
}

function sortOrder(text: string | undefined): LogQuery['order'] {
  if (text === undefined || text === '') return 'ASCENDING';
  if (text === 'ASCENDING' || text === 'DESCENDING') return text;
  throw validationError([{ field: 'sortOrder', message: 'The value must be ASCENDING or DESCENDING' }]);
}

function keywords(q: string | undefined): string[] | undefined {
  const words = (q ?? '').split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return undefined;
  if (words.length > MAX_KEYWORDS) throw validationError([{ field: 'q', message: `At most ${MAX_KEYWORDS} keywords are allowed` }]);
  if (words.some((w) => [...w].length > MAX_KEYWORD_LENGTH)) {
    throw validationError([{ field: 'q', message: `A keyword cannot exceed ${MAX_KEYWORD_LENGTH} characters` }]);
  }
  return words.map((w) => w.toLowerCase());
}

const TEXT_FIELDS = new Set<LogFilterField>([
  'uuid', 'eventType', 'severity', 'displayMessage', 'outcome.result', 'actor.id', 'target.id', 'client.ipAddress',
]);

function toLogFilter(node: FilterNode): LogFilter {
  if ('op' in node) {
    return node.op === 'not' ? { op: 'not', term: toLogFilter(node.term) } : { op: node.op, terms: node.terms.map(toLogFilter) };
  }
  const field = node.attribute as LogFilterField;
  if (!TEXT_FIELDS.has(field) && field !== 'published') throw ApiError.of('E0000031');
  if (node.cmp === 'pr') return { field, cmp: 'pr' };
  if (typeof node.value !== 'string') throw ApiError.of('E0000031');
  if (field === 'published') {
    const ms = parseIsoTimestamp(node.value);
    if (ms === undefined || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(node.cmp)) throw ApiError.of('E0000031');
    return { field, cmp: node.cmp as 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le', value: ms };
  }
  if (!['eq', 'ne', 'sw', 'co', 'ew'].includes(node.cmp)) throw ApiError.of('E0000031');
  if (field === 'target.id' && node.cmp !== 'eq' && node.cmp !== 'ne') throw ApiError.of('E0000031');
  return { field: field as LogTextField, cmp: node.cmp as 'eq' | 'ne' | 'sw' | 'co' | 'ew', value: node.value };
}

/** Parses a System Log filter expression; 400 E0000031 when malformed or naming other attributes. */
export function parseLogFilter(expression: string): LogFilter {
  try {
    return toLogFilter(parseFilterExpression(expression));
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw ApiError.of('E0000031');
    throw err;
  }
}

export function parseLogRequest(params: LogRequestParams, now: number): ParsedLogRequest {
  const until = date(params.until);
  const order = sortOrder(params.sortOrder);
  // A default `until` includes the current millisecond, so an event just written is never missed.
  const end = until ?? now + 1;
  const since = date(params.since) ?? end - DEFAULT_WINDOW_MS;
  const query: LogQuery = {
    since,
    until: end,
    order,
    limit: limit(params.limit),
    filter: params.filter ? parseLogFilter(params.filter) : undefined,
    keywords: keywords(params.q),
    after: params.after ? decodeLogCursor(params.after) : undefined,
  };
  return { query, polling: until === undefined && order === 'ASCENDING' };
}
