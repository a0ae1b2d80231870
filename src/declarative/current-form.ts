/**
 * The org's objects in the file's form: Okta's fields without ids, timestamps and links, and with
 * references by name. plan.ts compares a file against these; export.ts writes them (minus defaults).
 * Children (a server's scopes, claims and policies, a policy's rules, an app's assignments, a user's
 * groups) are converted by their own functions.
 */
import type { Json } from './api-client.js';
import type { NameIndex } from './names.js';

const sortNames = (names: string[]): string[] => [...names].sort((a, b) => a.localeCompare(b));

export function groupForm(raw: Json): Json {
  return { profile: { name: raw.profile?.name, description: raw.profile?.description ?? null } };
}

export function userForm(raw: Json): Json {
  return { profile: { ...(raw.profile ?? {}) } };
}

export function userGroupsForm(groupIds: string[], names: NameIndex): string[] {
  return sortNames(groupIds.map((id) => names.groupName(id)));
}

export function appForm(raw: Json): Json {
  const oc = raw.credentials?.oauthClient ?? {};
  const credentials: Json = {
    userNameTemplate: raw.credentials?.userNameTemplate,
    oauthClient: {
      client_id: oc.client_id,
      token_endpoint_auth_method: oc.token_endpoint_auth_method,
      pkce_required: oc.pkce_required,
      autoKeyRotation: oc.autoKeyRotation,
      ...(oc.client_secret !== undefined ? { client_secret: oc.client_secret } : {}),
    },
  };
  return {
    label: raw.label,
    name: raw.name,
    signOnMode: raw.signOnMode,
    status: raw.status,
    accessibility: raw.accessibility,
    visibility: raw.visibility,
    ...(raw.profile !== undefined ? { profile: raw.profile } : {}),
    credentials,
    settings: withoutKeyMetadata(raw.settings),
  };
}

/**
 * The app's settings with its JSON Web Keys as a file gives them: the org's key ids and timestamps
 * are left out (another org gives the same key other ones), the key and its status stay.
 */
function withoutKeyMetadata(settings: Json): Json {
  const keys = settings?.oauthClient?.jwks?.keys;
  if (!Array.isArray(keys)) return settings;
  const bare = keys.map(({ id: _id, created: _created, lastUpdated: _lastUpdated, ...key }: Json) => key);
  return { ...settings, oauthClient: { ...settings.oauthClient, jwks: { ...settings.oauthClient.jwks, keys: bare } } };
}

export function appAssignmentsForm(groupIds: string[], userIds: string[], names: NameIndex): { groups: string[]; users: string[] } {
  return { groups: sortNames(groupIds.map((id) => names.groupName(id))), users: sortNames(userIds.map((id) => names.login(id))) };
}

export function serverForm(raw: Json, names: NameIndex): Json {
  return {
    name: raw.name,
    description: raw.description ?? null,
    audiences: (raw.audiences ?? []).map((a: string) => names.clientRef(a)),
    issuerMode: raw.issuerMode,
    status: raw.status,
    credentials: { signing: { rotationMode: raw.credentials?.signing?.rotationMode } },
  };
}

export function scopeForm(raw: Json): Json {
  return {
    name: raw.name,
    displayName: raw.displayName ?? null,
    description: raw.description ?? null,
    consent: raw.consent,
    default: raw.default,
    optional: raw.optional,
    metadataPublish: raw.metadataPublish,
  };
}

export function claimForm(raw: Json): Json {
  return {
    name: raw.name,
    claimType: raw.claimType,
    valueType: raw.valueType,
    value: raw.value,
    ...(raw.group_filter_type ? { group_filter_type: raw.group_filter_type } : {}),
    conditions: { scopes: raw.conditions?.scopes ?? [] },
    alwaysIncludeInToken: raw.alwaysIncludeInToken,
    status: raw.status,
  };
}

export function policyForm(raw: Json, names: NameIndex): Json {
  return {
    name: raw.name,
    type: raw.type,
    description: raw.description ?? null,
    priority: raw.priority,
    status: raw.status,
    conditions: { clients: { include: (raw.conditions?.clients?.include ?? []).map((c: string) => names.clientRef(c)) } },
  };
}

export function ruleForm(raw: Json, names: NameIndex): Json {
  const people = raw.conditions?.people ?? {};
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  return {
    name: raw.name,
    type: raw.type,
    priority: raw.priority,
    status: raw.status,
    conditions: {
      people: {
        users: { include: list(people.users?.include).map((id) => names.login(id)), exclude: list(people.users?.exclude).map((id) => names.login(id)) },
        groups: {
          include: list(people.groups?.include).map((id) => names.groupName(id)),
          exclude: list(people.groups?.exclude).map((id) => names.groupName(id)),
        },
      },
      grantTypes: { include: list(raw.conditions?.grantTypes?.include) },
      scopes: { include: list(raw.conditions?.scopes?.include) },
    },
    actions: { token: { ...(raw.actions?.token ?? {}) } },
  };
}

export function trustedOriginForm(raw: Json): Json {
  return {
    origin: raw.origin,
    name: raw.name,
    scopes: (raw.scopes ?? []).map((s: Json) => (s.type === 'IFRAME_EMBED' ? { type: s.type, allowedOktaApps: s.allowedOktaApps ?? [] } : { type: s.type })),
    status: raw.status,
  };
}
