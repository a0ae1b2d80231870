/** /api/v1/apps/{id}/credentials/secrets: an OIDC app's client secrets (at most two). */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../../container.js';
import { appSecretJson } from '../../../domain/app-json.js';
import { createSecret, deleteSecret, getSecret, listSecrets, setSecretStatus, type SecretView } from '../../../domain/app-secrets.js';

type ById = { Params: { id: string } };
type BySecret = { Params: { id: string; secretId: string } };

/** Registered by appsRoutes on its (already authenticated) scope. */
export function appSecretsRoutes(app: FastifyInstance, c: Container): void {
  const present = (v: SecretView) => appSecretJson(v.secret, c.config.orgUrl, v.plaintext);
  const base = '/apps/:id/credentials/secrets';

  app.get<ById>(base, async (req) => (await listSecrets(c, req.params.id)).map(present));
  app.post<ById>(base, async (req, reply) => reply.code(201).send(present(await createSecret(c, req.params.id, req.body))));
  app.get<BySecret>(`${base}/:secretId`, async (req) => present(await getSecret(c, req.params.id, req.params.secretId)));
  app.delete<BySecret>(`${base}/:secretId`, async (req, reply) => {
    await deleteSecret(c, req.params.id, req.params.secretId);
    return reply.code(204).send();
  });
  app.post<BySecret>(`${base}/:secretId/lifecycle/activate`, async (req) =>
    present(await setSecretStatus(c, req.params.id, req.params.secretId, 'ACTIVE')));
  app.post<BySecret>(`${base}/:secretId/lifecycle/deactivate`, async (req) =>
    present(await setSecretStatus(c, req.params.id, req.params.secretId, 'INACTIVE')));
}
