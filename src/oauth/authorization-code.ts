/**
 * Authorization codes: 300 s, single use, stored by hash. The payload carries everything the token
 * endpoint needs, so redeeming a code is one conditional UPDATE plus the reads it implies.
 */
import type { Container } from '../container.js';
import { randomToken, sha256 } from '../crypto/ids.js';
import type { ConsumeResult } from '../domain/model.js';
import type { TokenLifetimes } from './policy/evaluate-policy.js';

export const CODE_LIFETIME_MS = 300_000;

export interface AuthorizationCodePayload {
  serverId: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  userId: string;
  authTime: number;
  amr: string[];
  sessionId?: string | undefined;
  nonce?: string | undefined;
  codeChallenge?: string | undefined;
  codeChallengeMethod?: string | undefined;
  /** Identifies everything issued from this code, so a replay can revoke it. */
  grantId: string;
  lifetimes: TokenLifetimes;
  /** The `iss` the ID token must carry (per the app's issuer_mode). */
  idTokenIssuer?: string | undefined;
}

export async function createAuthorizationCode(
  c: Pick<Container, 'store' | 'clock'>,
  payload: AuthorizationCodePayload,
): Promise<string> {
  const code = randomToken(32);
  const now = c.clock.now();
  await c.store.artifacts.put(sha256(code), 'code', payload, now + CODE_LIFETIME_MS, now);
  return code;
}

export function consumeAuthorizationCode(
  c: Pick<Container, 'store' | 'clock'>,
  code: string,
): Promise<ConsumeResult<AuthorizationCodePayload>> {
  return c.store.artifacts.consume<AuthorizationCodePayload>(sha256(code), 'code', c.clock.now());
}
