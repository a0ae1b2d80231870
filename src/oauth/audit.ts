/**
 * The System Log events of the protocol side, one helper per family, each called from the one place
 * the thing happens (the management API has its own: http/plugins/admin-audit.ts):
 *
 * | event                                          | where                         | outcome / reason                      |
 * |------------------------------------------------|-------------------------------|---------------------------------------|
 * | user.session.start                             | password check (hosted page, /api/v1/authn) | SUCCESS; FAILURE INVALID_CREDENTIALS, LOCKED_OUT, PASSWORD_EXPIRED |
 * | user.account.lock (WARN)                       | the failure that locks it     | FAILURE LOCKED_OUT                    |
 * | user.account.update_password                   | /api/v1/authn/credentials/change_password | SUCCESS; FAILURE INVALID_CREDENTIALS (wrong old password) |
 * | user.session.end                               | /v1/logout, DELETE /api/v1/sessions/me | SUCCESS                      |
 * | app.oauth2.as.authorize                        | a refused /authorize          | FAILURE with Okta's internal code (user_not_assigned, no_matching_policy, consent_required, login_required…) |
 * | app.oauth2.as.authorize.code, .implicit.access_token, .implicit.id_token, user.authentication.sso | what /authorize issued | SUCCESS, with the decision (policy, rule, scopes) |
 * | app.oauth2.as.token.grant                      | a refused /token request      | FAILURE (invalid_client, invalid_refresh_token…) |
 * | app.oauth2.as.token.grant.access_token, .id_token, .refresh_token | what /token issued | SUCCESS, with the grant type, scopes and the tokens issued |
 * | app.oauth2.as.token.detect_reuse (WARN)        | a replayed refresh token or authorization code | FAILURE, the grant revoked |
 * | policy.evaluate                                | no access-policy rule matched | DENY, the policies and rules evaluated |
 * | app.oauth2.as.token.revoke                     | /v1/revoke                    | SUCCESS                               |
 *
 * As in Okta's own log, the bare app.oauth2.as.authorize and app.oauth2.as.token.grant events are
 * failures only: a success is told by what it issued, each event carrying the whole decision (grant
 * type, scopes, policy and rule), so no request pays for a second copy. Every event carries the client IP and
 * user agent of the request and, for OAuth events, `client.id`. No token, code or password is ever
 * logged: tokens are named by their `jti` (refresh tokens by the hash they are stored under).
 * recordEvent only queues: nothing here waits for the database or can fail a request.
 */
import type { LogActor, LogTarget } from '../audit/log-event.js';
import {
  appTarget, clientActor, recordEvent, recordEvents, userActor, userTarget, type EventVariant, type RequestInfo, type SystemLogDeps,
} from '../audit/system-log.js';
import { sha256 } from '../crypto/ids.js';
import type { App, User } from '../domain/model.js';
import { OAuthError } from '../errors/oauth-error.js';
import { decodeJwt } from '../keys/jwt.js';
import type { AuthorizeContext } from './authorize/context.js';
import { explainPolicy, policyDenial } from './policy/evaluate-policy.js';
import type { ServerContext } from './server-context.js';

type Deps = SystemLogDeps;
type Json = Record<string, unknown>;

const PASSWORD_CONTEXT = {
  authenticationProvider: 'OKTA_AUTHENTICATION_PROVIDER',
  credentialProvider: 'OKTA_CREDENTIAL_PROVIDER',
  credentialType: 'PASSWORD',
};

const req = (request: RequestInfo | undefined) => (request ? { request } : {});

/** Okta's internal reason of an OAuth error (`user_not_assigned`), else its `error`. */
export function oauthReason(err: unknown): string {
  if (err instanceof OAuthError) return err.code ?? err.error;
  return 'server_error';
}

function errorDebug(err: unknown): Json {
  return err instanceof OAuthError ? { error: err.error, errorDescription: err.description } : { error: 'server_error' };
}

/** Someone not (or not yet) known as a user: the name they typed. */
function unknownUser(username: string): LogActor {
  return { id: 'unknown', type: 'User', alternateId: username.slice(0, 256) || null, displayName: 'unknown', detailEntry: null };
}

// ---------------------------------------------------------------------------------------------
// Sign-in and sessions

