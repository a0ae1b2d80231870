/**
 * The System Log of the management API: every write an administrator makes through /api/v1 becomes
 * one Okta event, derived from the route, the method and the response status. No service knows
 * about it: the table below maps each write route to its event type and its targets, and the hooks
 * do the rest.
 *
 * - The hooks are attached, through `onRoute`, to the routes of the table only: nothing runs on any
 *   other request (the protocol endpoints above all).
 * - Targets are named by the path parameters (by position, so a route module's parameter names do
 *   not matter), by the response (the id of what a POST created) or by the request body. Their
 *   names (login, label, display name) are looked up once the response has been sent
 *   (recordEventLater), so nothing waits for them; for a DELETE they are read before the handler runs,
 *   without waiting either, as nothing would be left to read afterwards.
 * - actor: the API token's user (type User); outcome: SUCCESS for 2xx, otherwise FAILURE with Okta's
 *   errorSummary as the reason and the errorCode in debugData; client IP and user agent from the
 *   request (request.ip honours GATEHOUSE_TRUST_PROXY).
 * - A request without an authenticated administrator (401) is not logged here.
 *
 * Routes that log in their own service stay out of the table: trusted origins and consent grants
 * (trusted-origins-service.ts, grants-service.ts). A route listed here that does not exist yet (token
 * and session revocation by an administrator) is audited as soon as it is registered.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { LogTarget } from '../../audit/log-event.js';
import {
  appTarget, groupTarget, recordEventLater, userActor, userTarget, type LogEventInput,
} from '../../audit/system-log.js';
import type { Container } from '../../container.js';
import type { User } from '../../domain/model.js';
import { apiPrincipal } from './api-auth.js';

type Json = Record<string, unknown>;
type Kind = 'user' | 'group' | 'app' | 'client' | 'secret' | 'server' | 'scope' | 'claim' | 'policy' | 'rule';

/** A target as the request names it; `server`, `policy` and `app` locate sub-resources. */
interface Ref { kind: Kind; id: string; server?: string; policy?: string; app?: string }

/** What the hooks know of one write. */
interface Change {
  /** Path parameters, in the order they appear in the route. */
  p: string[];
  body: Json;
  /** The parsed JSON response ({} when there is none). */
  payload: Json;
  ok: boolean;
}

