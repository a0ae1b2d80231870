/**
 * `Authorization: SSWS <token>` for the management API. The token is looked up by its SHA-256; its
 * user must be ACTIVE and a SUPER_ADMIN. Anything else is 401 E0000011, as Okta answers a bad token.
 * Route modules install it on their own scope with `requireApiToken(scope, c)`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Container } from '../../container.js';
import { sha256 } from '../../crypto/ids.js';
import type { User } from '../../domain/model.js';
import { ApiError } from '../../errors/api-error.js';

const SSWS = /^SSWS[ \t]+(\S+)[ \t]*$/i;

const principals = new WeakMap<FastifyRequest, User>();

/** The administrator whose token authenticated the request (set by requireApiToken). */
export function apiPrincipal(request: FastifyRequest): User {
  const user = principals.get(request);
  if (!user) throw ApiError.of('E0000011');
  return user;
}

export async function authenticateApiToken(c: Pick<Container, 'store'>, header: string | undefined): Promise<User> {
  const token = header ? SSWS.exec(header)?.[1] : undefined;
  if (!token) throw ApiError.of('E0000011');
  const record = await c.store.apiTokens.getByHash(sha256(token));
  const user = record && (await c.store.users.get(record.userId));
  if (!user || user.status !== 'ACTIVE' || !user.adminRoles.includes('SUPER_ADMIN')) throw ApiError.of('E0000011');
  return user;
}

export function requireApiToken(scope: FastifyInstance, c: Pick<Container, 'store'>): void {
  scope.addHook('onRequest', async (request) => {
    principals.set(request, await authenticateApiToken(c, request.headers.authorization));
  });
}
