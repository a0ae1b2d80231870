/**
 * Authorization servers, keys, scopes, claims, policies and rules as Okta's management API shows
 * them (management.yaml `AuthorizationServer`, `AuthorizationServerJsonWebKey`, `OAuth2Scope`,
 * `OAuth2Claim`, `AuthorizationServerPolicy`, `AuthorizationServerPolicyRule`), `_links` and their
 * `hints.allow` included.
 */
import { isoDate } from '../../lib/time.js';
import type { AuthServer, Claim, Policy, PolicyRule, Scope, SigningKey } from '../model.js';
import { ROTATION_INTERVAL_MS } from './key-rotation.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

function link(href: string, ...allow: Method[]): { href: string; hints: { allow: Method[] } } {
  return { href, hints: { allow } };
}

export function serverHref(orgUrl: string, id: string): string {
  return `${orgUrl}/api/v1/authorizationServers/${id}`;
}

/** The issuer as the API reports it. CUSTOM_URL has no custom domain to point at, so it shows the org URL. */
export function issuerOf(orgUrl: string, server: AuthServer): string {
  return `${orgUrl}/oauth2/${server.id}`;
}

function lifecycleLink(base: string, status: 'ACTIVE' | 'INACTIVE'): Record<string, ReturnType<typeof link>> {
  return status === 'ACTIVE'
    ? { deactivate: link(`${base}/lifecycle/deactivate`, 'POST') }
    : { activate: link(`${base}/lifecycle/activate`, 'POST') };
}

/** `activeKid` is the kid of the server's ACTIVE signing key. */
export function serverJson(server: AuthServer, activeKid: string | undefined, orgUrl: string): Record<string, unknown> {
  const self = serverHref(orgUrl, server.id);
  const issuer = issuerOf(orgUrl, server);
  const auto = server.rotationMode === 'AUTO';
  return {
    id: server.id,
    name: server.name,
    description: server.description,
    audiences: server.audiences,
    issuer,
    issuerMode: server.issuerMode,
    status: server.status,
    created: isoDate(server.created),
    lastUpdated: isoDate(server.lastUpdated),
    credentials: {
      signing: {
        rotationMode: server.rotationMode,
        lastRotated: isoDate(server.lastRotated),
        ...(auto && server.lastRotated !== null ? { nextRotation: isoDate(server.lastRotated + ROTATION_INTERVAL_MS) } : {}),
        kid: activeKid,
        use: 'sig',
      },
    },
    _links: {
      scopes: link(`${self}/scopes`, 'GET'),
      claims: link(`${self}/claims`, 'GET'),
      policies: link(`${self}/policies`, 'GET'),
      self: link(self, 'GET', 'DELETE', 'PUT'),
      metadata: [
        { name: 'oauth-authorization-server', ...link(`${issuer}/.well-known/oauth-authorization-server`, 'GET') },
        { name: 'openid-configuration', ...link(`${issuer}/.well-known/openid-configuration`, 'GET') },
      ],
      rotateKey: link(`${self}/credentials/lifecycle/keyRotate`, 'POST'),
      ...lifecycleLink(self, server.status),
    },
  };
}

export function keyJson(key: SigningKey, orgUrl: string): Record<string, unknown> {
  const jwk = key.publicJwk;
  return {
    status: key.status,
    alg: key.alg,
    e: jwk.e,
    n: jwk.n,
    kid: key.kid,
    kty: 'RSA',
    use: 'sig',
    _links: { self: link(`${serverHref(orgUrl, key.authServerId)}/credentials/keys/${key.kid}`, 'GET') },
  };
}

export function scopeJson(scope: Scope, orgUrl: string): Record<string, unknown> {
  return {
    id: scope.id,
    name: scope.name,
    displayName: scope.displayName,
    description: scope.description,
    system: scope.system,
    default: scope.default,
    consent: scope.consent,
    optional: scope.optional,
    metadataPublish: scope.metadataPublish,
    _links: { self: link(`${serverHref(orgUrl, scope.authServerId)}/scopes/${scope.id}`, 'GET', 'PUT', 'DELETE') },
  };
}

export function claimJson(claim: Claim, orgUrl: string): Record<string, unknown> {
  return {
    id: claim.id,
    name: claim.name,
    status: claim.status,
    claimType: claim.claimType,
    valueType: claim.valueType,
    value: claim.value,
    conditions: { scopes: claim.conditions.scopes },
    system: claim.system,
    alwaysIncludeInToken: claim.alwaysIncludeInToken,
    ...(claim.group_filter_type ? { group_filter_type: claim.group_filter_type } : {}),
    _links: { self: link(`${serverHref(orgUrl, claim.authServerId)}/claims/${claim.id}`, 'GET', 'PUT', 'DELETE') },
  };
}

export function policyJson(policy: Policy, orgUrl: string): Record<string, unknown> {
  const self = `${serverHref(orgUrl, policy.authServerId)}/policies/${policy.id}`;
  return {
    type: policy.type,
    id: policy.id,
    status: policy.status,
    name: policy.name,
    description: policy.description,
    priority: policy.priority,
    system: policy.system,
    conditions: policy.conditions,
    created: isoDate(policy.created),
    lastUpdated: isoDate(policy.lastUpdated),
    _links: {
      self: link(self, 'GET', 'PUT', 'DELETE'),
      ...lifecycleLink(self, policy.status),
      rules: link(`${self}/rules`, 'GET'),
    },
  };
}

export function ruleJson(rule: PolicyRule, orgUrl: string): Record<string, unknown> {
  const self = `${serverHref(orgUrl, rule.authServerId)}/policies/${rule.policyId}/rules/${rule.id}`;
  return {
    type: rule.type,
    id: rule.id,
    status: rule.status,
    name: rule.name,
    priority: rule.priority,
    created: isoDate(rule.created),
    lastUpdated: isoDate(rule.lastUpdated),
    system: rule.system,
    conditions: rule.conditions,
    actions: rule.actions,
    _links: { self: link(self, 'GET', 'PUT', 'DELETE'), ...lifecycleLink(self, rule.status) },
  };
}
