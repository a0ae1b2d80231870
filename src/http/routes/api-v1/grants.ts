/**
 * Consent grants through the management API: Okta's User Grants (/users/{userId}/grants), User
 * Resources (/users/{userId}/clients[/{clientId}/grants]) and Application Grants
 * (/apps/{appId}/grants). SSWS-authenticated like every /api/v1 route.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Container } from '../../../container.js';
import {
  findAppGrant, findUserGrant, grantJson, listAppGrants, listUserClientGrants, listUserClients, listUserGrants, revokeAppGrant,
  revokeUserClientGrants, revokeUserGrant, revokeUserGrants, userClientJson, type AdminContext,
} from '../../../domain/grants-service.js';
import { apiPrincipal, requireApiToken } from '../../plugins/api-auth.js';
import { rejectNulCharacters } from './input-guard.js';
import { paginate, queryParam, readPage, type Query } from './pagination.js';

type ByUser = { Params: { userId: string } };
type ByUserGrant = { Params: { userId: string; grantId: string } };
type ByUserClient = { Params: { userId: string; clientId: string } };
type ByApp = { Params: { appId: string } };
type ByAppGrant = { Params: { appId: string; grantId: string } };

/** Okta's page size for grants (maximum 200). */
const DEFAULT_LIMIT = '20';

function admin(req: FastifyRequest): AdminContext {
  return { admin: apiPrincipal(req), request: req };
}

const expandScope = (req: FastifyRequest): boolean => queryParam(req.query, 'expand') === 'scope';

function grantsPage(req: FastifyRequest) {
  return readPage({ ...(req.query as Query), limit: queryParam(req.query, 'limit') || DEFAULT_LIMIT });
}

export async function grantsRoutes(app: FastifyInstance, c: Container): Promise<void> {
  requireApiToken(app, c);
  rejectNulCharacters(app);
  const { orgUrl } = c.config;
  const userGrantHref = (userId: string, id: string) => `${orgUrl}/api/v1/users/${userId}/grants/${id}`;

  app.get<ByUser>('/users/:userId/grants', async (req, reply) => {
    const page = grantsPage(req);
    const rows = await listUserGrants(c, req.params.userId, { scopeId: queryParam(req.query, 'scopeId'), page });
    return paginate(orgUrl, req, reply, page, rows, (v) => v.grant.id)
      .map((v) => grantJson(v, orgUrl, userGrantHref(v.grant.userId, v.grant.id), expandScope(req)));
  });

  app.delete<ByUser>('/users/:userId/grants', async (req, reply) => {
    await revokeUserGrants(c, req.params.userId, admin(req));
    return reply.code(204).send();
  });

  app.get<ByUserGrant>('/users/:userId/grants/:grantId', async (req) => {
    const v = await findUserGrant(c, req.params.userId, req.params.grantId);
    return grantJson(v, orgUrl, userGrantHref(v.grant.userId, v.grant.id), expandScope(req));
  });

  app.delete<ByUserGrant>('/users/:userId/grants/:grantId', async (req, reply) => {
    await revokeUserGrant(c, req.params.userId, req.params.grantId, admin(req));
    return reply.code(204).send();
  });

  app.get<ByUser>('/users/:userId/clients', async (req) =>
    (await listUserClients(c, req.params.userId)).map((v) => userClientJson(v, orgUrl)));

  app.get<ByUserClient>('/users/:userId/clients/:clientId/grants', async (req, reply) => {
    const page = grantsPage(req);
    const rows = await listUserClientGrants(c, req.params.userId, req.params.clientId, page);
    return paginate(orgUrl, req, reply, page, rows, (v) => v.grant.id)
      .map((v) => grantJson(v, orgUrl, userGrantHref(v.grant.userId, v.grant.id), expandScope(req)));
  });

  app.delete<ByUserClient>('/users/:userId/clients/:clientId/grants', async (req, reply) => {
    await revokeUserClientGrants(c, req.params.userId, req.params.clientId, admin(req));
    return reply.code(204).send();
  });

  app.get<ByApp>('/apps/:appId/grants', async (req) =>
    (await listAppGrants(c, req.params.appId))
      .map((v) => grantJson(v, orgUrl, `${orgUrl}/api/v1/apps/${req.params.appId}/grants/${v.grant.id}`, expandScope(req))));

  app.get<ByAppGrant>('/apps/:appId/grants/:grantId', async (req) => {
    const v = await findAppGrant(c, req.params.appId, req.params.grantId);
    return grantJson(v, orgUrl, `${orgUrl}/api/v1/apps/${req.params.appId}/grants/${v.grant.id}`, expandScope(req));
  });

  app.delete<ByAppGrant>('/apps/:appId/grants/:grantId', async (req, reply) => {
    await revokeAppGrant(c, req.params.appId, req.params.grantId, admin(req));
    return reply.code(204).send();
  });
}
