/** A user as Okta's management API shows it: ISO dates, credentials without secrets, `_links`. */
import { isoDate } from '../lib/time.js';
import type { User } from './model.js';

/** The user's credentials object: `password: {}` when there is one (never its value), the provider. */
export function userCredentialsJson(user: User): Record<string, unknown> {
  return {
    ...(user.passwordHash ? { password: {} } : {}),
    provider: { type: 'OKTA', name: 'OKTA' },
  };
}

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
    credentials: userCredentialsJson(user),
    _links: {
      self: { href: `${orgUrl}/api/v1/users/${user.id}` },
    },
  };
}
