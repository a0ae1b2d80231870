/**
 * Custom claims of a custom authorization server (ServerConfig.claims) put into the tokens it mints,
 * as Okta does:
 *
 * - RESOURCE claims go into access tokens, IDENTITY claims into ID tokens and /userinfo.
 * - Only ACTIVE claims whose `conditions.scopes` is empty or shares a scope with the granted ones.
 * - An IDENTITY claim with `alwaysIncludeInToken: false` is left out of an ID token issued beside an
 *   access token; the client reads it from /userinfo instead.
 * - EXPRESSION values are Okta Expression Language (./expression), evaluated for the user, the user's
 *   groups, the app and the granted scopes. Without a user (client credentials) any `user` reference
 *   fails, so only app- and scope-based expressions give a value there.
 * - GROUPS values filter the user's group names (group_filter_type, at most 100); no user or no
 *   matching group leaves the claim out.
 * - A claim whose value is null, or whose evaluation fails for any reason, is left out: a bad claim
 *   never fails the token request. Names the tokens set themselves can never be overridden.
 *
 * Expressions are parsed once per claim version (id + lastUpdated) and the tree is cached.
 */
import { RESERVED_CLAIMS } from '../../domain/auth-servers/claims-service.js';
import type { Claim, User } from '../../domain/model.js';
import type { GroupRef } from '../../store/store.js';
import type { ServerContext } from '../server-context.js';
import { evaluateExpression, parseExpression, type Expression } from './expression/index.js';
import { filterGroups } from './group-filter.js';

/** Where the claims are going. */
export type ClaimTarget = 'access_token' | 'id_token' | 'userinfo';

export interface ClaimSubject {
  app: { id: string; clientId: string; label: string };
  /** The scopes granted to the token. */
  scopes: readonly string[];
  /** Absent for client credentials. */
  user?: User | undefined;
  /** The user's groups (Everyone included); empty without a user. */
  groups: readonly GroupRef[];
}

export type Claims = Record<string, unknown>;

/** Parsed expressions by claim version; a syntax error is cached as null. Bounded: cleared when full. */
const parsed = new Map<string, Expression | null>();
const MAX_CACHED = 10_000;

function expressionOf(claim: Claim): Expression | null {
  const key = `${claim.id}:${claim.lastUpdated}`;
  let expr = parsed.get(key);
  if (expr === undefined) {
    try {
      expr = parseExpression(claim.value);
    } catch {
      expr = null;
    }
    if (parsed.size >= MAX_CACHED) parsed.clear();
    parsed.set(key, expr);
  }
  return expr;
}

/** How many parsed expressions are cached (for tests). */
export function cachedExpressionCount(): number {
  return parsed.size;
}

/**
 * The claims that apply to a token for `target` (no evaluation yet). `withAccessToken`: an ID token
 * issued in the same response as an access token.
 */
export function applicableClaims(server: ServerContext, target: ClaimTarget, scopes: readonly string[], withAccessToken = false): Claim[] {
  const claims = server.config?.claims;
  if (!claims || claims.length === 0) return [];
  const type = target === 'access_token' ? 'RESOURCE' : 'IDENTITY';
  return claims.filter((claim) => claim.claimType === type
    && claim.status === 'ACTIVE'
    && (claim.valueType === 'EXPRESSION' || claim.valueType === 'GROUPS')
    && !RESERVED_CLAIMS.has(claim.name)
    && (claim.conditions.scopes.length === 0 || claim.conditions.scopes.some((s) => scopes.includes(s)))
    && !(target === 'id_token' && withAccessToken && !claim.alwaysIncludeInToken));
}

function valueOf(claim: Claim, subject: ClaimSubject): unknown {
  if (claim.valueType === 'GROUPS') {
    if (!subject.user || !claim.group_filter_type) return null;
    const names = filterGroups(subject.groups, claim.group_filter_type, claim.value);
    return names.length > 0 ? names : null;
  }
  const expr = expressionOf(claim);
  if (expr === null) return null;
  const { user } = subject;
  return evaluateExpression(expr, {
    user: user ? { id: user.id, status: user.status, profile: user.profile } : undefined,
    groups: subject.groups.map((g) => ({ id: g.id, name: g.name })),
    app: subject.app,
    scopes: [...subject.scopes],
  });
}

/** Evaluates `claims` for `subject`; failures and nulls are left out. */
export function evaluateClaims(claims: readonly Claim[], subject: ClaimSubject): Claims {
  const out: Claims = {};
  for (const claim of claims) {
    let value: unknown;
    try {
      value = valueOf(claim, subject);
    } catch {
      continue;
    }
    if (value !== null && value !== undefined && !Object.hasOwn(out, claim.name)) out[claim.name] = value;
  }
  return out;
}

/** Applicable claims of `target`, evaluated. */
export function customClaims(
  server: ServerContext,
  target: ClaimTarget,
  subject: ClaimSubject,
  withAccessToken = false,
): Claims {
  return evaluateClaims(applicableClaims(server, target, subject.scopes, withAccessToken), subject);
}

/** The `app` of the expression context for an app. */
export function claimApp(app: { id: string; clientId: string; body: { label: string } }): ClaimSubject['app'] {
  return { id: app.id, clientId: app.clientId, label: app.body.label };
}
