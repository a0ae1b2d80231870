/** A user as Okta's management API shows it: ISO dates, credentials without secrets, `_links`. */
import { isoDate } from '../lib/time.js';
import type { User } from './model.js';

export function userJson(user: User, orgUrl: string, userTypeId: string): Record<string, unknown> {
  return {
    id: user.id,
    status: user.status,
    created: isoDate(user.created),
    activated: isoDate(user.activated),
    statusChanged: isoDate(user.statusChanged),
    lastLogin: isoDate(user.lastLogin),
    lastUpdated: isoDate(user.lastUpdated),
    passwordChanged: isoDate(user.passwordChanged),
    type: { id: userTypeId },
    profile: user.profile,
    credentials: {
      ...(user.passwordHash ? { password: {} } : {}),
      provider: { type: 'OKTA', name: 'OKTA' },
    },
    _links: {
      self: { href: `${orgUrl}/api/v1/users/${user.id}` },
    },
  };
}
