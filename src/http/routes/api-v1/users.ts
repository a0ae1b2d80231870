/** /api/v1/users: Okta's Users API (CRUD, lifecycle, password change, groups of a user). */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../../container.js';
import { listAppLinks } from '../../../domain/app-links.js';
import { groupJson } from '../../../domain/group-json.js';
import type { User } from '../../../domain/model.js';
import { userCredentialsJson, userJson } from '../../../domain/user-json.js';
import {
  changeUserPassword, changeUserStatus, createUser, deleteUser, findUser, LIFECYCLE_OPERATIONS, listUserGroups, listUsers, updateUser, userTypeId,
} from '../../../domain/users-service.js';
import { apiPrincipal, requireApiToken } from '../../plugins/api-auth.js';
import { rejectNulCharacters } from './input-guard.js';
import { booleanParam, paginate, queryParam, readPage } from './pagination.js';

type ById = { Params: { id: string } };

export async function usersRoutes(app: FastifyInstance, c: Container): Promise<void> {
  requireApiToken(app, c);
  rejectNulCharacters(app);
  const { orgUrl } = c.config;
  const present = async (user: User) => userJson(user, orgUrl, await userTypeId(c));

  app.post('/users', async (req) => {
    const activate = booleanParam(req.query, 'activate', true);
    return present(await createUser(c, req.body, { activate, nextLogin: queryParam(req.query, 'nextLogin') }));
  });

  app.get('/users', async (req, reply) => {
    const page = readPage(req.query);
    const [q, filter, search] = ['q', 'filter', 'search'].map((name) => queryParam(req.query, name));
    const rows = await listUsers(c, { q, filter, search, page });
    const typeId = await userTypeId(c);
    return paginate(orgUrl, req, reply, page, rows, (u) => u.id).map((u) => userJson(u, orgUrl, typeId));
  });

  app.get<ById>('/users/:id', async (req) => present(await findUser(c, req.params.id, apiPrincipal(req))));
  app.post<ById>('/users/:id', async (req) => present(await updateUser(c, req.params.id, req.body, false, apiPrincipal(req))));
  app.put<ById>('/users/:id', async (req) => present(await updateUser(c, req.params.id, req.body, true, apiPrincipal(req))));

  app.delete<ById>('/users/:id', async (req, reply) => {
    await deleteUser(c, req.params.id, apiPrincipal(req));
    return reply.code(204).send();
  });

  app.get<ById>('/users/:id/groups', async (req) =>
    (await listUserGroups(c, req.params.id, apiPrincipal(req))).map((g) => groupJson(g, orgUrl)));

  // Okta's "Update password": answers with the user's credentials object.
  app.post<ById>('/users/:id/credentials/change_password', async (req) =>
    userCredentialsJson(await changeUserPassword(c, req.params.id, req.body, apiPrincipal(req))));

  app.get<ById>('/users/:id/appLinks', async (req) => listAppLinks(c, req.params.id, apiPrincipal(req)));

  for (const op of LIFECYCLE_OPERATIONS) {
    app.post<ById>(`/users/:id/lifecycle/${op}`, async (req) => {
      const user = await changeUserStatus(c, req.params.id, op, apiPrincipal(req));
      // Okta answers expire_password with the user, every other transition with an empty object.
      return op === 'expire_password' ? present(user) : {};
    });
  }
}