interface Entry {
  event: string;
  targets: (x: Change) => (Ref | undefined)[];
  /** Another event type, once the targets' state after the change is known (DELETE /users/{id}). */
  eventAfter?: (after: (LogTarget | undefined)[]) => string | undefined;
  /** A second event for a successful change (a password set along with a profile update…). */
  also?: (x: Change) => string | undefined;
  debug?: (x: Change) => Json | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const ref = (kind: Kind, id: string | undefined, loc: Omit<Ref, 'kind' | 'id'> = {}): Ref | undefined =>
  id === undefined ? undefined : { kind, id, ...loc };
/** The id of the object a POST created. */
const created = (x: Change): string | undefined => str(x.payload.id);

// ---------------------------------------------------------------------------------------------
// The audited routes, relative to /api/v1, path parameters written `:`.

const TABLE = new Map<string, Entry>();
function on(method: string, path: string, entry: Entry): void {
  TABLE.set(`${method} ${path}`, entry);
}

// Users
on('POST', '/users', {
  event: 'user.lifecycle.create',
  targets: (x) => [ref('user', created(x))],
  also: (x) => (x.payload.status !== undefined && x.payload.status !== 'STAGED' ? 'user.lifecycle.activate' : undefined),
});
for (const method of ['POST', 'PUT']) {
  on(method, '/users/:', {
    event: 'user.account.update_profile',
    targets: (x) => [ref('user', x.p[0])],
    also: (x) => (str(obj(obj(obj(x.body).credentials).password).value) ? 'user.account.update_password' : undefined),
  });
}
on('DELETE', '/users/:', {
  event: 'user.lifecycle.delete.initiated',
  targets: (x) => [ref('user', x.p[0])],
  // The first DELETE of a user who is not yet DEPROVISIONED only deactivates them.
  eventAfter: ([user]) => (user ? 'user.lifecycle.deactivate' : undefined),
});
const USER_OPERATIONS: Record<string, string> = {
  activate: 'user.lifecycle.activate', reactivate: 'user.lifecycle.reactivate', deactivate: 'user.lifecycle.deactivate',
  suspend: 'user.lifecycle.suspend', unsuspend: 'user.lifecycle.unsuspend', unlock: 'user.lifecycle.unlock',
  expire_password: 'user.account.expire_password', reset_password: 'user.account.reset_password',
};
for (const [op, event] of Object.entries(USER_OPERATIONS)) {
  on('POST', `/users/:/lifecycle/${op}`, { event, targets: (x) => [ref('user', x.p[0])] });
}
on('POST', '/users/:/credentials/change_password', { event: 'user.account.update_password', targets: (x) => [ref('user', x.p[0])] });
on('DELETE', '/users/:/sessions', { event: 'user.session.clear', targets: (x) => [ref('user', x.p[0])] });

// Groups and memberships
on('POST', '/groups', { event: 'group.lifecycle.create', targets: (x) => [ref('group', created(x))] });
on('PUT', '/groups/:', { event: 'group.profile.update', targets: (x) => [ref('group', x.p[0])] });
on('DELETE', '/groups/:', { event: 'group.lifecycle.delete', targets: (x) => [ref('group', x.p[0])] });
on('PUT', '/groups/:/users/:', { event: 'group.user_membership.add', targets: (x) => [ref('user', x.p[1]), ref('group', x.p[0])] });
on('DELETE', '/groups/:/users/:', { event: 'group.user_membership.remove', targets: (x) => [ref('user', x.p[1]), ref('group', x.p[0])] });

// Applications, assignments and client secrets
on('POST', '/apps', { event: 'application.lifecycle.create', targets: (x) => [ref('app', created(x))] });
on('PUT', '/apps/:', { event: 'application.lifecycle.update', targets: (x) => [ref('app', x.p[0])] });
on('DELETE', '/apps/:', { event: 'application.lifecycle.delete', targets: (x) => [ref('app', x.p[0])] });
for (const op of ['activate', 'deactivate']) {
  on('POST', `/apps/:/lifecycle/${op}`, { event: `application.lifecycle.${op}`, targets: (x) => [ref('app', x.p[0])] });
}
on('POST', '/apps/:/users', {
  event: 'application.user_membership.add',
  targets: (x) => [ref('user', str(x.payload.id) ?? str(x.body.id)), ref('app', x.p[0])],
});
on('POST', '/apps/:/users/:', { event: 'application.user_membership.update', targets: (x) => [ref('user', x.p[1]), ref('app', x.p[0])] });
on('DELETE', '/apps/:/users/:', { event: 'application.user_membership.remove', targets: (x) => [ref('user', x.p[1]), ref('app', x.p[0])] });
on('PUT', '/apps/:/groups/:', { event: 'group.application_assignment.add', targets: (x) => [ref('group', x.p[1]), ref('app', x.p[0])] });
on('DELETE', '/apps/:/groups/:', { event: 'group.application_assignment.remove', targets: (x) => [ref('group', x.p[1]), ref('app', x.p[0])] });
const secrets = '/apps/:/credentials/secrets';
const secret = (x: Change, id: string | undefined) => [ref('secret', id, { app: x.p[0] }), ref('app', x.p[0])];
on('POST', secrets, { event: 'app.oauth2.client.lifecycle.secret_create', targets: (x) => secret(x, created(x)) });
on('DELETE', `${secrets}/:`, { event: 'app.oauth2.client.lifecycle.secret_delete', targets: (x) => secret(x, x.p[1]) });
for (const op of ['activate', 'deactivate']) {
  on('POST', `${secrets}/:/lifecycle/${op}`, { event: `app.oauth2.client.lifecycle.secret_${op}`, targets: (x) => secret(x, x.p[1]) });
}

// Authorization servers, their keys, scopes, claims, policies and rules
const as = '/authorizationServers';
const server = (x: Change) => ref('server', x.p[0]);
on('POST', as, { event: 'oauth2.as.created', targets: (x) => [ref('server', created(x))] });
on('PUT', `${as}/:`, { event: 'oauth2.as.updated', targets: (x) => [server(x)] });
on('DELETE', `${as}/:`, { event: 'oauth2.as.deleted', targets: (x) => [server(x)] });
on('POST', `${as}/:/lifecycle/activate`, { event: 'oauth2.as.activated', targets: (x) => [server(x)] });
on('POST', `${as}/:/lifecycle/deactivate`, { event: 'oauth2.as.deactivated', targets: (x) => [server(x)] });
on('POST', `${as}/:/credentials/lifecycle/keyRotate`, {
  event: 'app.oauth2.as.key.rollover',
  targets: (x) => [server(x)],
  debug: (x) => (Array.isArray(x.payload.keys) ? { keys: x.payload.keys.map((k) => ({ kid: obj(k).kid, status: obj(k).status })) } : undefined),
});
for (const [kind, path] of [['scope', 'scopes'], ['claim', 'claims']] as const) {
  const sub = (x: Change, id: string | undefined) => [ref(kind, id, { server: x.p[0] }), server(x)];
  on('POST', `${as}/:/${path}`, { event: `oauth2.${kind}.created`, targets: (x) => sub(x, created(x)) });
  on('PUT', `${as}/:/${path}/:`, { event: `oauth2.${kind}.updated`, targets: (x) => sub(x, x.p[1]) });
  on('DELETE', `${as}/:/${path}/:`, { event: `oauth2.${kind}.deleted`, targets: (x) => sub(x, x.p[1]) });
}
const policy = (x: Change, id = x.p[1]) => [ref('policy', id, { server: x.p[0] }), server(x)];
on('POST', `${as}/:/policies`, { event: 'policy.lifecycle.create', targets: (x) => policy(x, created(x)) });
on('PUT', `${as}/:/policies/:`, { event: 'policy.lifecycle.update', targets: (x) => policy(x) });
on('DELETE', `${as}/:/policies/:`, { event: 'policy.lifecycle.delete', targets: (x) => policy(x) });
const rule = (x: Change, id = x.p[2]) => [ref('rule', id, { server: x.p[0], policy: x.p[1] }), ...policy(x)];
on('POST', `${as}/:/policies/:/rules`, { event: 'policy.rule.add', targets: (x) => rule(x, created(x)) });
on('PUT', `${as}/:/policies/:/rules/:`, { event: 'policy.rule.update', targets: (x) => rule(x) });
on('DELETE', `${as}/:/policies/:/rules/:`, { event: 'policy.rule.delete', targets: (x) => rule(x) });
for (const op of ['activate', 'deactivate']) {
  on('POST', `${as}/:/policies/:/lifecycle/${op}`, { event: `policy.lifecycle.${op}`, targets: (x) => policy(x) });
  on('POST', `${as}/:/policies/:/rules/:/lifecycle/${op}`, { event: `policy.rule.${op}`, targets: (x) => rule(x) });
}
on('DELETE', `${as}/:/clients/:/tokens`, { event: 'app.oauth2.as.token.revoke', targets: (x) => [ref('client', x.p[1]), server(x)] });
on('DELETE', `${as}/:/clients/:/tokens/:`, { event: 'app.oauth2.as.token.revoke', targets: (x) => [ref('client', x.p[1]), server(x)] });

// Refresh tokens (Okta's user and app token APIs)
on('DELETE', '/users/:/clients/:/tokens', { event: 'app.oauth2.as.token.revoke', targets: (x) => [ref('user', x.p[0]), ref('client', x.p[1])] });
on('DELETE', '/users/:/clients/:/tokens/:', { event: 'app.oauth2.as.token.revoke', targets: (x) => [ref('user', x.p[0]), ref('client', x.p[1])] });
on('DELETE', '/apps/:/tokens', { event: 'app.oauth2.as.token.revoke', targets: (x) => [ref('app', x.p[0])] });
on('DELETE', '/apps/:/tokens/:', { event: 'app.oauth2.as.token.revoke', targets: (x) => [ref('app', x.p[0])] });

// ---------------------------------------------------------------------------------------------
// Target names

type Deps = Pick<Container, 'store' | 'clock' | 'log'>;

const TYPES: Record<Kind, string> = {
  user: 'User', group: 'UserGroup', app: 'AppInstance', client: 'AppInstance', secret: 'ClientSecret',
  server: 'AuthorizationServer', scope: 'OAuth2Scope', claim: 'OAuth2Claim', policy: 'PolicyEntity', rule: 'PolicyRule',
};

function named(id: string, type: string, name: string, detailEntry: Json | null = null): LogTarget {
  return { id, type, alternateId: name, displayName: name, detailEntry };
}

/** The target as it is now; undefined when it does not exist (or cannot be read). */
async function describe(c: Deps, r: Ref, admin: User): Promise<LogTarget | undefined> {
  const { store } = c;
  const s = r.server ?? '';
  switch (r.kind) {
    case 'user': {
      if (r.id === 'me') return userTarget(admin);
      const user = (await store.users.get(r.id)) ?? (await store.users.getByLogin(r.id));
      return user && userTarget(user);
    }
    case 'group': {
      const group = await store.groups.get(r.id);
      return group && groupTarget(group);
    }
    case 'app': {
      const app = await store.apps.get(r.id);
      return app && appTarget(app);
    }
    case 'client': {
      const app = await store.apps.getByClientId(r.id);
      return app && appTarget(app);
    }
    case 'secret': {
      const found = await store.apps.getSecret(r.app ?? '', r.id);
      return found && { id: found.id, type: TYPES.secret, alternateId: null, displayName: null, detailEntry: { status: found.status } };
    }
    case 'server': {
      const found = await store.authServers.get(r.id);
      return found && named(found.id, TYPES.server, found.name);
    }
    case 'scope': {
      const found = await store.authServers.getScope(s, r.id);
      return found && { ...named(found.id, TYPES.scope, found.name), displayName: found.displayName ?? found.name };
    }
    case 'claim': {
      const found = await store.authServers.getClaim(s, r.id);
      return found && named(found.id, TYPES.claim, found.name, { claimType: found.claimType });
    }
    case 'policy': {
      const found = await store.authServers.getPolicy(s, r.id);
      return found && named(found.id, TYPES.policy, found.name, { policyType: found.type });
    }
    case 'rule': {
      const found = await store.authServers.getRule(s, r.policy ?? '', r.id);
      return found && named(found.id, TYPES.rule, found.name, { policyRuleType: found.type });
    }
  }
}

/** Every target described; a failed lookup only loses the names. Never rejects. */
function describeAll(c: Deps, refs: (Ref | undefined)[], admin: User): Promise<(LogTarget | undefined)[]> {
  return Promise.all(refs.map(async (r) => {
    if (!r) return undefined;
    try {
      return await describe(c, r, admin);
    } catch (err) {
      c.log.warn({ err, target: r }, 'system log: cannot describe target');
      return undefined;
    }
  }));
}

// ---------------------------------------------------------------------------------------------
// Hooks

const API_PREFIX = '/api/v1';

/** Path and parameter names of a route URL: `/api/v1/users/:id/groups` → ['/users/:/groups', ['id']]. */
function normalise(url: string): [string, string[]] {
  const names: string[] = [];
  const path = url.slice(API_PREFIX.length).replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    names.push(name);
    return ':';
  });
  return [path, names];
}

