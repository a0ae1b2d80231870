/**
 * The plan: for every resource a file names, whether apply creates it, updates it (and which fields)
 * or leaves it unchanged, in dependency order — groups, users, memberships, apps, assignments,
 * authorization servers, scopes, claims, policies, rules, trusted origins. Nothing the file does not
 * mention appears: apply never deletes.
 */
import type { Json } from './api-client.js';
import {
  appAssignmentsForm, appForm, claimForm, groupForm, policyForm, ruleForm, scopeForm, serverForm, trustedOriginForm, userForm,
  userGroupsForm,
} from './current-form.js';
import { subsetDiff, type FieldDiff } from './diff.js';
import { UnresolvedReferenceError } from './errors.js';
import { claimKey, originKey, policyKey, ruleKey, scopeKey, serverKey, userKey } from './keys.js';
import { NameIndex } from './names.js';
import type { OrgState, PolicyState, ServerState } from './read-state.js';
import { checkReferences } from './references.js';
import type {
  AppSpec, AuthorizationServerSpec, ClaimSpec, GatehouseFile, GroupSpec, PolicySpec, RuleSpec, ScopeSpec, TrustedOriginSpec, UserSpec,
} from './schema.js';

export type Action = 'create' | 'update' | 'unchanged';

interface Base {
  action: Action;
  /** How the plan names the resource: `app OpenMetadata`, `scope openmetadata in authorizationServer openmetadata` … */
  target: string;
  diffs: FieldDiff[];
  /** The org's object when it exists. */
  current?: Json | undefined;
}

export type Change = Base & (
  | { kind: 'group'; spec: GroupSpec }
  | { kind: 'user'; spec: UserSpec }
  | { kind: 'membership'; login: string; group: string }
  | { kind: 'app'; spec: AppSpec }
  | { kind: 'assignment'; app: string; group?: string; user?: string }
  | { kind: 'authorizationServer'; spec: AuthorizationServerSpec }
  | { kind: 'scope'; server: string; spec: ScopeSpec }
  | { kind: 'claim'; server: string; spec: ClaimSpec }
  | { kind: 'policy'; server: string; spec: PolicySpec }
  | { kind: 'rule'; server: string; policy: string; spec: RuleSpec }
  | { kind: 'trustedOrigin'; spec: TrustedOriginSpec }
);

export type Kind = Change['kind'];

export interface Plan {
  changes: Change[];
}

