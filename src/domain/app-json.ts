/** Applications, their assignments and client secrets as Okta's management API shows them. */
import { isoDate } from '../lib/time.js';
import type { App, AppGroupAssignment, AppSecret, AppUserAssignment } from './model.js';

/** `clientSecret` is the plaintext of the app's current secret, when its auth method uses one. */
export function appJson(app: App, orgUrl: string, clientSecret: string | undefined): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/apps/${app.id}`;
  const { credentials, ...body } = app.body;
  const lifecycle = app.status === 'ACTIVE' ? 'deactivate' : 'activate';
  return {
    id: app.id,
    name: body.name,
    label: body.label,
    status: app.status,
    created: isoDate(app.created),
    lastUpdated: isoDate(app.lastUpdated),
    signOnMode: body.signOnMode,
    features: body.features,
    accessibility: body.accessibility,
    visibility: body.visibility,
    credentials: {
      ...credentials,
      oauthClient: {
        ...credentials.oauthClient,
        ...(clientSecret !== undefined ? { client_secret: clientSecret } : {}),
      },
    },
    settings: body.settings,
    ...(body.profile !== undefined ? { profile: body.profile } : {}),
    _links: {
      self: { href: self },
      users: { href: `${self}/users` },
      groups: { href: `${self}/groups` },
      [lifecycle]: { href: `${self}/lifecycle/${lifecycle}` },
    },
  };
}

export function appUserJson(a: AppUserAssignment, orgUrl: string): Record<string, unknown> {
  const credentials = (a.body.credentials ?? {}) as Record<string, unknown>;
  return {
    id: a.userId,
    scope: a.scope,
    status: 'ACTIVE',
    created: isoDate(a.created),
    lastUpdated: isoDate(a.lastUpdated),
    statusChanged: isoDate(a.created),
    passwordChanged: null,
    syncState: 'DISABLED',
    credentials,
    profile: a.body.profile ?? {},
    _links: {
      app: { href: `${orgUrl}/api/v1/apps/${a.appId}` },
      user: { href: `${orgUrl}/api/v1/users/${a.userId}` },
    },
  };
}

export function appGroupJson(a: AppGroupAssignment, orgUrl: string): Record<string, unknown> {
  return {
    id: a.groupId,
    priority: a.priority,
    profile: a.body.profile ?? {},
    lastUpdated: isoDate(a.lastUpdated),
    _links: {
      self: { href: `${orgUrl}/api/v1/apps/${a.appId}/groups/${a.groupId}` },
      app: { href: `${orgUrl}/api/v1/apps/${a.appId}` },
      group: { href: `${orgUrl}/api/v1/groups/${a.groupId}` },
    },
  };
}

export function appSecretJson(s: AppSecret, orgUrl: string, plaintext: string): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/apps/${s.appId}/credentials/secrets/${s.id}`;
  const lifecycle = s.status === 'ACTIVE' ? 'deactivate' : 'activate';
  return {
    id: s.id,
    status: s.status,
    client_secret: plaintext,
    // Okta shows a short hash to tell secrets apart; the full verifier stays internal.
    secret_hash: s.secretHash.slice(0, 22),
    created: isoDate(s.created),
    lastUpdated: isoDate(s.lastUpdated),
    _links: {
      [lifecycle]: { href: `${self}/lifecycle/${lifecycle}`, hints: { allow: ['POST'] } },
      ...(s.status === 'INACTIVE' ? { delete: { href: self, hints: { allow: ['DELETE'] } } } : {}),
    },
  };
}
