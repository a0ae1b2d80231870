/** /api/v1/groups: Okta's Groups API (CRUD and memberships). */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../../container.js';
import { groupJson } from '../../../domain/group-json.js';
import {
  addGroupMember, createGroup, deleteGroup, findGroup, listGroupMembers, listGroups, removeGroupMember, replaceGroup,
} from '../../../domain/groups-service.js';
import { userJson } from '../../../domain/user-json.js';
import { userTypeId } from '../../../domain/users-service.js';
import { ApiError } from '../../../errors/api-error.js';
import { requireApiToken } from '../../plugins/api-auth.js';
import { rejectNulCharacters } from './input-guard.js';
import { paginate, queryParam, readPage } from './pagination.js';

type ById = { Params: { id: string } };
type Membership = { Params: { id: string; userId: string } };

export async function groupsRoutes(app: FastifyInstance, c: Container): Promise<void> {
  requireApiToken(app, c);
  rejectNulCharacters(app);
  const { orgUrl } = c.config;

  app.post('/groups', async (req) => groupJson(await createGroup(c, req.body), orgUrl));

  app.get('/groups', async (req, reply) => {
    // Okta's group `filter`/`search` expressions are not supported; refuse them rather than ignore them.
    if (queryParam(req.query, 'filter') || queryParam(req.query, 'search')) throw ApiError.of('E0000031');
    const page = readPage(req.query);
    const rows = await listGroups(c, { ...page, q: queryParam(req.query, 'q') || undefined });
    return paginate(orgUrl, req, reply, page, rows, (g) => g.id).map((g) => groupJson(g, orgUrl));
  });

  app.get<ById>('/groups/:id', async (req) => groupJson(await findGroup(c, req.params.id), orgUrl));
  app.put<ById>('/groups/:id', async (req) => groupJson(await replaceGroup(c, req.params.id, req.body), orgUrl));

  app.delete<ById>('/groups/:id', async (req, reply) => {
    await deleteGroup(c, req.params.id);
    return reply.code(204).send();
  });

  app.get<ById>('/groups/:id/users', async (req, reply) => {
    const page = readPage(req.query);
    const rows = await listGroupMembers(c, req.params.id, page);
    const typeId = await userTypeId(c);
    return paginate(orgUrl, req, reply, page, rows, (u) => u.id).map((u) => userJson(u, orgUrl, typeId));
  });

  app.put<Membership>('/groups/:id/users/:userId', async (req, reply) => {
    await addGroupMember(c, req.params.id, req.params.userId);
    return reply.code(204).send();
  });

  app.delete<Membership>('/groups/:id/users/:userId', async (req, reply) => {
    await removeGroupMember(c, req.params.id, req.params.userId);
    return reply.code(204).send();
  });
}