export type SignInInterface = 'hosted_sign_in' | 'authn_api';

export type SignInOutcome =
  | { kind: 'success'; user: User }
  | { kind: 'failed'; user?: User | undefined; locked?: boolean }
  | { kind: 'locked_out'; user: User }
  | { kind: 'password_expired'; user: User };

/** user.session.start for a password check, and user.account.lock when this failure locked the account. */
export function auditSignIn(c: Deps, username: string, outcome: SignInOutcome, via: SignInInterface, request?: RequestInfo): void {
  const actor = outcome.user ? userActor(outcome.user) : unknownUser(username);
  const common = { actor, authenticationContext: PASSWORD_CONTEXT, debugData: { signInInterface: via }, ...req(request) };
  const reason = outcome.kind === 'success' ? undefined
    : outcome.kind === 'locked_out' ? 'LOCKED_OUT'
      : outcome.kind === 'password_expired' ? 'PASSWORD_EXPIRED' : 'INVALID_CREDENTIALS';
  recordEvent(c, {
    ...common,
    eventType: 'user.session.start',
    outcome: reason ? { result: 'FAILURE', reason } : { result: 'SUCCESS' },
  });
  if (outcome.kind === 'failed' && outcome.locked && outcome.user) {
    recordEvent(c, { ...common, eventType: 'user.account.lock', target: [userTarget(outcome.user)], outcome: { result: 'FAILURE', reason: 'LOCKED_OUT' } });
  }
}

