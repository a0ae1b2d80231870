/**
 * `gatehouse export`: the org as an apply file. Natural keys and references by name, no ids (a client
 * id is kept only when an administrator chose it), no secrets, no system scopes or claims, no
 * built-in groups, and no field equal to Okta's default. Applying the result to the same org changes
 * nothing; applying it to a fresh org reproduces this one (with new client ids and secrets).
 */
import { Document, isScalar, visit } from 'yaml';
import type { Json } from './api-client.js';
import {
  appAssignmentsForm, appForm, claimForm, groupForm, policyForm, ruleForm, scopeForm, serverForm, trustedOriginForm, userForm,
  userGroupsForm,
} from './current-form.js';
import {
  appDefaults, CLAIM_DEFAULTS, POLICY_DEFAULTS, prune, RULE_DEFAULTS, SCOPE_DEFAULTS, SERVER_DEFAULTS, TRUSTED_ORIGIN_DEFAULTS,
} from './export-defaults.js';
import { NameIndex } from './names.js';
import type { AppState, OrgState, ServerState } from './read-state.js';

const byText = <T>(key: (item: T) => string) => (a: T, b: T): number => key(a).localeCompare(key(b));

function exportApp(app: AppState, names: NameIndex): Json {
  const form = appForm(app.raw);
  const oc = form.credentials.oauthClient as Json;
  delete oc.client_secret;
  if (oc.client_id === app.raw.id) delete oc.client_id;
  const out = prune(form, appDefaults(String(app.raw.settings?.oauthClient?.application_type ?? 'web')));
  const assignments = prune(appAssignmentsForm(app.groupIds, app.userIds, names), { groups: [], users: [] });
  return Object.keys(assignments).length > 0 ? { ...out, assignments } : out;
}

function exportServer(server: ServerState, names: NameIndex): Json {
  const out = prune(serverForm(server.raw, names), SERVER_DEFAULTS);
  const scopes = server.scopes.filter((s) => !s.system).sort(byText((s) => String(s.name))).map((s) => prune(scopeForm(s), SCOPE_DEFAULTS));
  const claims = server.claims.filter((c) => !c.system).sort(byText((c) => `${c.name} ${c.claimType}`)).map((c) => prune(claimForm(c), CLAIM_DEFAULTS));
  const policies = server.policies.filter((p) => !p.raw.system).map((p) => {
    const rules = p.rules.filter((r) => !r.system).map((r) => prune(ruleForm(r, names), RULE_DEFAULTS));
    const policy = prune(policyForm(p.raw, names), POLICY_DEFAULTS);
    return rules.length > 0 ? { ...policy, rules } : policy;
  });
  return {
    ...out,
    ...(scopes.length > 0 ? { scopes } : {}),
    ...(claims.length > 0 ? { claims } : {}),
    ...(policies.length > 0 ? { policies } : {}),
  };
}

function exportTrustedOrigin(raw: Json): Json {
  const form = trustedOriginForm(raw);
  if (form.name === form.origin) delete form.name;
  return prune(form, TRUSTED_ORIGIN_DEFAULTS);
}

/** The org as a file's data (what `yaml` then writes). */
export function exportState(state: OrgState): Json {
  const names = new NameIndex(state);
  const groups = state.groups.filter((g) => g.type === 'OKTA_GROUP').sort(byText((g) => String(g.profile?.name))).map((g) => prune(groupForm(g)));
  const users = state.users.filter((u) => u.status !== 'DEPROVISIONED').sort(byText((u) => String(u.profile?.login))).map((u) => {
    const user = prune(userForm(u));
    const memberOf = userGroupsForm(state.memberships.get(String(u.id)) ?? [], names);
    return memberOf.length > 0 ? { ...user, groups: memberOf } : user;
  });
  const apps = [...state.apps].sort(byText((a) => String(a.raw.label))).map((a) => exportApp(a, names));
  const servers = [...state.servers].sort(byText((s) => String(s.raw.name))).map((s) => exportServer(s, names));
  const origins = [...state.trustedOrigins].sort(byText((o) => String(o.origin))).map(exportTrustedOrigin);
  const doc: Json = {};
  if (groups.length > 0) doc.groups = groups;
  if (users.length > 0) doc.users = users;
  if (apps.length > 0) doc.apps = apps;
  if (servers.length > 0) doc.authorizationServers = servers;
  if (origins.length > 0) doc.trustedOrigins = origins;
  return doc;
}

export function exportYaml(state: OrgState, orgUrl: string, now: Date = new Date()): string {
  const doc = new Document(exportState(state));
  doc.commentBefore = [
    ` Exported from ${orgUrl} by gatehouse export on ${now.toISOString()}.`,
    ' Apply with: gatehouse apply -f <this file>. Passwords and client secrets are not exported;',
    ' add credentials.password.value (e.g. ${ENV_VAR}) to users that should get one on creation.',
  ].join('\n');
  // Short lists of plain values read best on one line: `grant_types: [authorization_code, refresh_token]`.
  visit(doc, {
    Seq(_, node) {
      if (node.items.every(isScalar) && node.items.reduce((n, i) => n + String(i.value).length + 2, 0) <= 72) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
