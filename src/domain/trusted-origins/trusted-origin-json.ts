/** A trusted origin as Okta's management API shows it, with `self` and the lifecycle link. */
import { isoDate } from '../../lib/time.js';
import type { TrustedOrigin } from './model.js';

export function trustedOriginJson(o: TrustedOrigin, orgUrl: string): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/trustedOrigins/${o.id}`;
  const lifecycle = o.status === 'ACTIVE' ? 'deactivate' : 'activate';
  return {
    id: o.id,
    name: o.name,
    origin: o.origin,
    scopes: o.scopes.map((s) => (s.type === 'IFRAME_EMBED' ? { type: s.type, allowedOktaApps: s.allowedOktaApps ?? [] } : { type: s.type })),
    status: o.status,
    created: isoDate(o.created),
    createdBy: o.createdBy,
    lastUpdated: isoDate(o.lastUpdated),
    lastUpdatedBy: o.lastUpdatedBy,
    _links: {
      self: { href: self, hints: { allow: ['GET', 'PUT', 'DELETE'] } },
      [lifecycle]: { href: `${self}/lifecycle/${lifecycle}`, hints: { allow: ['POST'] } },
    },
  };
}
