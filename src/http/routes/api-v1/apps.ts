/** /api/v1/apps: Okta's Applications API for OIDC apps, with user and group assignments, secrets and JSON Web Keys. */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../../container.js';
import { appGroupJson, appJson, appUserJson } from '../../../domain/app-json.js';
import {
  assignGroup, assignUser, getAppGroup, getAppUser, listAppGroups, listAppUsers, unassignGroup, unassignUser, updateAppUser,
} from '../../../domain/app-assignments.js';
import { createApp, deleteApp, getApp, listApps, replaceApp, setAppStatus, type AppView } from '../../../domain/apps-service.js';
import { requireApiToken } from '../../plugins/api-auth.js';
import { rejectNulCharacters } from './input-guard.js';
import { appJwksRoutes } from './app-jwks.js';
import { appSecretsRoutes } from './app-secrets.js';
import { booleanParam, paginate, queryParam, readPage } from './pagination.js';

type ById = { Params: { id: string } };
type ByUser = { Params: { id: string; userId: string } };
type ByGroup = { Params: { id: string; groupId: string } };

export async function appsRoutes(app: FastifyInstance, c: Container): Promise<void> {
  requireApiToken(app, c);
  rejectNulCharacters(app);
  const { orgUrl } = c.config;
  const present = (v: AppView) => appJson(v.app, orgUrl, v.clientSecret);

  app.post('/apps', async (req) => present(await createApp(c, req.body, { activate: booleanParam(req.query, 'activate', true) })));

  app.get('/apps', async (req, reply) => {
    const page = readPage(req.query);
    const rows = await listApps(c, { q: queryParam(req.query, 'q'), filter: queryParam(req.query, 'filter'), page });
    return paginate(orgUrl, req, reply, page, rows, (a) => a.id).map((a) => appJson(a, orgUrl, undefined));
  });

  app.get<ById>('/apps/:id', async (req) => present(await getApp(c, req.params.id)));
  app.put<ById>('/apps/:id', async (req) => present(await replaceApp(c, req.params.id, req.body)));

  app.delete<ById>('/apps/:id', async (req, reply) => {
    await deleteApp(c, req.params.id);
    return reply.code(204).send();
  });

  app.post<ById>('/apps/:id/lifecycle/activate', async (req) => {
    await setAppStatus(c, req.params.id, 'ACTIVE');
    return {};
  });
  app.post<ById>('/apps/:id/lifecycle/deactivate', async (req) => {
    await setAppStatus(c, req.params.id, 'INACTIVE');
    return {};
  });

  app.get<ById>('/apps/:id/users', async (req, reply) => {
    const page = readPage(req.query);
    const rows = await listAppUsers(c, req.params.id, page);
    return paginate(orgUrl, req, reply, page, rows, (a) => a.userId).map((a) => appUserJson(a, orgUrl));
  });
  app.post<ById>('/apps/:id/users', async (req) => appUserJson(await assignUser(c, req.params.id, req.body), orgUrl));
  app.get<ByUser>('/apps/:id/users/:userId', async (req) => appUserJson(await getAppUser(c, req.params.id, req.params.userId), orgUrl));
  app.post<ByUser>('/apps/:id/users/:userId', async (req) =>
    appUserJson(await updateAppUser(c, req.params.id, req.params.userId, req.body), orgUrl));
  app.delete<ByUser>('/apps/:id/users/:userId', async (req, reply) => {
    await unassignUser(c, req.params.id, req.params.userId);
    return reply.code(204).send();
  });

  app.get<ById>('/apps/:id/groups', async (req, reply) => {
    const page = readPage(req.query);
    const rows = await listAppGroups(c, req.params.id, page);
    return paginate(orgUrl, req, reply, page, rows, (a) => a.groupId).map((a) => appGroupJson(a, orgUrl));
  });
  app.get<ByGroup>('/apps/:id/groups/:groupId', async (req) => appGroupJson(await getAppGroup(c, req.params.id, req.params.groupId), orgUrl));
  app.put<ByGroup>('/apps/:id/groups/:groupId', async (req) =>
    appGroupJson(await assignGroup(c, req.params.id, req.params.groupId, req.body), orgUrl));
  app.delete<ByGroup>('/apps/:id/groups/:groupId', async (req, reply) => {
    await unassignGroup(c, req.params.id, req.params.groupId);
    return reply.code(204).send();
  });

  appSecretsRoutes(app, c);
  appJwksRoutes(app, c);
}
