/**
 * Okta's classic Authentication API (POST /api/v1/authn), primary authentication only: SUCCESS with
 * a one-time sessionToken, LOCKED_OUT and PASSWORD_EXPIRED as transaction states, and 401 E0000004
 * "Authentication failed" for every other failure, so callers can't tell unknown users from wrong
 * passwords.
 */
import type { RequestInfo } from '../../audit/system-log.js';
import type { Container } from '../../container.js';
import { randomToken } from '../../crypto/ids.js';
import { ApiError, validationError } from '../../errors/api-error.js';
import type { User } from '../../domain/model.js';
import { isoDate } from '../../lib/time.js';
import { passwordSignIn } from './password-sign-in.js';
import { issueSessionToken, SESSION_TOKEN_LIFETIME_MS } from './session-token.js';

type Deps = Pick<Container, 'config' | 'store' | 'clock' | 'log'>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function embeddedUser(user: User): Record<string, unknown> {
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

function link(href: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, href, hints: { allow: ['POST'] } };
}

/** Validates the request body; throws E0000003 (not an object) or E0000001 (missing fields). */
export function parseAuthnRequest(body: unknown): { username: string; password: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw ApiError.of('E0000003');
  const { username, password } = body as Record<string, unknown>;
  const missing = [
    ...(typeof username !== 'string' || username === '' ? [{ field: 'username', message: 'The field cannot be left blank.' }] : []),
    ...(typeof password !== 'string' || password === '' ? [{ field: 'password', message: 'The field cannot be left blank.' }] : []),
  ];
  if (missing.length > 0) throw validationError(missing);
  return { username: username as string, password: password as string };
}

export async function authenticate(c: Deps, body: unknown, request?: RequestInfo): Promise<Record<string, unknown>> {
  const { username, password } = parseAuthnRequest(body);
  const base = c.config.orgUrl;
  const result = await passwordSignIn(c, username, password, 'authn_api', request);
  const now = c.clock.now();
  switch (result.kind) {
    case 'success': {
      const { token, expiresAt } = await issueSessionToken(c, { userId: result.user.id, authTime: now, amr: ['pwd'] });
      return {
        expiresAt: isoDate(expiresAt),
        status: 'SUCCESS',
        sessionToken: token,
        _embedded: { user: embeddedUser(result.user) },
        _links: { cancel: link(`${base}/api/v1/authn/cancel`) },
      };
    }
    case 'locked_out':
      return {
        status: 'LOCKED_OUT',
        _links: { next: link(`${base}/api/v1/authn/recovery/unlock`, { name: 'unlock' }) },
      };
    case 'password_expired':
      return {
        stateToken: randomToken(24),
        expiresAt: isoDate(now + SESSION_TOKEN_LIFETIME_MS),
        status: 'PASSWORD_EXPIRED',
        _embedded: { user: embeddedUser(result.user) },
        _links: {
          next: link(`${base}/api/v1/authn/credentials/change_password`, { name: 'changePassword' }),
          cancel: link(`${base}/api/v1/authn/cancel`),
        },
      };
    case 'failed':
      throw ApiError.of('E0000004');
  }
}
