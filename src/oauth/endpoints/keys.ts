/**
 * GET /v1/keys: the server's published signing keys (ACTIVE, NEXT and not-yet-purged EXPIRED) as a
 * JWKS. Verifiers may cache it for an hour; while a NEXT key waits to become active, only for five
 * minutes, so caches pick up the switch soon after it happens. Verifiers that meet an unknown `kid`
 * refetch anyway (jwks-rsa, okta-auth-js).
 */
import type { Container } from '../../container.js';
import type { ProtocolRequest, ProtocolResponse } from '../client-auth/request.js';
import { resolveServer } from '../server-context.js';

export const KEYS_MAX_AGE_SECONDS = 3600;
export const KEYS_MAX_AGE_ROTATING_SECONDS = 300;

export async function keysEndpoint(c: Container, req: ProtocolRequest): Promise<ProtocolResponse> {
  const server = await resolveServer(c, req.authServerId, req.origin);
  const keys = await c.keys.publishedKeys(server.id);
  const maxAge = keys.some((k) => k.status === 'NEXT') ? KEYS_MAX_AGE_ROTATING_SECONDS : KEYS_MAX_AGE_SECONDS;
  return {
    status: 200,
    headers: { 'Cache-Control': `max-age=${maxAge}, must-revalidate`, Vary: 'Origin' },
    body: { keys: keys.map((k) => k.publicJwk) },
  };
}