function parsePayload(payload: unknown): Json {
  if (typeof payload !== 'string' || payload === '' || (payload[0] !== '{' && payload[0] !== '[')) return {};
  try {
    const parsed = JSON.parse(payload) as unknown;
    return Array.isArray(parsed) ? { keys: parsed } : obj(parsed);
  } catch {
    return {};
  }
}

function principal(request: FastifyRequest): User | undefined {
  try {
    return apiPrincipal(request);
  } catch {
    return undefined;
  }
}

interface Pending { before: Promise<(LogTarget | undefined)[]> }

async function buildEvents(
  c: Deps, entry: Entry, x: Change, admin: User, request: FastifyRequest, before: Pending | undefined,
): Promise<LogEventInput[]> {
  const refs = entry.targets(x);
  const [after, earlier] = await Promise.all([describeAll(c, refs, admin), before?.before]);
  const targets = refs.flatMap((r, i) => (r ? [after[i] ?? earlier?.[i] ?? { id: r.id, type: TYPES[r.kind] }] : []));
  const debugData: Json = { ...entry.debug?.(x) };
  if (!x.ok && str(x.payload.errorCode)) {
    debugData.errorCode = x.payload.errorCode;
    if (Array.isArray(x.payload.errorCauses) && x.payload.errorCauses.length > 0) debugData.errorCauses = x.payload.errorCauses;
  }
  const base = {
    actor: userActor(admin),
    target: targets,
    outcome: x.ok ? { result: 'SUCCESS' as const } : { result: 'FAILURE' as const, reason: str(x.payload.errorSummary) ?? null },
    request,
    debugData,
  };
  const eventType = (x.ok ? entry.eventAfter?.(after) : undefined) ?? entry.event;
  const also = x.ok ? entry.also?.(x) : undefined;
  return [{ ...base, eventType }, ...(also ? [{ ...base, eventType: also }] : [])];
}

