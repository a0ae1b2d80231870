/**
 * /api/v1/sessions/me: the caller's own org session, found by its `sid` cookie (end-user endpoint,
 * no API token). Read, end (DELETE, logged as user.session.end) and extend (lifecycle/refresh); no
 * session is 404 E0000007.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Container } from '../../../container.js';
import { notFound } from '../../../errors/api-error.js';
import { auditSessionEnd } from '../../../oauth/audit.js';
import { clearSessionCookie, SESSION_COOKIE, tokenCookie } from '../../../oauth/sessions/session-cookie.js';
import { sessionJson } from '../../../oauth/sessions/session-json.js';
import { findSession, revokeSessionByCookie, touchSession, type ActiveSession } from '../../../oauth/sessions/sessions.js';

export async function sessionsRoutes(app: FastifyInstance, c: Container): Promise<void> {
  const cookieOf = (req: FastifyRequest) => tokenCookie(req.headers.cookie, SESSION_COOKIE);

  async function current(req: FastifyRequest): Promise<ActiveSession> {
    const found = await findSession(c, cookieOf(req));
    if (!found) throw notFound('Session', 'me');
    return found;
  }

  async function present(reply: FastifyReply, { session, user }: ActiveSession) {
    const orgId = (await c.store.settings.get('org_id')) ?? '';
    return reply.header('cache-control', 'no-store').send(sessionJson(session, user, c.config.orgUrl, orgId));
  }

  app.get('/sessions/me', async (req, reply) => present(reply, await current(req)));

  app.post('/sessions/me/lifecycle/refresh', async (req, reply) => {
    const found = await current(req);
    return present(reply, { ...found, session: await touchSession(c, found.session, true) });
  });

  app.delete('/sessions/me', async (req, reply) => {
    const { user } = await current(req);
    await revokeSessionByCookie(c, cookieOf(req));
    auditSessionEnd(c, user, 'sessions_api', req);
    return reply.code(204).header('set-cookie', clearSessionCookie(c.config.secureCookies)).send();
  });
}
