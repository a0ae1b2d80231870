/** /api/v1/apps/{id}/credentials/jwks: an OIDC app's public JSON Web Keys (Okta's ApplicationSSOPublicKeys). */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../../container.js';
import { addJwk, deleteJwk, getJwk, jwkJson, listJwks, setJwkStatus } from '../../../domain/app-jwks.js';

type ById = { Params: { id: string } };
type ByKey = { Params: { id: string; keyId: string } };

/** Registered by appsRoutes on its (already authenticated) scope. */
export function appJwksRoutes(app: FastifyInstance, c: Container): void {
  const { orgUrl } = c.config;
  const base = '/apps/:id/credentials/jwks';

  app.get<ById>(base, async (req) => (await listJwks(c, req.params.id)).map((k) => jwkJson(k, req.params.id, orgUrl)));
  app.post<ById>(base, async (req, reply) => reply.code(201).send(jwkJson(await addJwk(c, req.params.id, req.body), req.params.id, orgUrl)));
  app.get<ByKey>(`${base}/:keyId`, async (req) => jwkJson(await getJwk(c, req.params.id, req.params.keyId), req.params.id, orgUrl));
  app.delete<ByKey>(`${base}/:keyId`, async (req, reply) => {
    await deleteJwk(c, req.params.id, req.params.keyId);
    return reply.code(204).send();
  });
  app.post<ByKey>(`${base}/:keyId/lifecycle/activate`, async (req) =>
    jwkJson(await setJwkStatus(c, req.params.id, req.params.keyId, 'ACTIVE'), req.params.id, orgUrl));
  app.post<ByKey>(`${base}/:keyId/lifecycle/deactivate`, async (req) =>
    jwkJson(await setJwkStatus(c, req.params.id, req.params.keyId, 'INACTIVE'), req.params.id, orgUrl));
}
