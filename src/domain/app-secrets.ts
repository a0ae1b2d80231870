/**
 * An app's client secrets (/apps/{id}/credentials/secrets): at most two, sealed at rest and matched
 * by hash; an ACTIVE one cannot be deleted and the last ACTIVE one cannot be deactivated.
 */
import type { Container } from '../container.js';
import { randomToken } from '../crypto/ids.js';
import { ApiError, notFound, validationError } from '../errors/api-error.js';
import type { AppSecret } from './model.js';
import { MAX_SECRETS, Reader, SECRET_METHODS, secretProblems } from './app-body.js';
import { appChanged, findApp, newSecret, type AppsDeps } from './apps-service.js';
import { bodyObject } from './users-service.js';

// ---------------------------------------------------------------------------------------------
// Client secrets (/apps/{id}/credentials/secrets)

export interface SecretView {
  secret: AppSecret;
  plaintext: string;
}

function secretView(c: Pick<Container, 'box'>, secret: AppSecret): SecretView {
  return { secret, plaintext: c.box.open(secret.secretSealed) };
}

function secretRuleError(message: string): ApiError {
  return ApiError.of('E0000001', ['OAuth2ClientSecretMediated'], [message]);
}

async function findSecret(c: Pick<Container, 'store'>, appId: string, secretId: string): Promise<AppSecret> {
  const secret = await c.store.apps.getSecret(appId, secretId);
  if (!secret) throw notFound('OAuth2ClientSecret', secretId);
  return secret;
}

export async function listSecrets(c: AppsDeps, appId: string): Promise<SecretView[]> {
  await findApp(c, appId);
  return (await c.store.apps.listSecrets(appId)).map((s) => secretView(c, s));
}

export async function getSecret(c: AppsDeps, appId: string, secretId: string): Promise<SecretView> {
  await findApp(c, appId);
  return secretView(c, await findSecret(c, appId, secretId));
}

export async function createSecret(c: AppsDeps, appId: string, raw: unknown): Promise<SecretView> {
  const body = bodyObject(raw, true);
  const app = await findApp(c, appId);
  const r = new Reader();
  const supplied = r.string(body, 'client_secret', 'client_secret', 1000);
  const status = r.oneOf(body, 'status', ['ACTIVE', 'INACTIVE'] as const) ?? 'ACTIVE';
  if (r.causes.length > 0) throw validationError(r.causes);
  const method = app.body.credentials.oauthClient.token_endpoint_auth_method;
  if (!SECRET_METHODS.has(method)) throw ApiError.of('E0000001', ['client_secret'], [`'client_secret' can't be used when 'token_endpoint_auth_method' is '${method}'.`]);
  if (supplied !== undefined) {
    const problem = secretProblems(supplied, method);
    if (problem) throw ApiError.of('E0000001', ['client_secret'], [problem]);
  }
  const secret = newSecret(c, appId, supplied ?? randomToken(), c.clock.now(), status);
  await c.store.transaction(async (tx) => {
    if ((await tx.apps.listSecrets(appId)).length >= MAX_SECRETS) {
      throw secretRuleError("You've reached the maximum number of client secrets per client.");
    }
    await tx.apps.createSecret(secret);
  });
  appChanged(c, app.clientId);
  return secretView(c, secret);
}

export async function setSecretStatus(c: AppsDeps, appId: string, secretId: string, status: AppSecret['status']): Promise<SecretView> {
  const app = await findApp(c, appId);
  const updated = await c.store.transaction(async (tx) => {
    const secret = await findSecret({ store: tx }, appId, secretId);
    if (secret.status === status) return secret;
    if (status === 'INACTIVE') {
      const active = (await tx.apps.listSecrets(appId)).filter((s) => s.status === 'ACTIVE');
      if (active.length <= 1) throw secretRuleError("You can't deactivate the only active client secret.");
    }
    const next: AppSecret = { ...secret, status, lastUpdated: c.clock.now() };
    await tx.apps.updateSecret(next);
    return next;
  });
  appChanged(c, app.clientId);
  return secretView(c, updated);
}

export async function deleteSecret(c: AppsDeps, appId: string, secretId: string): Promise<void> {
  const app = await findApp(c, appId);
  const secret = await findSecret(c, appId, secretId);
  if (secret.status === 'ACTIVE') throw secretRuleError("You can't delete an active client secret. Deactivate the secret before deleting it.");
  await c.store.apps.deleteSecret(appId, secretId);
  appChanged(c, app.clientId);
}

