/** A group as Okta's management API shows it. */
import { isoDate } from '../lib/time.js';
import type { Group } from './model.js';

export function groupJson(group: Group, orgUrl: string): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/groups/${group.id}`;
  return {
    id: group.id,
    created: isoDate(group.created),
    lastUpdated: isoDate(group.lastUpdated),
    lastMembershipUpdated: isoDate(group.lastMembershipUpdated),
    objectClass: ['okta:user_group'],
    type: group.type,
    profile: { name: group.name, description: group.description },
    _links: {
      self: { href: self },
      users: { href: `${self}/users` },
      apps: { href: `${self}/apps` },
    },
  };
}
