/** /api/v1/trustedOrigins: Okta's Trusted Origins API (CRUD and lifecycle). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Container } from '../../../container.js';
import { parseTrustedOriginFilter } from '../../../domain/trusted-origins/filter.js';
import { trustedOriginJson } from '../../../domain/trusted-origins/trusted-origin-json.js';
import {
  createTrustedOrigin, deleteTrustedOrigin, findTrustedOrigin, listTrustedOrigins, replaceTrustedOrigin, setTrustedOriginStatus,
  type AdminContext,
} from '../../../domain/trusted-origins/trusted-origins-service.js';
import { apiPrincipal, requireApiToken } from '../../plugins/api-auth.js';
import { paginate, queryParam, readPage, type Query } from './pagination.js';

type ById = { Params: { id: string } };

/** Okta's page size for trusted origins (the maximum stays pagination.ts's 200). */
const DEFAULT_LIMIT = '20';

function admin(req: FastifyRequest): AdminContext {
  return { admin: apiPrincipal(req), request: req };
}

export async function trustedOriginsRoutes(app: FastifyInstance, c: Container): Promise<void> {
  requireApiToken(app, c);
  const { orgUrl } = c.config;

  app.get('/trustedOrigins', async (req, reply) => {
    const page = readPage({ ...(req.query as Query), limit: queryParam(req.query, 'limit') || DEFAULT_LIMIT });
    const filter = queryParam(req.query, 'filter');
    const rows = await listTrustedOrigins(c, {
      ...page,
      q: queryParam(req.query, 'q') || undefined,
      filter: filter ? parseTrustedOriginFilter(filter) : undefined,
    });
    return paginate(orgUrl, req, reply, page, rows, (o) => o.id).map((o) => trustedOriginJson(o, orgUrl));
  });

  app.post('/trustedOrigins', async (req) => trustedOriginJson(await createTrustedOrigin(c, req.body, admin(req)), orgUrl));

  app.get<ById>('/trustedOrigins/:id', async (req) => trustedOriginJson(await findTrustedOrigin(c, req.params.id), orgUrl));

  app.put<ById>('/trustedOrigins/:id', async (req) =>
    trustedOriginJson(await replaceTrustedOrigin(c, req.params.id, req.body, admin(req)), orgUrl));

  app.delete<ById>('/trustedOrigins/:id', async (req, reply) => {
    await deleteTrustedOrigin(c, req.params.id, admin(req));
    return reply.code(204).send();
  });

  app.post<ById>('/trustedOrigins/:id/lifecycle/activate', async (req) =>
    trustedOriginJson(await setTrustedOriginStatus(c, req.params.id, 'ACTIVE', admin(req)), orgUrl));

  app.post<ById>('/trustedOrigins/:id/lifecycle/deactivate', async (req) =>
    trustedOriginJson(await setTrustedOriginStatus(c, req.params.id, 'INACTIVE', admin(req)), orgUrl));
}