/** Attaches the audit hooks to the management routes of the table; call before the routes are registered. */
export function registerAdminAudit(app: FastifyInstance, c: Deps): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith(`${API_PREFIX}/`)) return;
    const [path, names] = normalise(route.url);
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((m) => m.toUpperCase());
    const entries = new Map(methods.flatMap((m) => {
      const entry = TABLE.get(`${m} ${path}`);
      return entry ? [[m, entry] as const] : [];
    }));
    if (entries.size === 0) return;

    const pending = new WeakMap<FastifyRequest, Pending>();
    const change = (request: FastifyRequest, payload: Json, ok: boolean): Change => {
      const params = obj(request.params);
      return { p: names.map((n) => String(params[n] ?? '')), body: obj(request.body), payload, ok };
    };

    const preHandler = async (request: FastifyRequest): Promise<void> => {
      const entry = entries.get(request.method);
      const admin = principal(request);
      if (!entry || !admin || request.method !== 'DELETE') return;
      // Read now, not awaited: after the handler there would be nothing left to name.
      pending.set(request, { before: describeAll(c, entry.targets(change(request, {}, true)), admin) });
    };
    const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
      const entry = entries.get(request.method);
      const admin = principal(request);
      if (!entry || !admin) return payload;
      const ok = reply.statusCode >= 200 && reply.statusCode < 300;
      const x = change(request, parsePayload(payload), ok);
      const before = pending.get(request);
      recordEventLater(c, () => buildEvents(c, entry, x, admin, request, before));
      return payload;
    };

    route.preHandler = [...hookList(route.preHandler), preHandler];
    route.onSend = [...hookList(route.onSend), onSend];
  });
}

function hookList<T>(hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
}
