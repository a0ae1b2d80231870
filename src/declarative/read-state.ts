/**
 * The org as its management API shows it: every group, user, app (with its direct user and group
 * assignments), authorization server (with scopes, claims, policies and their rules) and trusted
 * origin, as the raw JSON objects. Only GET requests.
 */
import type { ApiClient, Json } from './api-client.js';

export interface AppState {
  raw: Json;
  /** Ids of the groups the app is assigned to. */
  groupIds: string[];
  /** Ids of the users assigned directly (not through a group). */
  userIds: string[];
}

export interface PolicyState {
  raw: Json;
  rules: Json[];
}

export interface ServerState {
  raw: Json;
  scopes: Json[];
  claims: Json[];
  policies: PolicyState[];
}

export interface OrgState {
  groups: Json[];
  users: Json[];
  /** userId → ids of the (OKTA_GROUP) groups the user is a member of. */
  memberships: Map<string, string[]>;
  apps: AppState[];
  servers: ServerState[];
  trustedOrigins: Json[];
}

const enc = encodeURIComponent;

async function readApp(api: ApiClient, listed: Json): Promise<AppState> {
  const base = `/api/v1/apps/${enc(listed.id)}`;
  // The app itself again: unlike the list, it shows the current client secret, which a file may set.
  const [raw, groups, users] = await Promise.all([api.get(base), api.list(`${base}/groups`), api.list(`${base}/users`)]);
  return {
    raw,
    groupIds: groups.map((g) => String(g.id)),
    userIds: users.filter((u) => u.scope !== 'GROUP').map((u) => String(u.id)),
  };
}

async function readServer(api: ApiClient, raw: Json): Promise<ServerState> {
  const base = `/api/v1/authorizationServers/${enc(raw.id)}`;
  const [scopes, claims, policies] = await Promise.all([api.list(`${base}/scopes`), api.list(`${base}/claims`), api.list(`${base}/policies`)]);
  const withRules = await Promise.all(policies.map(async (p) => ({ raw: p, rules: await api.list(`${base}/policies/${enc(p.id)}/rules`) })));
  const byPriority = <T extends { priority?: unknown }>(a: T, b: T) => Number(a.priority ?? 0) - Number(b.priority ?? 0);
  for (const p of withRules) p.rules.sort(byPriority);
  withRules.sort((a, b) => byPriority(a.raw, b.raw));
  return { raw, scopes, claims, policies: withRules };
}

export async function readState(api: ApiClient): Promise<OrgState> {
  const [groups, users, appsRaw, serversRaw, trustedOrigins] = await Promise.all([
    api.list('/api/v1/groups'),
    api.list('/api/v1/users'),
    api.list('/api/v1/apps'),
    api.list('/api/v1/authorizationServers'),
    api.list('/api/v1/trustedOrigins'),
  ]);
  const memberships = new Map<string, string[]>();
  await Promise.all(groups.filter((g) => g.type === 'OKTA_GROUP').map(async (g) => {
    for (const u of await api.list(`/api/v1/groups/${enc(g.id)}/users`)) {
      const list = memberships.get(u.id) ?? [];
      list.push(String(g.id));
      memberships.set(String(u.id), list);
    }
  }));
  const [apps, servers] = await Promise.all([
    Promise.all(appsRaw.filter((a) => a.signOnMode === 'OPENID_CONNECT').map((a) => readApp(api, a))),
    Promise.all(serversRaw.map((s) => readServer(api, s))),
  ]);
  return { groups, users, memberships, apps, servers, trustedOrigins };
}
