/**
 * The `reason.detail` of a token preview DENY: what refused the request, in the words of the setup
 * an administrator edits (app, scope, policy and rule names), and what to change.
 */
import type { Container } from '../../container.js';
import type { OAuthError } from '../../errors/oauth-error.js';
import type { PolicyRequest, PolicyTrace, RuleMismatch } from '../../oauth/policy/evaluate-policy.js';
import type { ServerContext } from '../../oauth/server-context.js';
import type { App, PolicyRule, User } from '../model.js';

type Deps = Pick<Container, 'store'>;

const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');
const list = (values: readonly string[]) => (values.length > 0 ? values.join(', ') : 'none');

export function grantTypeDetail(app: App, grantType: string, missingResponseTypes: readonly string[] = []): string {
  const settings = app.body.settings.oauthClient;
  const name = `App "${app.body.label}" (${app.clientId})`;
  if ((settings.grant_types ?? []).includes(grantType)) {
    return `${name} does not allow the response types ${missingResponseTypes.join(', ')} (its response_types: ${list(settings.response_types ?? [])}): add them to settings.oauthClient.response_types.`;
  }
  return `${name} does not allow the ${grantType} grant type (its grant_types: ${list(settings.grant_types ?? [])}): add it to settings.oauthClient.grant_types.`;
}

export function scopeDetail(err: OAuthError, server: ServerContext, requested: readonly string[]): string {
  const name = `Authorization server "${server.config?.server.name ?? server.id}"`;
  const defined = server.config?.scopes.map((s) => s.name) ?? [];
  switch (err.code) {
    case 'no_default_scopes':
      return `No scope was requested and ${name} has no default scope: name the scopes, or mark a scope as default.`;
    case 'no_matching_scope': {
      const unknown = requested.filter((s) => !defined.includes(s));
      return `${name} does not define the scopes ${list(unknown)} (its scopes: ${list(defined)}): create them, or leave them out.`;
    }
    default:
      return `The scopes ${quoted(requested)} are not valid scope names.`;
  }
}

export function userStatusDetail(user: User): string {
  const fix: Partial<Record<User['status'], string>> = {
    STAGED: 'activate the user', PROVISIONED: 'finish activating the user (set a password)', LOCKED_OUT: 'unlock the user',
    SUSPENDED: 'unsuspend the user', DEPROVISIONED: 'reactivate the user', PASSWORD_EXPIRED: 'set a new password for the user',
    RECOVERY: 'let the user finish recovery',
  };
  return `User "${user.profile.login}" is ${user.status}; only ACTIVE users can sign in and use tokens: ${fix[user.status] ?? 'activate the user'}.`;
}

async function loginOf(c: Deps, id: string): Promise<string> {
  return (await c.store.users.get(id))?.profile.login ?? id;
}

async function groupNames(c: Deps, ids: readonly string[]): Promise<string[]> {
  return Promise.all(ids.map(async (id) => (id === 'EVERYONE' ? 'Everyone' : (await c.store.groups.get(id))?.name ?? id)));
}

async function whyNot(c: Deps, rule: PolicyRule, mismatch: RuleMismatch, req: PolicyRequest): Promise<string> {
  const cond = rule.conditions;
  switch (mismatch) {
    case 'grant_type':
      return `grant types: ${list(cond.grantTypes.include)}`;
    case 'scopes':
      return `scopes: ${list(cond.scopes.include)}; not allowed: ${list(req.scopes.filter((s) => !cond.scopes.include.includes(s)))}`;
    case 'people': {
      const { users, groups } = cond.people;
      const user = req.user;
      if (user && users.exclude.includes(user.id)) return 'the user is excluded';
      const excluded = groups.exclude.filter((g) => user?.groupIds.includes(g));
      if (excluded.length > 0) return `the user's group ${quoted(await groupNames(c, excluded))} is excluded`;
      const logins = await Promise.all(users.include.map((id) => loginOf(c, id)));
      return `people: users ${list(logins)}; groups ${list(await groupNames(c, groups.include))}`;
    }
  }
}

const LEAD: Record<RuleMismatch, (req: PolicyRequest, login: string) => string> = {
  grant_type: (req) => `allows grant type ${req.grantType}`,
  people: (_req, login) => `includes user "${login}"`,
  scopes: (req) => `allows the scopes ${list(req.scopes)}`,
};

const FIX: Record<RuleMismatch, (req: PolicyRequest) => string> = {
  grant_type: (req) => `add ${req.grantType} to a rule's grant types, or add a rule that allows it`,
  people: () => 'include the user or one of their groups in a rule',
  scopes: () => "add the scopes to a rule's scopes (or allow *)",
};

/** Why evaluatePolicy found nothing: no policy for the client, or every rule of its policies missed. */
export async function explainNoMatch(c: Deps, server: ServerContext, req: PolicyRequest, trace: PolicyTrace): Promise<string> {
  const serverName = server.config?.server.name ?? server.id;
  if (trace.policies.length === 0) {
    const all = await c.store.authServers.listPolicies(server.id);
    const described = all.sort((a, b) => a.priority - b.priority)
      .map((p) => `"${p.name}" (clients: ${list(p.conditions.clients.include)}${p.status === 'ACTIVE' ? '' : `; ${p.status}`})`);
    return `No active access policy of authorization server "${serverName}" applies to client ${req.clientId} `
      + `(policies: ${list(described)}): add the client (or ALL_CLIENTS) to a policy's clients, or activate a policy that includes it.`;
  }
  const login = req.user ? await loginOf(c, req.user.id) : '';
  const parts: string[] = [];
  const kinds = new Set<RuleMismatch>();
  for (const { policy, rules } of trace.policies) {
    const inactive = (await c.store.authServers.listRules(server.id, policy.id)).filter((r) => r.status !== 'ACTIVE').map((r) => r.name);
    const inactiveNote = inactive.length > 0 ? ` (inactive, not evaluated: ${quoted(inactive)})` : '';
    if (rules.length === 0) {
      parts.push(`Policy "${policy.name}" has no active rule${inactiveNote}`);
      continue;
    }
    const mismatches = rules.map((r) => r.mismatch!);
    for (const m of mismatches) kinds.add(m);
    const same = mismatches.every((m) => m === mismatches[0]);
    const lead = same ? LEAD[mismatches[0]!](req, login)
      : `matches grant type ${req.grantType}${req.user ? `, user "${login}"` : ''} and scopes ${list(req.scopes)}`;
    const checked = await Promise.all(rules.map(async ({ rule, mismatch }) => `${rule.name} (${await whyNot(c, rule, mismatch!, req)})`));
    parts.push(`No rule in policy "${policy.name}" ${lead}; rules checked: ${checked.join(', ')}${inactiveNote}`);
  }
  const fixes = [...kinds].map((k) => FIX[k](req));
  return `${parts.join('. ')}.${fixes.length > 0 ? ` To allow it, ${fixes.join('; or ')}.` : ' Add or activate a rule.'}`;
}
