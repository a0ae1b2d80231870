/**
 * GET /api/v1/logs: Okta's System Log API. Parameters are parsed by audit/log-query.ts. The Link
 * header carries `self` and, for a bounded request with more events or for any polling request
 * (no `until`, ascending), `next` with an opaque `after` cursor: Okta's SDKs follow it as given
 * (`each()` stops at the first empty page; `subscribe()` keeps polling it).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { encodeLogCursor, parseLogRequest } from '../../../audit/log-query.js';
import type { LogEvent } from '../../../audit/log-event.js';
import { flushSystemLog } from '../../../audit/system-log.js';
import type { Container } from '../../../container.js';
import { requireApiToken } from '../../plugins/api-auth.js';
import { queryParam, type Query } from './pagination.js';

const PARAMS = ['since', 'until', 'filter', 'q', 'sortOrder', 'limit', 'after'] as const;

function pageUrl(orgUrl: string, req: FastifyRequest, limit: number, after: string | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries((req.query ?? {}) as Query)) {
    if (k === 'limit' || k === 'after' || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  }
  if (after !== undefined) params.set('after', after);
  params.set('limit', String(limit));
  return `${orgUrl}${req.url.split('?')[0] ?? ''}?${params.toString()}`;
}

export async function logsRoutes(app: FastifyInstance, c: Container): Promise<void> {
  requireApiToken(app, c);
  // Events still queued when the node stops are written before the store closes.
  app.addHook('onClose', async () => flushSystemLog(c));
  const { orgUrl } = c.config;

  app.get('/logs', async (req, reply) => {
    const params = Object.fromEntries(PARAMS.map((p) => [p, queryParam(req.query, p)]));
    const { query, polling } = parseLogRequest(params, c.clock.now());
    // This node's queued events first: what a caller just did is in the log it reads next.
    await flushSystemLog(c);
    const rows = await c.store.systemLog.list({ ...query, limit: query.limit + 1 });
    const events: LogEvent[] = rows.slice(0, query.limit);
    const last = events[events.length - 1];
    const currentAfter = params.after || undefined;
    const links = [`<${pageUrl(orgUrl, req, query.limit, currentAfter)}>; rel="self"`];
    if (rows.length > query.limit || polling) {
      // A polling page with nothing new keeps the cursor it was asked with.
      const next = last ? encodeLogCursor({ published: Date.parse(last.published), uuid: last.uuid }) : currentAfter;
      links.push(`<${pageUrl(orgUrl, req, query.limit, next)}>; rel="next"`);
    }
    reply.header('Link', links.join(', '));
    return events;
  });
}
