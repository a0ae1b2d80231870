/**
 * Org sessions (the IdP's single sign-on). The cookie holds 256 random bits; the store keeps only
 * their SHA-256, so a database read leaks no usable session. A new value is minted on every sign-in
 * (no fixation, ASVS 7.2.4); sessions idle out after 2 h and end after 24 h at most.
 */
import type { Container } from '../../container.js';
import { randomToken, sha256 } from '../../crypto/ids.js';
import type { Session, User } from '../../domain/model.js';

export const SESSION_IDLE_MS = 2 * 3600_000;
export const SESSION_MAX_MS = 24 * 3600_000;
/** Sliding the idle window costs a write, so it moves at most once a minute. */
const TOUCH_GRANULARITY_MS = 60_000;

type Deps = Pick<Container, 'store' | 'clock'>;

export interface NewSession {
  /** The cookie value: shown to the browser once, never stored. */
  cookieValue: string;
  session: Session;
}

export interface ActiveSession {
  session: Session;
  user: User;
}

export async function createSession(
  c: Deps,
  input: { userId: string; authTime: number; amr: string[]; replaces?: string | undefined },
): Promise<NewSession> {
  const now = c.clock.now();
  if (input.replaces) await revokeSessionByCookie(c, input.replaces);
  const cookieValue = randomToken(32);
  const session: Session = {
    id: sha256(cookieValue),
    userId: input.userId,
    created: now,
    expiresAt: now + SESSION_IDLE_MS,
    authTime: input.authTime,
    amr: input.amr,
    revokedAt: null,
  };
  await c.store.sessions.create(session);
  return { cookieValue, session };
}

/** The live session behind a cookie value, with its ACTIVE user; undefined otherwise. */
export async function findSession(c: Deps, cookieValue: string | undefined): Promise<ActiveSession | undefined> {
  if (!cookieValue) return undefined;
  const session = await c.store.sessions.get(sha256(cookieValue));
  const now = c.clock.now();
  if (!session || session.revokedAt !== null || session.expiresAt <= now) return undefined;
  const user = await c.store.users.get(session.userId);
  if (!user || user.status !== 'ACTIVE') return undefined;
  return { session, user };
}

/** Moves the idle window forward (bounded by the absolute lifetime); returns the updated session. */
export async function touchSession(c: Deps, session: Session, force = false): Promise<Session> {
  const now = c.clock.now();
  const expiresAt = Math.min(now + SESSION_IDLE_MS, session.created + SESSION_MAX_MS);
  if (!force && expiresAt - session.expiresAt < TOUCH_GRANULARITY_MS) return session;
  const updated = { ...session, expiresAt };
  await c.store.sessions.update(updated);
  return updated;
}

export async function revokeSessionByCookie(c: Deps, cookieValue: string | undefined): Promise<void> {
  if (!cookieValue) return;
  await c.store.sessions.revoke(sha256(cookieValue), c.clock.now());
}
