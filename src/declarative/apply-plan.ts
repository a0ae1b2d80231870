/**
 * Carries out a plan through the management API, change by change in the plan's (dependency) order.
 * Unchanged resources cause no request. The first refused request stops the run with an ApplyError
 * naming the resource; what was written before it stays (a rerun picks up from there).
 */
import { ApiCallError, type ApiClient, type Json } from './api-client.js';
import {
  appBody, claimBody, groupBody, policyBody, ruleBody, scopeBody, serverBody, trustedOriginBody, type Resolver,
} from './api-bodies.js';
import { serverKey } from './keys.js';
import { appLabelOf, EVERYONE_LITERAL, NameIndex } from './names.js';
import type { Change, Plan } from './plan.js';
import type { OrgState } from './read-state.js';
import { EVERYONE } from './schema.js';

export interface CreatedApp {
  label: string;
  id: string;
  clientId: string;
  clientSecret: string | undefined;
}

export interface ApplyResult {
  created: number;
  updated: number;
  createdApps: CreatedApp[];
}

export class ApplyError extends Error {
  override name = 'ApplyError';
  constructor(readonly change: Change, override readonly cause: unknown) {
    super(`could not ${change.action === 'create' ? 'create' : 'update'} ${change.target}`);
  }
}

const enc = encodeURIComponent;

/** Ids of what exists, growing as the run creates things. */
class Registry implements Resolver {
  readonly names: NameIndex;
  private readonly servers = new Map<string, string>();
  private readonly policies = new Map<string, string>();

  constructor(state: OrgState) {
    this.names = new NameIndex(state);
    for (const s of state.servers) {
      this.servers.set(serverKey(String(s.raw.name)), String(s.raw.id));
      for (const p of s.policies) this.setPolicy(String(s.raw.name), String(p.raw.name), String(p.raw.id));
    }
  }

  private need<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`${what} does not exist in the org`);
    return value;
  }

  groupId(name: string): string {
    return this.need(this.names.groupId(name), `group "${name}"`);
  }

  ruleGroupId(name: string): string {
    return name === EVERYONE || name === EVERYONE_LITERAL ? EVERYONE_LITERAL : this.groupId(name);
  }

  userId(login: string): string {
    return this.need(this.names.userId(login), `user "${login}"`);
  }

  clientId(ref: string): string {
    const label = appLabelOf(ref);
    return label === undefined ? ref : this.app(label).clientId;
  }

  app(label: string): { id: string; clientId: string } {
    return this.need(this.names.app(label), `app "${label}"`);
  }

  serverId(name: string): string {
    return this.need(this.servers.get(serverKey(name)), `authorization server "${name}"`);
  }

  setServer(name: string, id: string): void {
    this.servers.set(serverKey(name), id);
  }

  policyId(server: string, policy: string): string {
    return this.need(this.policies.get(`${serverKey(server)}\n${policy}`), `policy "${policy}" of authorization server "${server}"`);
  }

  setPolicy(server: string, policy: string, id: string): void {
    this.policies.set(`${serverKey(server)}\n${policy}`, id);
  }
}

const statusChanged = (c: Change): string | undefined => {
  const d = c.diffs.find((x) => x.path === 'status');
  return d ? String(d.to) : undefined;
};

async function lifecycle(api: ApiClient, base: string, status: string | undefined): Promise<void> {
  if (status === 'ACTIVE') await api.send('POST', `${base}/lifecycle/activate`);
  if (status === 'INACTIVE') await api.send('POST', `${base}/lifecycle/deactivate`);
}

