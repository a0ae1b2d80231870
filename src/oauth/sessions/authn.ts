/**
 * Okta's classic Authentication API (/api/v1/authn): primary authentication (SUCCESS with a one-time
 * sessionToken, LOCKED_OUT, PASSWORD_EXPIRED, and 401 E0000004 "Authentication failed" for every
 * other failure, so callers can't tell unknown users from wrong passwords) and the one transaction
 * that can follow it: an expired password, named by its stateToken (./state-token.ts), read back
 * by POST /authn {stateToken}, finished by /authn/credentials/change_password or /authn/cancel.
 * A stateToken that is unknown, expired or ended, or whose user is no longer PASSWORD_EXPIRED
 * (unlocked, reset or locked out meanwhile), is 401 E0000011 "Invalid token provided".
 */
import type { RequestInfo } from '../../audit/system-log.js';
import type { Container } from '../../container.js';
import { ApiError, validationError } from '../../errors/api-error.js';
import type { User } from '../../domain/model.js';
import { checkPasswordChange, setCheckedPassword } from '../../domain/users-service.js';
import { isoDate } from '../../lib/time.js';
import { auditPasswordChange } from '../audit.js';
import { passwordSignIn } from './password-sign-in.js';
import { issueSessionToken } from './session-token.js';
import { endStateToken, issueStateToken, readStateToken, type StateTokenPayload } from './state-token.js';

type Deps = Pick<Container, 'config' | 'store' | 'clock' | 'log'>;
type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const BLANK = 'The field cannot be left blank.';

function embeddedUser(user: User): Json {
  const p = user.profile;
  return {
    id: user.id,
    passwordChanged: isoDate(user.passwordChanged),
    profile: {
      login: p.login,
      firstName: p.firstName ?? null,
      lastName: p.lastName ?? null,
      locale: str(p.locale) ?? 'en_US',
      timeZone: str(p.timezone) ?? 'America/Los_Angeles',
    },
  };
}

function link(href: string, extra: Json = {}): Json {
  return { ...extra, href, hints: { allow: ['POST'] } };
}

/** The body as an object (E0000003 otherwise) and the blank ones of `fields` as E0000001. */
function requireFields<K extends string>(body: unknown, fields: readonly K[]): Record<K, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw ApiError.of('E0000003');
  const values = body as Json;
  const missing = fields.filter((f) => typeof values[f] !== 'string' || values[f] === '').map((field) => ({ field, message: BLANK }));
  if (missing.length > 0) throw validationError(missing);
  return values as Record<K, string>;
}

/** Validates the request body; throws E0000003 (not an object) or E0000001 (missing fields). */
export function parseAuthnRequest(body: unknown): { username: string; password: string } {
  return requireFields(body, ['username', 'password']);
}

/** POST /api/v1/authn: primary authentication, or the state of a transaction given its stateToken. */
export async function authenticate(c: Deps, body: unknown, request?: RequestInfo): Promise<Json> {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && (body as Json).stateToken !== undefined) {
    const { stateToken } = body as Json;
    const { payload, user } = await liveTransaction(c, stateToken);
    return passwordExpired(c, stateToken as string, payload, user);
  }
  const { username, password } = parseAuthnRequest(body);
  const result = await passwordSignIn(c, username, password, 'authn_api', request);
  switch (result.kind) {
    case 'success':
      return success(c, result.user);
    case 'locked_out':
      // Self-service unlock is not offered, so (like Okta then) there is no recovery link.
      return { status: 'LOCKED_OUT' };
    case 'password_expired': {
      const { token, payload } = await issueStateToken(c, result.user.id);
      return passwordExpired(c, token, payload, result.user);
    }
    case 'failed':
      throw ApiError.of('E0000004');
  }
}

/** POST /api/v1/authn/credentials/change_password {stateToken, oldPassword, newPassword}. */
export async function changeExpiredPassword(c: Deps, body: unknown, request?: RequestInfo): Promise<Json> {
  const { stateToken, oldPassword, newPassword } = requireFields(body, ['stateToken', 'oldPassword', 'newPassword']);
  const { user } = await liveTransaction(c, stateToken);
  // A wrong old password leaves the transaction alive for another try, but counts towards lockout;
  // the attempt that locks the account ends it (the user is no longer PASSWORD_EXPIRED).
  await checkPasswordChange(c, user, oldPassword, newPassword, (failure) =>
    auditPasswordChange(c, user, failure.locked ? 'locked' : 'failed', request));
  // Exactly one of two concurrent changes ends the transaction and sets its password.
  if (!(await endStateToken(c, stateToken))) throw ApiError.of('E0000011');
  const changed = await setCheckedPassword(c, user.id, newPassword);
  await c.store.users.recordSuccessfulLogin(changed.id, c.clock.now());
  auditPasswordChange(c, changed, 'success', request);
  return success(c, changed);
}

/** POST /api/v1/authn/cancel {stateToken}: ends the transaction. */
export async function cancelTransaction(c: Deps, body: unknown): Promise<Json> {
  const { stateToken } = requireFields(body, ['stateToken']);
  if (!(await endStateToken(c, stateToken))) throw ApiError.of('E0000011');
  return { status: 'UNAUTHENTICATED' };
}

async function success(c: Deps, user: User): Promise<Json> {
  const { token, expiresAt } = await issueSessionToken(c, { userId: user.id, authTime: c.clock.now(), amr: ['pwd'] });
  return {
    expiresAt: isoDate(expiresAt),
    status: 'SUCCESS',
    sessionToken: token,
    _embedded: { user: embeddedUser(user) },
    _links: { cancel: link(`${c.config.orgUrl}/api/v1/authn/cancel`) },
  };
}

function passwordExpired(c: Deps, stateToken: string, payload: StateTokenPayload, user: User): Json {
  const base = c.config.orgUrl;
  return {
    stateToken,
    expiresAt: isoDate(payload.expiresAt),
    status: 'PASSWORD_EXPIRED',
    _embedded: { user: embeddedUser(user) },
    _links: {
      next: link(`${base}/api/v1/authn/credentials/change_password`, { name: 'changePassword' }),
      cancel: link(`${base}/api/v1/authn/cancel`),
    },
  };
}

/** The live transaction of a stateToken and its (still PASSWORD_EXPIRED) user; E0000011 otherwise. */
async function liveTransaction(c: Deps, stateToken: unknown): Promise<{ payload: StateTokenPayload; user: User }> {
  const payload = await readStateToken(c, stateToken);
  if (!payload) throw ApiError.of('E0000011');
  const user = await c.store.users.get(payload.userId);
  if (!user || user.status !== 'PASSWORD_EXPIRED') {
    await endStateToken(c, stateToken);
    throw ApiError.of('E0000011');
  }
  return { payload, user };
}