const q = (name: string): string => (/[\s"]/.test(name) || name === '' ? JSON.stringify(name) : name);

function compare(desired: unknown, current: Json | undefined, currentForm: () => Json): { action: Action; diffs: FieldDiff[] } {
  if (!current) return { action: 'create', diffs: [] };
  const diffs = subsetDiff(desired, currentForm());
  return { action: diffs.length > 0 ? 'update' : 'unchanged', diffs };
}

/** Policies and rules in the order apply writes them: by the priority the file gives, then file order. */
function byPriority<T extends { priority?: number | undefined }>(items: T[]): T[] {
  return items.map((item, i) => ({ item, i }))
    .sort((a, b) => (a.item.priority ?? Infinity) - (b.item.priority ?? Infinity) || a.i - b.i)
    .map((x) => x.item);
}

function planServerChildren(server: AuthorizationServerSpec, current: ServerState | undefined, names: NameIndex, out: Change[]): void {
  const of = `in authorizationServer ${q(server.name)}`;
  for (const spec of server.scopes ?? []) {
    const cur = current?.scopes.find((s) => scopeKey(s as { name: string }) === scopeKey(spec));
    out.push({ kind: 'scope', server: server.name, spec, target: `scope ${q(spec.name)} ${of}`, current: cur, ...compare(spec, cur, () => scopeForm(cur!)) });
  }
  for (const spec of server.claims ?? []) {
    const cur = current?.claims.find((c) => claimKey(c as { name: string; claimType: string }) === claimKey(spec));
    out.push({ kind: 'claim', server: server.name, spec, target: `claim ${q(claimKey(spec))} ${of}`, current: cur, ...compare(spec, cur, () => claimForm(cur!)) });
  }
  const policies: { spec: PolicySpec; cur: PolicyState | undefined }[] = byPriority(server.policies ?? []).map((spec) => ({
    spec, cur: current?.policies.find((p) => policyKey(p.raw as { name: string }) === policyKey(spec)),
  }));
  for (const { spec, cur } of policies) {
    const { rules: _rules, ...fields } = spec;
    const desired = { ...fields, conditions: { clients: { include: spec.conditions.clients.include.map((c) => names.clientRef(c)) } } };
    out.push({
      kind: 'policy', server: server.name, spec, target: `policy ${q(spec.name)} ${of}`, current: cur?.raw,
      ...compare(desired, cur?.raw, () => policyForm(cur!.raw, names)),
    });
  }
  for (const { spec: policy, cur } of policies) {
    for (const spec of byPriority(policy.rules ?? [])) {
      const rule = cur?.rules.find((r) => ruleKey(r as { name: string }) === ruleKey(spec));
      const groups = spec.conditions.people?.groups;
      const desired = groups
        ? { ...spec, conditions: { ...spec.conditions, people: { ...spec.conditions.people, groups: {
          ...(groups.include ? { include: groups.include.map((g) => names.groupRef(g)) } : {}),
          ...(groups.exclude ? { exclude: groups.exclude.map((g) => names.groupRef(g)) } : {}),
        } } } }
        : spec;
      out.push({
        kind: 'rule', server: server.name, policy: policy.name, spec, target: `rule ${q(spec.name)} in policy ${q(policy.name)} of authorizationServer ${q(server.name)}`,
        current: rule, ...compare(desired, rule, () => ruleForm(rule!, names)),
      });
    }
  }
}

export function buildPlan(file: GatehouseFile, state: OrgState): Plan {
  const names = new NameIndex(state);
  const problems = checkReferences(file, state, names);
  if (problems.length > 0) throw new UnresolvedReferenceError(problems);
  const out: Change[] = [];

  for (const spec of file.groups ?? []) {
    const cur = state.groups.find((g) => g.profile?.name === spec.profile.name);
    out.push({ kind: 'group', spec, target: `group ${q(spec.profile.name)}`, current: cur, ...compare(spec, cur, () => groupForm(cur!)) });
  }

  for (const spec of file.users ?? []) {
    const cur = state.users.find((u) => userKey(String(u.profile?.login ?? '')) === userKey(spec.profile.login));
    out.push({ kind: 'user', spec, target: `user ${q(spec.profile.login)}`, current: cur, ...compare({ profile: spec.profile }, cur, () => userForm(cur!)) });
  }
  for (const spec of file.users ?? []) {
    const cur = state.users.find((u) => userKey(String(u.profile?.login ?? '')) === userKey(spec.profile.login));
    const has = new Set(cur ? userGroupsForm(state.memberships.get(String(cur.id)) ?? [], names) : []);
    for (const group of spec.groups ?? []) {
      out.push({
        kind: 'membership', login: spec.profile.login, group, diffs: [],
        target: `membership of user ${q(spec.profile.login)} in group ${q(group)}`, action: has.has(group) ? 'unchanged' : 'create',
      });
    }
  }

  for (const spec of file.apps ?? []) {
    const ref = names.app(spec.label);
    const cur = ref ? state.apps.find((a) => a.raw.id === ref.id) : undefined;
    const { assignments: _a, ...fields } = spec;
    out.push({ kind: 'app', spec, target: `app ${q(spec.label)}`, current: cur?.raw, ...compare(fields, cur?.raw, () => appForm(cur!.raw)) });
  }
  for (const spec of file.apps ?? []) {
    const ref = names.app(spec.label);
    const cur = ref ? state.apps.find((a) => a.raw.id === ref.id) : undefined;
    const has = cur ? appAssignmentsForm(cur.groupIds, cur.userIds, names) : { groups: [], users: [] };
    for (const group of spec.assignments?.groups ?? []) {
      const name = names.groupRef(group);
      out.push({
        kind: 'assignment', app: spec.label, group: name, diffs: [], target: `assignment of app ${q(spec.label)} to group ${q(name)}`,
        action: has.groups.includes(name) ? 'unchanged' : 'create',
      });
    }
    const logins = new Set(has.users.map(userKey));
    for (const user of spec.assignments?.users ?? []) {
      out.push({
        kind: 'assignment', app: spec.label, user, diffs: [], target: `assignment of app ${q(spec.label)} to user ${q(user)}`,
        action: logins.has(userKey(user)) ? 'unchanged' : 'create',
      });
    }
  }

  const servers = (file.authorizationServers ?? []).map((spec) => ({
    spec, cur: state.servers.find((s) => serverKey(String(s.raw.name ?? '')) === serverKey(spec.name)),
  }));
  for (const { spec, cur } of servers) {
    const { scopes: _s, claims: _c, policies: _p, ...fields } = spec;
    const desired = { ...fields, ...(spec.audiences ? { audiences: spec.audiences.map((a) => names.clientRef(a)) } : {}) };
    out.push({
      kind: 'authorizationServer', spec, target: `authorizationServer ${q(spec.name)}`, current: cur?.raw,
      ...compare(desired, cur?.raw, () => serverForm(cur!.raw, names)),
    });
  }
  const children: Change[] = [];
  for (const { spec, cur } of servers) planServerChildren(spec, cur, names, children);
  const order: Kind[] = ['scope', 'claim', 'policy', 'rule'];
  out.push(...order.flatMap((kind) => children.filter((c) => c.kind === kind)));

  for (const spec of file.trustedOrigins ?? []) {
    const cur = state.trustedOrigins.find((o) => originKey(String(o.origin ?? '')) === originKey(spec.origin));
    out.push({ kind: 'trustedOrigin', spec, target: `trustedOrigin ${q(spec.origin)}`, current: cur, ...compare(spec, cur, () => trustedOriginForm(cur!)) });
  }
  return { changes: out };
}
