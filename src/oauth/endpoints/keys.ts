/**
 * GET /v1/keys: the server's published signing keys (ACTIVE, NEXT and not-yet-purged EXPIRED) as a
 * JWKS, with `Cache-Control: max-age=…, must-revalidate` sized to stay honest:
 *
 * - A NEXT key is published: the key that will sign after the next rotation is already in this
 *   document (scheduled rotation promotes a NEXT key only after it has been published for a day, see
 *   domain/auth-servers/key-rotation.ts), so verifiers may cache it for an hour.
 * - No NEXT key: a rotation would have to sign with a key nobody has fetched yet, so five minutes.
 *
 * Verifiers that meet an unknown `kid` refetch anyway (jwks-rsa, okta-auth-js).
 */
import type { Container } from '../../container.js';
import type { ProtocolRequest, ProtocolResponse } from '../client-auth/request.js';
import { resolveServer } from '../server-context.js';

export const KEYS_MAX_AGE_SECONDS = 3600;
export const KEYS_MAX_AGE_WITHOUT_NEXT_SECONDS = 300;

export async function keysEndpoint(c: Container, req: ProtocolRequest): Promise<ProtocolResponse> {
  const server = await resolveServer(c, req.authServerId, req.origin);
  const keys = await c.keys.publishedKeys(server.id);
  const maxAge = keys.some((k) => k.status === 'NEXT') ? KEYS_MAX_AGE_SECONDS : KEYS_MAX_AGE_WITHOUT_NEXT_SECONDS;
  return {
    status: 200,
    headers: { 'Cache-Control': `max-age=${maxAge}, must-revalidate`, Vary: 'Origin' },
    body: { keys: keys.map((k) => k.publicJwk) },
  };
}
