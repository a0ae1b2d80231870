/**
 * Access-policy evaluation, as Okta does it: ACTIVE policies by priority whose clients include the
 * client (or ALL_CLIENTS); inside the first such policy with a match, ACTIVE rules by priority; a rule
 * matches on grant type × people × scopes, and the first match wins. Nothing matching is
 * `no_matching_policy`. The org authorization server has no policies: fixed Okta lifetimes apply.
 * explainPolicy walks the same path and reports every step (token preview, the System Log's
 * policy.evaluate event); policyDenial gives the request behind a no_matching_policy error.
 */
import type { Policy, PolicyRule } from '../../domain/model.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { ServerContext } from '../server-context.js';

export interface PolicyRequest {
  clientId: string;
  /** The grant being asked for; a refresh is evaluated as the grant that started it. */
  grantType: string;
  /** Absent for client credentials. */
  user?: { id: string; groupIds: string[] } | undefined;
  scopes: string[];
}

export interface TokenLifetimes {
  accessTokenSeconds: number;
  /** null = unlimited. */
  refreshTokenSeconds: number | null;
  /** Idle window; null = none. */
  refreshWindowSeconds: number | null;
}

export interface PolicyDecision {
  policyId: string | undefined;
  ruleId: string | undefined;
  lifetimes: TokenLifetimes;
}

/** The org server's fixed lifetimes (access 60 min, refresh 90 days, no idle window). */
export const ORG_LIFETIMES: TokenLifetimes = { accessTokenSeconds: 3600, refreshTokenSeconds: 90 * 86400, refreshWindowSeconds: null };

function includesPerson(rule: PolicyRule, user: PolicyRequest['user']): boolean {
  if (!user) return true;
  const { users, groups } = rule.conditions.people;
  if (users.exclude.includes(user.id)) return false;
  if (groups.exclude.some((g) => user.groupIds.includes(g))) return false;
  const anyUsers = users.include.length > 0;
  const anyGroups = groups.include.length > 0;
  if (!anyUsers && !anyGroups) return true;
  if (users.include.includes(user.id)) return true;
  return groups.include.some((g) => g === 'EVERYONE' || user.groupIds.includes(g));
}

function includesScopes(rule: PolicyRule, scopes: string[]): boolean {
  const allowed = rule.conditions.scopes.include;
  return allowed.includes('*') || scopes.every((s) => allowed.includes(s));
}

export function lifetimesOf(rule: PolicyRule): TokenLifetimes {
  const t = rule.actions.token;
  return {
    accessTokenSeconds: t.accessTokenLifetimeMinutes * 60,
    refreshTokenSeconds: t.refreshTokenLifetimeMinutes > 0 ? t.refreshTokenLifetimeMinutes * 60 : null,
    refreshWindowSeconds: t.refreshTokenWindowMinutes > 0 ? t.refreshTokenWindowMinutes * 60 : null,
  };
}

/** The condition of a rule that did not hold, checked in this order. */
export type RuleMismatch = 'grant_type' | 'people' | 'scopes';

export interface PolicyTrace {
  /** The ACTIVE policies that apply to the client, in evaluation order, each with its ACTIVE rules. */
  policies: { policy: Policy; rules: { rule: PolicyRule; mismatch: RuleMismatch | undefined }[] }[];
  /** The first matching policy and rule; evaluation stops there. */
  match: { policy: Policy; rule: PolicyRule } | undefined;
}

function appliesTo(policy: Policy, clientId: string): boolean {
  const clients = policy.conditions.clients.include;
  return clients.includes('ALL_CLIENTS') || clients.includes(clientId);
}

function mismatchOf(rule: PolicyRule, req: PolicyRequest): RuleMismatch | undefined {
  if (!rule.conditions.grantTypes.include.includes(req.grantType)) return 'grant_type';
  if (!includesPerson(rule, req.user)) return 'people';
  if (!includesScopes(rule, req.scopes)) return 'scopes';
  return undefined;
}

export function evaluatePolicy(server: ServerContext, req: PolicyRequest): PolicyDecision {
  if (server.isOrg || !server.config) return { policyId: undefined, ruleId: undefined, lifetimes: ORG_LIFETIMES };
  for (const { policy, rules } of server.config.policies) {
    if (!appliesTo(policy, req.clientId)) continue;
    for (const rule of rules) {
      if (mismatchOf(rule, req) === undefined) return { policyId: policy.id, ruleId: rule.id, lifetimes: lifetimesOf(rule) };
    }
  }
  const err = OAuthError.of('no_matching_policy');
  denials.set(err, { server, request: req });
  throw err;
}

/** The same evaluation, step by step: which policies applied and why each rule did or did not match. */
export function explainPolicy(server: ServerContext, req: PolicyRequest): PolicyTrace {
  const trace: PolicyTrace = { policies: [], match: undefined };
  for (const { policy, rules } of server.config?.policies ?? []) {
    if (!appliesTo(policy, req.clientId)) continue;
    const checked: PolicyTrace['policies'][number] = { policy, rules: [] };
    trace.policies.push(checked);
    for (const rule of rules) {
      const mismatch = mismatchOf(rule, req);
      checked.rules.push({ rule, mismatch });
      if (mismatch === undefined) {
        trace.match = { policy, rule };
        return trace;
      }
    }
  }
  return trace;
}

export interface PolicyDenial {
  server: ServerContext;
  request: PolicyRequest;
}

const denials = new WeakMap<OAuthError, PolicyDenial>();

/** What was evaluated, when `err` is evaluatePolicy's no_matching_policy (for the System Log). */
export function policyDenial(err: unknown): PolicyDenial | undefined {
  return err instanceof OAuthError ? denials.get(err) : undefined;
}
