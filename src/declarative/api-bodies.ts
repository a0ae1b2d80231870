/**
 * File entries as management-API request bodies: names resolved to ids, Okta's fixed values filled
 * in. An update is the org's current object with the file's fields laid over it (PUT replaces the
 * whole object, so fields the file leaves out must be sent back as they are).
 */
import type { Json } from './api-client.js';
import type {
  AppSpec, AuthorizationServerSpec, ClaimSpec, GroupSpec, PolicySpec, RuleSpec, ScopeSpec, TrustedOriginSpec,
} from './schema.js';

/** Name → id lookups; each throws when the name is unknown (the plan checked it exists by now). */
export interface Resolver {
  groupId(name: string): string;
  /** A rule's group: Everyone is Okta's literal EVERYONE there. */
  ruleGroupId(name: string): string;
  userId(login: string): string;
  /** `app:LABEL` → that app's client id; ALL_CLIENTS and literal client ids unchanged. */
  clientId(ref: string): string;
}

const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `overlay` laid over `base`: objects merged field by field, anything else (lists too) replaced. */
export function deepMerge(base: unknown, overlay: unknown): unknown {
  if (overlay === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(overlay)) return overlay;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(overlay)) out[k] = deepMerge(base[k], v);
  return out;
}

/** The read-only parts of an API object, which a PUT does not take. */
function writable(current: Json | undefined): Json {
  if (!current) return {};
  const { id: _id, created: _c, lastUpdated: _u, _links: _l, _embedded: _e, ...rest } = current;
  return rest;
}

function merged(current: Json | undefined, body: Json): Json {
  return deepMerge(writable(current), body) as Json;
}

export function groupBody(spec: GroupSpec, current?: Json): Json {
  return merged(current ? { profile: current.profile } : undefined, { profile: spec.profile });
}

export function appBody(spec: AppSpec, current?: Json): Json {
  const { assignments: _a, status: _s, ...fields } = spec;
  if (!current) return { name: 'oidc_client', signOnMode: 'OPENID_CONNECT', ...fields };
  const { status: _status, ...base } = writable(current);
  // The org shows the current secret; sending it back is pointless, and a file's own secret replaces it.
  const oauthClient = { ...(base.credentials?.oauthClient ?? {}) };
  delete oauthClient.client_secret;
  return deepMerge({ ...base, credentials: { ...(base.credentials ?? {}), oauthClient } }, fields) as Json;
}

export function serverBody(spec: AuthorizationServerSpec, r: Resolver, current?: Json): Json {
  const { scopes: _s, claims: _c, policies: _p, ...fields } = spec;
  const body: Json = { ...fields };
  if (spec.audiences) body.audiences = spec.audiences.map((a) => r.clientId(a));
  return merged(current, body);
}

export function scopeBody(spec: ScopeSpec, current?: Json): Json {
  return merged(current, spec);
}

export function claimBody(spec: ClaimSpec, current?: Json): Json {
  return merged(current, spec);
}

export function policyBody(spec: PolicySpec, r: Resolver, current?: Json): Json {
  const { rules: _r, ...fields } = spec;
  const body: Json = {
    type: 'OAUTH_AUTHORIZATION_POLICY',
    ...fields,
    conditions: { clients: { include: spec.conditions.clients.include.map((c) => r.clientId(c)) } },
  };
  return merged(current, body);
}

export function ruleBody(spec: RuleSpec, r: Resolver, current?: Json): Json {
  const people = spec.conditions.people;
  const resolved: Json = {};
  if (people?.users) {
    resolved.users = {
      ...(people.users.include ? { include: people.users.include.map((u) => r.userId(u)) } : {}),
      ...(people.users.exclude ? { exclude: people.users.exclude.map((u) => r.userId(u)) } : {}),
    };
  }
  if (people?.groups) {
    resolved.groups = {
      ...(people.groups.include ? { include: people.groups.include.map((g) => r.ruleGroupId(g)) } : {}),
      ...(people.groups.exclude ? { exclude: people.groups.exclude.map((g) => r.ruleGroupId(g)) } : {}),
    };
  }
  const body: Json = { type: 'RESOURCE_ACCESS', ...spec, conditions: { ...spec.conditions, ...(people ? { people: resolved } : {}) } };
  return merged(current, body);
}

export function trustedOriginBody(spec: TrustedOriginSpec, current?: Json): Json {
  const base = current ? { name: current.name, origin: current.origin, scopes: current.scopes } : { name: spec.name ?? spec.origin };
  return deepMerge(base, { name: spec.name, origin: spec.origin, scopes: spec.scopes }) as Json;
}
