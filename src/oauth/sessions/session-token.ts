/**
 * Okta's `sessionToken`: the one-time, 5-minute result of a primary authentication (/api/v1/authn),
 * exchanged for a session cookie at /authorize or /login/sessionCookieRedirect. Stored by hash.
 */
import type { Container } from '../../container.js';
import { randomToken, sha256 } from '../../crypto/ids.js';

export const SESSION_TOKEN_LIFETIME_MS = 300_000;

export interface SessionTokenPayload {
  userId: string;
  authTime: number;
  amr: string[];
}

type Deps = Pick<Container, 'store' | 'clock'>;

export async function issueSessionToken(c: Deps, payload: SessionTokenPayload): Promise<{ token: string; expiresAt: number }> {
  const token = randomToken(32);
  const now = c.clock.now();
  const expiresAt = now + SESSION_TOKEN_LIFETIME_MS;
  await c.store.artifacts.put(sha256(token), 'session_token', payload, expiresAt, now);
  return { token, expiresAt };
}

/** The payload of a live, unused token (which is now used up); undefined otherwise. */
export async function redeemSessionToken(c: Deps, token: unknown): Promise<SessionTokenPayload | undefined> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 256) return undefined;
  const result = await c.store.artifacts.consume<SessionTokenPayload>(sha256(token), 'session_token', c.clock.now());
  return result.status === 'ok' ? result.payload : undefined;
}
