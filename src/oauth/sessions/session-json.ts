/** The Session object of /api/v1/sessions/me, as Okta returns it. */
import type { Session, User } from '../../domain/model.js';
import { isoDate } from '../../lib/time.js';

export function sessionJson(session: Session, user: User, orgUrl: string, orgId: string): Record<string, unknown> {
  const me = `${orgUrl}/api/v1/sessions/me`;
  const name = [user.profile.firstName, user.profile.lastName].filter((s) => typeof s === 'string' && s !== '').join(' ');
  return {
    id: session.id,
    userId: user.id,
    login: user.profile.login,
    createdAt: isoDate(session.created),
    expiresAt: isoDate(session.expiresAt),
    status: 'ACTIVE',
    lastPasswordVerification: session.amr.includes('pwd') ? isoDate(session.authTime) : null,
    lastFactorVerification: null,
    amr: session.amr,
    idp: { id: orgId, type: 'OKTA' },
    mfaActive: false,
    _links: {
      self: { href: me, hints: { allow: ['GET', 'DELETE'] } },
      refresh: { href: `${me}/lifecycle/refresh`, hints: { allow: ['POST'] } },
      user: { name: name || user.profile.login, href: `${orgUrl}/api/v1/users/me`, hints: { allow: ['GET'] } },
    },
  };
}
