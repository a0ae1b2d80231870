/**
 * Okta-style cursor pagination: `limit` (default and maximum 200) and an opaque `after` cursor; the
 * response carries `Link: <…>; rel="self"` and, when more rows exist, `rel="next"` with absolute URLs
 * that keep every other query parameter (Okta's SDKs follow `next` exactly as given).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Page } from '../../../store/store.js';
import { ApiError } from '../../../errors/api-error.js';

export const MAX_LIMIT = 200;

const ID_LIKE = /^[A-Za-z0-9._-]{1,200}$/;

export type Query = Record<string, string | string[] | undefined>;

/** One value of a query parameter; a repeated parameter is a bad request rather than a guess. */
export function queryParam(query: unknown, name: string): string | undefined {
  const value = (query as Query | undefined)?.[name];
  if (Array.isArray(value)) throw ApiError.of('E0000001', [name], [`${name}: The parameter must not be repeated`]);
  return value;
}

/** `?name=true|false`, with `fallback` when absent. */
export function booleanParam(query: unknown, name: string, fallback: boolean): boolean {
  const value = queryParam(query, name);
  if (value === undefined || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw ApiError.of('E0000001', [name], [`${name}: The value must be true or false`]);
}

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** Decodes our cursor; a raw id (what Okta itself uses as the cursor of some lists) is accepted too. */
export function decodeCursor(after: string): string {
  const decoded = /^[A-Za-z0-9_-]+$/.test(after) ? Buffer.from(after, 'base64url').toString('utf8') : '';
  if (ID_LIKE.test(decoded) && encodeCursor(decoded) === after) return decoded;
  if (ID_LIKE.test(after)) return after;
  throw ApiError.of('E0000029');
}

export function readPage(query: unknown): Page {
  const rawLimit = queryParam(query, 'limit');
  const rawAfter = queryParam(query, 'after');
  let limit = MAX_LIMIT;
  if (rawLimit !== undefined && rawLimit !== '') {
    if (!/^-?\d{1,9}$/.test(rawLimit)) throw ApiError.of('E0000029');
    const n = Number(rawLimit);
    // Okta treats a non-positive limit as "the default" and caps large ones at the maximum.
    limit = n <= 0 ? MAX_LIMIT : Math.min(n, MAX_LIMIT);
  }
  return { limit, after: rawAfter ? decodeCursor(rawAfter) : undefined };
}

/** The page one row larger than asked, so the caller can tell whether a next page exists. */
export function probePage<P extends Page>(page: P): P {
  return { ...page, limit: page.limit + 1 };
}

function pageUrl(orgUrl: string, request: FastifyRequest, limit: number, after: string | undefined): string {
  const path = request.url.split('?')[0] ?? '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries((request.query ?? {}) as Query)) {
    if (k === 'limit' || k === 'after' || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  }
  if (after !== undefined) params.set('after', after);
  params.set('limit', String(limit));
  return `${orgUrl}${path}?${params.toString()}`;
}

/**
 * Trims the probe row, sets the Link header and returns the page's rows. `rows` must come from a
 * query made with probePage(page); `idOf` gives the cursor of a row.
 */
export function paginate<T>(orgUrl: string, request: FastifyRequest, reply: FastifyReply, page: Page, rows: T[], idOf: (row: T) => string): T[] {
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  const currentAfter = queryParam(request.query, 'after');
  const links = [`<${pageUrl(orgUrl, request, page.limit, currentAfter || undefined)}>; rel="self"`];
  const last = shown[shown.length - 1];
  if (more && last !== undefined) links.push(`<${pageUrl(orgUrl, request, page.limit, encodeCursor(idOf(last)))}>; rel="next"`);
  reply.header('Link', links.join(', '));
  return shown;
}