async function applyOne(api: ApiClient, r: Registry, c: Change, result: ApplyResult): Promise<void> {
  const cur = c.current;
  switch (c.kind) {
    case 'group': {
      const g = cur ? await api.send('PUT', `/api/v1/groups/${enc(cur.id)}`, groupBody(c.spec, cur)) : await api.send('POST', '/api/v1/groups', groupBody(c.spec));
      r.names.addGroup(g);
      return;
    }
    case 'user': {
      if (cur) {
        await api.send('POST', `/api/v1/users/${enc(cur.id)}`, { profile: c.spec.profile });
      } else {
        const body: Json = { profile: c.spec.profile, ...(c.spec.credentials ? { credentials: c.spec.credentials } : {}) };
        r.names.addUser(await api.send('POST', '/api/v1/users?activate=true', body));
      }
      return;
    }
    case 'membership':
      await api.send('PUT', `/api/v1/groups/${enc(r.groupId(c.group))}/users/${enc(r.userId(c.login))}`);
      return;
    case 'app': {
      if (cur) {
        if (c.diffs.some((d) => d.path !== 'status')) await api.send('PUT', `/api/v1/apps/${enc(cur.id)}`, appBody(c.spec, cur));
        await lifecycle(api, `/api/v1/apps/${enc(cur.id)}`, statusChanged(c));
        return;
      }
      const activate = c.spec.status !== 'INACTIVE';
      const app = await api.send('POST', `/api/v1/apps?activate=${activate}`, appBody(c.spec));
      r.names.addApp(app);
      const oc = app.credentials?.oauthClient ?? {};
      result.createdApps.push({ label: c.spec.label, id: String(app.id), clientId: String(oc.client_id ?? app.id), clientSecret: oc.client_secret });
      return;
    }
    case 'assignment': {
      const app = r.app(c.app);
      if (c.group !== undefined) await api.send('PUT', `/api/v1/apps/${enc(app.id)}/groups/${enc(r.groupId(c.group))}`, {});
      if (c.user !== undefined) await api.send('POST', `/api/v1/apps/${enc(app.id)}/users`, { id: r.userId(c.user), scope: 'USER' });
      return;
    }
    case 'authorizationServer': {
      if (cur) {
        await api.send('PUT', `/api/v1/authorizationServers/${enc(cur.id)}`, serverBody(c.spec, r, cur));
      } else {
        const s = await api.send('POST', '/api/v1/authorizationServers', serverBody(c.spec, r));
        r.setServer(c.spec.name, String(s.id));
      }
      return;
    }
    case 'scope': {
      const base = `/api/v1/authorizationServers/${enc(r.serverId(c.server))}/scopes`;
      if (cur) await api.send('PUT', `${base}/${enc(cur.id)}`, scopeBody(c.spec, cur));
      else await api.send('POST', base, scopeBody(c.spec));
      return;
    }
    case 'claim': {
      const base = `/api/v1/authorizationServers/${enc(r.serverId(c.server))}/claims`;
      if (cur) await api.send('PUT', `${base}/${enc(cur.id)}`, claimBody(c.spec, cur));
      else await api.send('POST', base, claimBody(c.spec));
      return;
    }
    case 'policy': {
      const base = `/api/v1/authorizationServers/${enc(r.serverId(c.server))}/policies`;
      if (cur) {
        await api.send('PUT', `${base}/${enc(cur.id)}`, policyBody(c.spec, r, cur));
      } else {
        const p = await api.send('POST', base, policyBody(c.spec, r));
        r.setPolicy(c.server, c.spec.name, String(p.id));
      }
      return;
    }
    case 'rule': {
      const base = `/api/v1/authorizationServers/${enc(r.serverId(c.server))}/policies/${enc(r.policyId(c.server, c.policy))}/rules`;
      if (cur) await api.send('PUT', `${base}/${enc(cur.id)}`, ruleBody(c.spec, r, cur));
      else await api.send('POST', base, ruleBody(c.spec, r));
      return;
    }
    case 'trustedOrigin': {
      if (cur) {
        const base = `/api/v1/trustedOrigins/${enc(cur.id)}`;
        if (c.diffs.some((d) => d.path !== 'status')) await api.send('PUT', base, trustedOriginBody(c.spec, cur));
        await lifecycle(api, base, statusChanged(c));
        return;
      }
      const o = await api.send('POST', '/api/v1/trustedOrigins', trustedOriginBody(c.spec));
      if (c.spec.status === 'INACTIVE') await lifecycle(api, `/api/v1/trustedOrigins/${enc(o.id)}`, 'INACTIVE');
      return;
    }
  }
}

export async function applyPlan(api: ApiClient, plan: Plan, state: OrgState): Promise<ApplyResult> {
  const registry = new Registry(state);
  const result: ApplyResult = { created: 0, updated: 0, createdApps: [] };
  for (const change of plan.changes) {
    if (change.action === 'unchanged') continue;
    try {
      await applyOne(api, registry, change, result);
    } catch (err) {
      throw new ApplyError(change, err);
    }
    if (change.action === 'create') result.created++;
    else result.updated++;
  }
  return result;
}

export function applyErrorLines(err: ApplyError): string[] {
  const cause = err.cause;
  const detail = cause instanceof ApiCallError ? cause.lines : [(cause as Error)?.message ?? String(cause)];
  return [`${err.message}:`, ...detail.map((l) => `  ${l}`)];
}
