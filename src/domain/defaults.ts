/** What Okta ships in a new org: system scopes, the `default` server, its Default Policy and Rule. */
import { ID_PREFIX, newId } from '../crypto/ids.js';
import type { AuthServer, Policy, PolicyRule, Scope } from './model.js';

export const SYSTEM_SCOPES: { name: string; displayName: string; description: string }[] = [
  { name: 'openid', displayName: 'openid', description: 'Signals that a request is an OpenID request.' },
  { name: 'profile', displayName: 'profile', description: "Allows access to the end user's default profile claims." },
  { name: 'email', displayName: 'email', description: "Allows access to the end user's email address." },
  { name: 'address', displayName: 'address', description: "Allows access to the end user's address." },
  { name: 'phone', displayName: 'phone', description: "Allows access to the end user's phone number." },
  { name: 'offline_access', displayName: 'offline_access', description: 'Allows access to a refresh token.' },
];

export function systemScopes(authServerId: string, now: number): Scope[] {
  return SYSTEM_SCOPES.map((s) => ({
    id: newId(ID_PREFIX.scope),
    authServerId,
    name: s.name,
    displayName: s.displayName,
    description: s.description,
    consent: 'IMPLICIT',
    default: false,
    optional: false,
    metadataPublish: 'ALL_CLIENTS',
    system: true,
    created: now,
    lastUpdated: now,
  }));
}

export function defaultAuthServer(now: number): AuthServer {
  return {
    id: 'default',
    name: 'default',
    description: 'Default Authorization Server',
    audiences: ['api://default'],
    issuerMode: 'ORG_URL',
    status: 'ACTIVE',
    rotationMode: 'AUTO',
    lastRotated: now,
    created: now,
    lastUpdated: now,
  };
}

export function defaultPolicy(authServerId: string, now: number): Policy {
  return {
    id: newId(ID_PREFIX.policy),
    authServerId,
    type: 'OAUTH_AUTHORIZATION_POLICY',
    name: 'Default Policy',
    description: 'Default policy description',
    status: 'ACTIVE',
    priority: 1,
    system: false,
    conditions: { clients: { include: ['ALL_CLIENTS'] } },
    created: now,
    lastUpdated: now,
  };
}

export function defaultPolicyRule(authServerId: string, policyId: string, now: number): PolicyRule {
  return {
    id: newId(ID_PREFIX.rule),
    policyId,
    authServerId,
    type: 'RESOURCE_ACCESS',
    name: 'Default Policy Rule',
    status: 'ACTIVE',
    priority: 1,
    system: false,
    conditions: {
      people: { users: { include: [], exclude: [] }, groups: { include: ['EVERYONE'], exclude: [] } },
      grantTypes: { include: ['implicit', 'client_credentials', 'authorization_code', 'password'] },
      scopes: { include: ['*'] },
    },
    actions: { token: { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
    created: now,
    lastUpdated: now,
  };
}