/** user.account.update_password by the user (an expired password changed through /api/v1/authn). */
export function auditPasswordChange(c: Deps, user: User, outcome: 'success' | 'failed' | 'locked', request?: RequestInfo): void {
  const common = {
    actor: userActor(user), target: [userTarget(user)], authenticationContext: PASSWORD_CONTEXT,
    debugData: { signInInterface: 'authn_api' }, ...req(request),
  };
  recordEvent(c, {
    ...common,
    eventType: 'user.account.update_password',
    outcome: outcome === 'success' ? { result: 'SUCCESS' } : { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
  });
  if (outcome === 'locked') recordEvent(c, { ...common, eventType: 'user.account.lock', outcome: { result: 'FAILURE', reason: 'LOCKED_OUT' } });
}

export function auditSessionEnd(c: Deps, user: User, via: 'logout' | 'sessions_api', request?: RequestInfo, clientId?: string): void {
  recordEvent(c, {
    eventType: 'user.session.end', actor: userActor(user), target: [userTarget(user)], debugData: { endedBy: via },
    ...(clientId ? { clientId } : {}), ...req(request),
  });
}

// ---------------------------------------------------------------------------------------------
// /authorize

function authorizeActor(ctx: AuthorizeContext): LogActor {
  if (ctx.session) return userActor(ctx.session.user);
  if (ctx.client) return clientActor(ctx.client);
  return { id: ctx.params.get('client_id')?.slice(0, 256) || 'unknown', type: 'PublicClientApp', alternateId: null, displayName: null, detailEntry: null };
}

function authorizeDebug(ctx: AuthorizeContext): Json {
  const debug: Json = {
    authServerId: ctx.server?.id ?? null,
    responseType: ctx.params.get('response_type')?.slice(0, 100) ?? null,
    requestedScopes: ctx.params.get('scope')?.slice(0, 1000) ?? null,
  };
  for (const [grant, d] of ctx.decisions) debug[grant === 'implicit' ? 'implicitPolicy' : 'policy'] = { policyId: d.policyId, ruleId: d.ruleId };
  return debug;
}

/** A successful /authorize: what was issued, with the decision, and the user's single sign-on to the app. */
export function auditAuthorizeSuccess(c: Deps, ctx: AuthorizeContext, issued: Record<string, string>): void {
  if (!ctx.client || !ctx.session) return;
  const app = appTarget(ctx.client);
  const common = { actor: userActor(ctx.session.user), clientId: ctx.client.clientId, ...req(ctx.input.request) };
  const debugData = { ...authorizeDebug(ctx), grantedScopes: ctx.scopes.join(' ') };
  const variants: EventVariant[] = [];
  if (issued.code !== undefined) variants.push({ eventType: 'app.oauth2.as.authorize.code', target: [app] });
  if (issued.access_token !== undefined) {
    variants.push({ eventType: 'app.oauth2.as.authorize.implicit.access_token', target: [tokenTarget('access_token', issued.access_token), app] });
  }
  if (issued.id_token !== undefined) {
    variants.push({ eventType: 'app.oauth2.as.authorize.implicit.id_token', target: [tokenTarget('id_token', issued.id_token), app] });
  }
  recordEvents(c, { ...common, debugData }, variants);
  recordEvent(c, {
    ...common, eventType: 'user.authentication.sso', target: [app],
    debugData: { initiationType: 'SP_INITIATED', signOnMode: 'OpenID Connect', authServerId: ctx.server?.id ?? null },
  });
}

/** A refused /authorize (an error page, or an error response to the client). */
export function auditAuthorizeFailure(c: Deps, ctx: AuthorizeContext, err: unknown): void {
  const clientId = ctx.client?.clientId ?? ctx.params.get('client_id')?.slice(0, 256);
  recordEvent(c, {
    eventType: 'app.oauth2.as.authorize',
    actor: authorizeActor(ctx),
    target: ctx.client ? [appTarget(ctx.client)] : [],
    outcome: { result: 'FAILURE', reason: oauthReason(err) },
    ...(clientId ? { clientId } : {}),
    debugData: { ...authorizeDebug(ctx), ...errorDebug(err) },
    ...req(ctx.input.request),
  });
  auditPolicyDenial(c, err, { user: ctx.session?.user, client: ctx.client, request: ctx.input.request });
}

// ---------------------------------------------------------------------------------------------
// /token

/** A token named without its value: JWTs by `jti`, anything else by the hash it is stored under. */
function tokenTarget(
  type: 'access_token' | 'id_token' | 'refresh_token', token: string, decoded?: Json | undefined,
): LogTarget {
  const claims = type === 'refresh_token' ? undefined : decoded ?? decodeJwt(token)?.payload;
  const id = typeof claims?.jti === 'string' ? claims.jti : sha256(token);
  const detailEntry: Json = {};
  if (typeof claims?.exp === 'number') detailEntry.expires = new Date(claims.exp * 1000).toISOString();
  if (typeof claims?.sub === 'string') detailEntry.subject = claims.sub;
  return { id, type, alternateId: null, displayName: type, detailEntry };
}

export interface TokenAudit {
  server?: ServerContext | undefined;
  app?: App | undefined;
  /** The client_id the request names, while the client is not authenticated. */
  clientIdParam?: string | undefined;
  grantType?: string | undefined;
  requestedScopes?: string | undefined;
  request?: RequestInfo | undefined;
}

function tokenDebug(a: TokenAudit): Json {
  return { authServerId: a.server?.id ?? null, grantType: a.grantType ?? null, requestedScopes: a.requestedScopes ?? null };
}

/** The token response's user, from the access token just minted (its `uid` and `sub`). */
function tokenActor(app: App, claims: Json | undefined): LogActor {
  if (typeof claims?.uid !== 'string') return clientActor(app);
  return { id: claims.uid, type: 'User', alternateId: typeof claims.sub === 'string' ? claims.sub : null, displayName: null, detailEntry: null };
}

export interface IssuedTokens {
  access_token: string;
  scope: string;
  id_token?: string;
  refresh_token?: string;
}

/** A successful /token request: one event per token issued, as Okta logs them, each with the decision. */
export function auditTokenGrant(c: Deps, a: TokenAudit & { app: App }, body: IssuedTokens): void {
  const app = appTarget(a.app);
  const accessClaims = decodeJwt(body.access_token)?.payload;
  const common = { actor: tokenActor(a.app, accessClaims), clientId: a.app.clientId, ...req(a.request) };
  const issued = (['access_token', 'id_token', 'refresh_token'] as const).filter((t) => body[t] !== undefined);
  const debugData = { ...tokenDebug(a), grantedScopes: body.scope, tokens: issued };
  recordEvents(c, { ...common, debugData }, issued.map((type) => ({
    eventType: `app.oauth2.as.token.grant.${type}` as const,
    target: [tokenTarget(type, body[type]!, type === 'access_token' ? accessClaims : undefined), app],
  })));
}

/** A refused /token request (client authentication included). */
export function auditTokenFailure(c: Deps, a: TokenAudit, err: unknown): void {
  const clientId = a.app?.clientId ?? a.clientIdParam?.slice(0, 256);
  recordEvent(c, {
    eventType: 'app.oauth2.as.token.grant',
    actor: a.app ? clientActor(a.app) : { id: clientId ?? 'unknown', type: 'PublicClientApp' },
    target: a.app ? [appTarget(a.app)] : [],
    outcome: { result: 'FAILURE', reason: oauthReason(err) },
    ...(clientId ? { clientId } : {}),
    debugData: { ...tokenDebug(a), ...errorDebug(err) },
    ...req(a.request),
  });
  auditPolicyDenial(c, err, { client: a.app, request: a.request });
}

/** A replayed refresh token (past its leeway) or authorization code: the whole grant was revoked. */
export function auditReuse(
  c: Deps,
  a: { app: App; userId: string; grantId: string; artifact: 'refresh_token' | 'authorization_code'; request?: RequestInfo | undefined },
): void {
  recordEvent(c, {
    eventType: 'app.oauth2.as.token.detect_reuse',
    actor: clientActor(a.app),
    target: [{ id: a.userId, type: 'User' }, appTarget(a.app)],
    outcome: { result: 'FAILURE', reason: a.artifact === 'refresh_token' ? 'REFRESH_TOKEN_REUSE' : 'AUTHORIZATION_CODE_REUSE' },
    severity: 'WARN',
    clientId: a.app.clientId,
    debugData: { grantType: a.artifact === 'refresh_token' ? 'refresh_token' : 'authorization_code', grantId: a.grantId, grantRevoked: true },
    ...req(a.request),
  });
}

// ---------------------------------------------------------------------------------------------
// Access policy, revocation

/** policy.evaluate DENY when `err` is the access policy's no_matching_policy: every policy and rule evaluated. */
export function auditPolicyDenial(
  c: Deps, err: unknown, a: { user?: User | undefined; client?: App | undefined; request?: RequestInfo | undefined },
): void {
  const denial = policyDenial(err);
  if (!denial) return;
  const { server, request: evaluated } = denial;
  const trace = explainPolicy(server, evaluated);
  const target: LogTarget[] = [];
  for (const { policy, rules } of trace.policies) {
    target.push({ id: policy.id, type: 'PolicyEntity', alternateId: server.id, displayName: policy.name, detailEntry: { policyType: policy.type } });
    for (const { rule, mismatch } of rules) {
      target.push({ id: rule.id, type: 'PolicyRule', alternateId: policy.id, displayName: rule.name, detailEntry: { policyRuleType: rule.type, mismatch } });
    }
  }
  if (a.client) target.push(appTarget(a.client));
  recordEvent(c, {
    eventType: 'policy.evaluate',
    actor: a.user ? userActor(a.user) : a.client ? clientActor(a.client) : { id: evaluated.clientId, type: 'PublicClientApp' },
    target,
    outcome: { result: 'DENY', reason: 'no_matching_policy' },
    clientId: evaluated.clientId,
    debugData: {
      authServerId: server.id,
      grantType: evaluated.grantType,
      scopes: evaluated.scopes.join(' '),
      userId: evaluated.user?.id ?? null,
      policiesEvaluated: trace.policies.map(({ policy, rules }) => ({
        policy: policy.name, rules: rules.map(({ rule, mismatch }) => ({ rule: rule.name, mismatch })),
      })),
    },
    ...req(a.request),
  });
}

export function auditRevoke(
  c: Deps,
  a: { app: App; server: ServerContext; tokenTypeHint: string | undefined; revoked: 'access_token' | 'refresh_token' | undefined; request?: RequestInfo | undefined },
): void {
  recordEvent(c, {
    eventType: 'app.oauth2.as.token.revoke',
    actor: clientActor(a.app),
    target: [appTarget(a.app)],
    clientId: a.app.clientId,
    debugData: { authServerId: a.server.id, tokenTypeHint: a.tokenTypeHint ?? null, revokedTokenType: a.revoked ?? null },
    ...req(a.request),
  });
}
