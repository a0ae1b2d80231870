/**
 * Primary authentication with a password, shared by the hosted sign-in page and /api/v1/authn.
 * Unknown users cost the same argon2 run as known ones (ASVS 6.3.8); each wrong password counts
 * towards the lockout threshold, and a success resets the count.
 */
import type { Container } from '../../container.js';
import { verifyPassword } from '../../crypto/passwords.js';
import type { User } from '../../domain/model.js';

export type PasswordSignIn =
  | { kind: 'success'; user: User }
  | { kind: 'password_expired'; user: User }
  | { kind: 'locked_out'; user: User }
  | { kind: 'failed' };

/** Longer values are refused before any lookup (and cost the same dummy hash). */
const MAX_USERNAME = 256;
const MAX_PASSWORD = 1024;

export async function passwordSignIn(
  c: Pick<Container, 'store' | 'clock' | 'config'>,
  username: string,
  password: string,
): Promise<PasswordSignIn> {
  const plausible = username.length > 0 && username.length <= MAX_USERNAME && password.length <= MAX_PASSWORD;
  const user = plausible ? await c.store.users.getByLogin(username) : undefined;
  const ok = await verifyPassword(user?.passwordHash, plausible ? password : '');
  if (!user) return { kind: 'failed' };
  if (user.status === 'LOCKED_OUT') return { kind: 'locked_out', user };
  const now = c.clock.now();
  if (!ok) {
    if (user.status === 'ACTIVE' || user.status === 'PASSWORD_EXPIRED') {
      const after = await c.store.users.recordFailedLogin(user.id, c.config.lockoutThreshold, now);
      if (after?.status === 'LOCKED_OUT') return { kind: 'locked_out', user: after };
    }
    return { kind: 'failed' };
  }
  if (user.status === 'ACTIVE') {
    await c.store.users.recordSuccessfulLogin(user.id, now);
    return { kind: 'success', user };
  }
  if (user.status === 'PASSWORD_EXPIRED') return { kind: 'password_expired', user };
  return { kind: 'failed' };
}
