/**
 * Okta's authn `stateToken`: names one /api/v1/authn transaction that is not finished yet (today only
 * PASSWORD_EXPIRED). Stored by hash as a one-time artifact with the user and the transaction's expiry;
 * it can be read any number of times while it lives (the transaction state, a wrong old password) and
 * is used up, exactly once, when the transaction ends (password changed, cancelled).
 */
import type { Container } from '../../container.js';
import { randomToken, sha256 } from '../../crypto/ids.js';

export const STATE_TOKEN_LIFETIME_MS = 300_000;

export interface StateTokenPayload {
  userId: string;
  /** When the transaction expires (epoch ms), returned as `expiresAt` on every state of it. */
  expiresAt: number;
}

type Deps = Pick<Container, 'store' | 'clock'>;

/** Tokens longer than this are not looked up. */
const MAX_TOKEN = 256;

const usable = (token: unknown): token is string => typeof token === 'string' && token.length > 0 && token.length <= MAX_TOKEN;

export async function issueStateToken(c: Deps, userId: string): Promise<{ token: string; payload: StateTokenPayload }> {
  const token = randomToken(32);
  const now = c.clock.now();
  const payload: StateTokenPayload = { userId, expiresAt: now + STATE_TOKEN_LIFETIME_MS };
  await c.store.artifacts.put(sha256(token), 'state_token', payload, payload.expiresAt, now);
  return { token, payload };
}

/** The transaction of a live token, left alive; undefined for an unknown, expired or ended one. */
export async function readStateToken(c: Deps, token: unknown): Promise<StateTokenPayload | undefined> {
  if (!usable(token)) return undefined;
  return c.store.artifacts.peek<StateTokenPayload>(sha256(token), 'state_token', c.clock.now());
}

/** Ends the transaction: true for the one caller that ended a live token, false otherwise. */
export async function endStateToken(c: Deps, token: unknown): Promise<boolean> {
  if (!usable(token)) return false;
  const result = await c.store.artifacts.consume<StateTokenPayload>(sha256(token), 'state_token', c.clock.now());
  return result.status === 'ok';
}
