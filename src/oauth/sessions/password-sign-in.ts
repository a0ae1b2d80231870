/**
 * Primary authentication with a password, shared by the hosted sign-in page and /api/v1/authn.
 * Unknown users cost the same argon2 run as known ones (ASVS 6.3.8); each wrong password counts
 * towards the lockout threshold, and a success resets the count. Every attempt is a System Log
 * user.session.start (and the one that locks the account a user.account.lock): ../audit.ts.
 */
import type { RequestInfo } from '../../audit/system-log.js';
import type { Container } from '../../container.js';
import { verifyPassword } from '../../crypto/passwords.js';
import type { User } from '../../domain/model.js';
import { auditSignIn, type SignInInterface, type SignInOutcome } from '../audit.js';

export type PasswordSignIn =
  | { kind: 'success'; user: User }
  | { kind: 'password_expired'; user: User }
  | { kind: 'locked_out'; user: User }
  | { kind: 'failed' };

/** Longer values are refused before any lookup (and cost the same dummy hash). */
const MAX_USERNAME = 256;
const MAX_PASSWORD = 1024;

export async function passwordSignIn(
  c: Pick<Container, 'store' | 'clock' | 'config' | 'log'>,
  username: string,
  password: string,
  via: SignInInterface = 'hosted_sign_in',
  request?: RequestInfo,
): Promise<PasswordSignIn> {
  const { result, audit } = await check(c, username, password);
  auditSignIn(c, username, audit, via, request);
  return result;
}

type Checked = { result: PasswordSignIn; audit: SignInOutcome };
const same = (result: Exclude<PasswordSignIn, { kind: 'failed' }>): Checked => ({ result, audit: result });
const failed = (audit: SignInOutcome): Checked => ({ result: { kind: 'failed' }, audit });

async function check(c: Pick<Container, 'store' | 'clock' | 'config'>, username: string, password: string): Promise<Checked> {
  const plausible = username.length > 0 && username.length <= MAX_USERNAME && password.length <= MAX_PASSWORD;
  const user = plausible ? await c.store.users.getByLogin(username) : undefined;
  const ok = await verifyPassword(user?.passwordHash, plausible ? password : '');
  if (!user) return failed({ kind: 'failed' });
  if (user.status === 'LOCKED_OUT') return same({ kind: 'locked_out', user });
  const now = c.clock.now();
  if (!ok) {
    if (user.status === 'ACTIVE' || user.status === 'PASSWORD_EXPIRED') {
      const after = await c.store.users.recordFailedLogin(user.id, c.config.lockoutThreshold, now);
      // This wrong password locked the account: logged as a failed attempt that locked it.
      if (after?.status === 'LOCKED_OUT') return { result: { kind: 'locked_out', user: after }, audit: { kind: 'failed', user, locked: true } };
    }
    return failed({ kind: 'failed', user });
  }
  if (user.status === 'ACTIVE') {
    await c.store.users.recordSuccessfulLogin(user.id, now);
    return same({ kind: 'success', user });
  }
  if (user.status === 'PASSWORD_EXPIRED') return same({ kind: 'password_expired', user });
  return failed({ kind: 'failed', user });
}
