/**
 * Token preview: what the real flow would answer for a client, a user, a grant type and scopes on
 * a custom authorization server, without any request being made and without a usable token.
 *
 * The checks are the real flow's own functions, in the real flow's order:
 *
 * - authorization_code, implicit (/authorize, then /token for a code): app ACTIVE → response and
 *   grant types allowed by the app → resolveScopes (+ `openid` for OIDC scopes and ID tokens) →
 *   user ACTIVE → assertUserMayUseApp → evaluatePolicy ('authorization_code' or 'implicit').
 * - client_credentials (/token): app ACTIVE → grant type allowed → confidential client → no OIDC
 *   scopes → resolveScopes → no REQUIRED-consent scope → evaluatePolicy without a user.
 * - refresh_token (/token): app ACTIVE → grant type allowed → resolveScopes → user ACTIVE →
 *   assertUserMayUseApp → evaluatePolicy as 'authorization_code', the grant that started the family.
 *   The scopes are those of the refreshed tokens; the original grant is taken to have had them and
 *   offline_access.
 *
 * The first refusal is a DENY with Okta's exact `error`/`error_description` and a reason naming
 * what to change. Otherwise ALLOW, with the matching policy and rule, the granted scopes, the
 * rule's lifetimes and the header and claims of exactly the tokens that flow mints (previewAccessToken
 * and previewIdToken: mint.ts's own claim builders, never signed), custom claims included.
 * Claims that only a real request can fill hold a placeholder: `nonce` (implicit) and `at_hash`.
 * The server's and the app's cached configuration is reloaded first, so a change made a moment ago
 * on any node is what the preview sees.
 */
import type { Container } from '../../container.js';
import { notFound } from '../../errors/api-error.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { assertUserMayUseApp, type UserAccess } from '../../oauth/assignment.js';
import { claimApp, customClaims, type ClaimSubject } from '../../oauth/claims/custom-claims.js';
import {
  evaluatePolicy, explainPolicy, policyDenial, type PolicyDecision, type PolicyRequest,
} from '../../oauth/policy/evaluate-policy.js';
import { resolveScopes } from '../../oauth/scopes.js';
import { resolveServer, type RequestOrigin, type ServerContext } from '../../oauth/server-context.js';
import { orgId } from '../../oauth/token/issue-tokens.js';
import { rotationOf } from '../../oauth/token/grants/refresh-token.js';
import { previewAccessToken, previewIdToken, type UnsignedJwt } from '../../oauth/tokens/mint.js';
import { SYSTEM_SCOPES } from '../defaults.js';
import type { App, User } from '../model.js';
import { readPreviewInput, type ImplicitResponseType, type PreviewInput } from './input.js';
import { explainNoMatch, grantTypeDetail, scopeDetail, userStatusDetail } from './reasons.js';

export type PreviewDeps = Pick<Container, 'store' | 'cache' | 'keys' | 'clock' | 'config'>;

export type DenyReason = 'assignment' | 'policy' | 'rule' | 'scope' | 'grant_type' | 'user_status' | 'app_status' | 'server_status';

export type RefreshTokenPreview =
  | { present: true; rotation: 'ROTATE' | 'STATIC'; detail: string }
  | { present: false; reason: string };

export type PreviewResult =
  | {
    result: 'ALLOW';
    policy: { id: string; name: string };
    rule: { id: string; name: string };
    scopes: string[];
    lifetimes: { accessTokenMinutes: number; refreshTokenMinutes: number; refreshTokenWindowMinutes: number };
    tokens: { access_token?: UnsignedJwt; id_token?: UnsignedJwt; refresh_token: RefreshTokenPreview };
  }
  | { result: 'DENY'; error: string; error_description: string; reason: { type: DenyReason; detail: string } };

/** Placeholders for the claims that only a real request can fill. */
export const REQUEST_BOUND = {
  nonce: '<nonce of the authorize request>',
  at_hash: '<at_hash of the access token issued with it>',
} as const;

const OIDC_SCOPES = new Set(SYSTEM_SCOPES.map((s) => s.name));
const PROFILE_SCOPES = ['profile', 'email', 'address', 'phone'];

/** The first refusal of the simulated flow. */
class Denied extends Error {
  constructor(readonly err: OAuthError, readonly type: DenyReason, readonly detail: string) {
    super(err.message);
  }
}

export async function previewTokens(c: PreviewDeps, serverId: string, body: unknown, origin: RequestOrigin): Promise<PreviewResult> {
  const server = await c.store.authServers.get(serverId);
  if (!server) throw notFound('AuthorizationServer', serverId);
  const input = readPreviewInput(body);
  const app = (await c.store.apps.getByClientId(input.clientId)) ?? (await c.store.apps.get(input.clientId));
  if (!app) throw notFound('AppInstance', input.clientId);
  const user = input.userId === undefined ? undefined : await findUser(c, input.userId);
  c.cache.invalidateServer(server.id);
  c.cache.invalidateClient(app.clientId);
  try {
    if (server.status !== 'ACTIVE') {
      throw new Denied(OAuthError.of('invalid_authorization_server'), 'server_status',
        `Authorization server "${server.name}" is ${server.status}: activate it (POST /api/v1/authorizationServers/${server.id}/lifecycle/activate).`);
    }
    const ctx = await resolveServer(c, server.id, origin);
    return await simulate(c, ctx, app, user, input);
  } catch (err) {
    if (!(err instanceof Denied)) throw err;
    return { result: 'DENY', error: err.err.error, error_description: err.err.description, reason: { type: err.type, detail: err.detail } };
  }
}

async function findUser(c: PreviewDeps, idOrLogin: string): Promise<User> {
  const user = (await c.store.users.get(idOrLogin)) ?? (await c.store.users.getByLogin(idOrLogin));
  if (!user) throw notFound('User', idOrLogin);
  return user;
}

const appName = (app: App) => `"${app.body.label}" (${app.clientId})`;
const userName = (user: User) => `"${user.profile.login}"`;

// ---------------------------------------------------------------------------------------------
// The flows

interface Granted {
  scopes: string[];
  /** The policy request whose decision gives the lifetimes. */
  policy: PolicyRequest;
  /** For the claims of user tokens. */
  subject: ClaimSubject;
}

async function simulate(c: PreviewDeps, server: ServerContext, app: App, user: User | undefined, input: PreviewInput): Promise<PreviewResult> {
  const settings = app.body.settings.oauthClient;
  const grants = settings.grant_types ?? [];
  const atAuthorize = input.grantType === 'authorization_code' || input.grantType === 'implicit';
  if (app.status !== 'ACTIVE') {
    throw new Denied(OAuthError.of(atAuthorize ? 'invalid_client_id' : 'invalid_client'), 'app_status',
      `App ${appName(app)} is ${app.status}: activate it (POST /api/v1/apps/${app.id}/lifecycle/activate).`);
  }

  switch (input.grantType) {
    case 'authorization_code': {
      requireResponseTypes(app, ['code'], 'authorization_code');
      const granted = await userGrant(c, server, app, need(user), input, 'authorization_code', false);
      const decision = await decide(c, server, granted.policy);
      const tokens = await userTokens(c, server, app, need(user), granted, decision.lifetimes.accessTokenSeconds);
      const refresh: RefreshTokenPreview = !granted.scopes.includes('offline_access')
        ? { present: false, reason: 'offline_access is not among the granted scopes.' }
        : !grants.includes('refresh_token')
          ? { present: false, reason: `App ${appName(app)} does not allow the refresh_token grant type.` }
          : rotationPreview(app, 'issued beside the access token');
      return allow(server, decision, granted.scopes, { ...tokens, refresh_token: refresh });
    }
    case 'implicit': {
      const types = input.responseTypes ?? defaultImplicitTypes(app);
      requireResponseTypes(app, types, 'implicit');
      const granted = await userGrant(c, server, app, need(user), input, 'implicit', types.includes('id_token'));
      const decision = await decide(c, server, granted.policy);
      const withAccessToken = types.includes('token');
      const tokens: { access_token?: UnsignedJwt; id_token?: UnsignedJwt } = {};
      if (withAccessToken) {
        tokens.access_token = await previewAccessToken(c, {
          server, clientId: app.clientId, scopes: granted.scopes, lifetimeSeconds: decision.lifetimes.accessTokenSeconds,
          user, authTime: c.clock.now(), extra: customClaims(server, 'access_token', granted.subject),
        });
        tokens.access_token.payload.jti = jtiPlaceholder(tokens.access_token.payload.jti);
      }
      if (types.includes('id_token')) {
        tokens.id_token = await idToken(c, server, app, need(user), granted, withAccessToken, !withAccessToken);
        tokens.id_token.payload.nonce = REQUEST_BOUND.nonce;
      }
      return allow(server, decision, granted.scopes, { ...tokens, refresh_token: { present: false, reason: 'The implicit grant type never returns a refresh token.' } });
    }
    case 'client_credentials': {
      requireGrant(app, 'client_credentials');
      if (app.body.credentials.oauthClient.token_endpoint_auth_method === 'none') {
        throw new Denied(OAuthError.of('confidential_client_required'), 'grant_type',
          `App ${appName(app)} is a public client (token_endpoint_auth_method none); client_credentials needs a client secret or private_key_jwt.`);
      }
      const requested = input.scopes ?? [];
      const oidc = requested.filter((s) => OIDC_SCOPES.has(s));
      if (oidc.length > 0) {
        throw new Denied(OAuthError.of('openid_not_allowed_client_creds'), 'scope', `OpenID Connect scopes (${oidc.join(', ')}) have no meaning without a user: remove them.`);
      }
      const scopes = scopesOf(server, input.scopes);
      const defaultsOidc = scopes.filter((s) => OIDC_SCOPES.has(s));
      if (defaultsOidc.length > 0) {
        throw new Denied(OAuthError.of('openid_not_allowed_client_creds'), 'scope',
          `The default scopes include OpenID Connect scopes (${defaultsOidc.join(', ')}): request the scopes explicitly.`);
      }
      const needConsent = scopes.filter((name) => server.config?.scopes.find((s) => s.name === name)?.consent === 'REQUIRED');
      if (needConsent.length) {
        throw new Denied(OAuthError.of('consent_required_client_credentials', needConsent.join(', ')), 'scope',
          `Scopes ${needConsent.join(', ')} require user consent, and there is no user to ask: set their consent to IMPLICIT or FLEXIBLE, or leave them out.`);
      }
      const policy: PolicyRequest = { clientId: app.clientId, grantType: 'client_credentials', scopes };
      const decision = await decide(c, server, policy);
      const access = await previewAccessToken(c, {
        server, clientId: app.clientId, scopes, lifetimeSeconds: decision.lifetimes.accessTokenSeconds,
        extra: customClaims(server, 'access_token', { app: claimApp(app), scopes, groups: [] }),
      });
      access.payload.jti = jtiPlaceholder(access.payload.jti);
      return allow(server, decision, scopes, {
        access_token: access, refresh_token: { present: false, reason: 'The client_credentials grant type never returns a refresh token.' },
      });
    }
    case 'refresh_token': {
      requireGrant(app, 'refresh_token');
      const granted = await userGrant(c, server, app, need(user), input, 'authorization_code', false);
      const decision = await decide(c, server, granted.policy);
      const tokens = await userTokens(c, server, app, need(user), granted, decision.lifetimes.accessTokenSeconds);
      return allow(server, decision, granted.scopes, { ...tokens, refresh_token: rotationPreview(app, 'returned with the refreshed tokens') });
    }
  }
}

function need(user: User | undefined): User {
  if (!user) throw new Error('token preview: a user grant without a user');
  return user;
}

function requireGrant(app: App, grantType: string): void {
  const grants = app.body.settings.oauthClient.grant_types ?? [];
  if (!grants.includes(grantType)) {
    throw new Denied(OAuthError.of('unauthorized_client', grants.join(', ')), 'grant_type', grantTypeDetail(app, grantType));
  }
}

/** check-response-type.ts: each response type configured on the app, and the grant it implies. */
function requireResponseTypes(app: App, types: readonly string[], grantType: string): void {
  const settings = app.body.settings.oauthClient;
  const grants = settings.grant_types ?? [];
  const configured = settings.response_types ?? [];
  const missing = types.filter((t) => !configured.includes(t));
  if (!grants.includes(grantType) || missing.length > 0) {
    throw new Denied(OAuthError.of('unauthorized_client', grants.join(', ')), 'grant_type', grantTypeDetail(app, grantType, missing));
  }
}

function defaultImplicitTypes(app: App): ImplicitResponseType[] {
  const configured = (app.body.settings.oauthClient.response_types ?? []).filter((t): t is ImplicitResponseType => t === 'token' || t === 'id_token');
  return configured.length > 0 ? configured : ['token', 'id_token'];
}

function scopesOf(server: ServerContext, requested: string[] | undefined): string[] {
  try {
    return resolveScopes(server, requested?.join(' '));
  } catch (err) {
    if (err instanceof OAuthError) throw new Denied(err, 'scope', scopeDetail(err, server, requested ?? []));
    throw err;
  }
}

/** Scopes, user status and assignment of a user grant; the policy request it leads to. */
async function userGrant(
  c: PreviewDeps, server: ServerContext, app: App, user: User, input: PreviewInput, policyGrant: string, idToken: boolean,
): Promise<Granted> {
  const refresh = input.grantType === 'refresh_token';
  const scopes = scopesOf(server, input.scopes);
  if (!refresh && !scopes.includes('openid') && (idToken || scopes.some((s) => PROFILE_SCOPES.includes(s)))) {
    throw new Denied(OAuthError.of('openid_scope_required'), 'scope',
      `${idToken ? 'An ID token' : `Scopes ${scopes.filter((s) => PROFILE_SCOPES.includes(s)).join(', ')}`} need the openid scope: add openid to the scopes.`);
  }
  if (user.status !== 'ACTIVE') {
    const err = refresh ? OAuthError.of('invalid_refresh_token')
      : user.status === 'PASSWORD_EXPIRED' ? OAuthError.of('password_expired') : OAuthError.of('invalid_user_status_error');
    throw new Denied(err, 'user_status', userStatusDetail(user));
  }
  let access: UserAccess;
  try {
    access = await assertUserMayUseApp(c, app, user);
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    const groups = (await c.store.groups.groupRefsOfUser(user.id)).map((g) => `"${g.name}"`);
    throw new Denied(err, 'assignment',
      `User ${userName(user)} is not assigned to app ${appName(app)}, directly or through a group (the user's groups: ${groups.join(', ') || 'none'}). `
      + `Assign the user (POST /api/v1/apps/${app.id}/users) or one of those groups (PUT /api/v1/apps/${app.id}/groups/{groupId}).`);
  }
  return {
    scopes,
    policy: { clientId: app.clientId, grantType: policyGrant, user: { id: user.id, groupIds: access.groupIds }, scopes },
    subject: { app: claimApp(app), scopes, user, groups: access.groups },
  };
}

async function decide(c: PreviewDeps, server: ServerContext, req: PolicyRequest): Promise<PolicyDecision> {
  try {
    return evaluatePolicy(server, req);
  } catch (err) {
    if (!policyDenial(err) || !(err instanceof OAuthError)) throw err;
    const trace = explainPolicy(server, req);
    throw new Denied(err, trace.policies.length === 0 ? 'policy' : 'rule', await explainNoMatch(c, server, req, trace));
  }
}

// ---------------------------------------------------------------------------------------------
// Tokens

/** A jti is unique per token: shown as a placeholder rather than one that no token will ever carry. */
const jtiPlaceholder = (jti: unknown): string => (typeof jti === 'string' && jti.startsWith('AT.') ? 'AT.<unique per token>' : String(jti));

async function idToken(
  c: PreviewDeps, server: ServerContext, app: App, user: User, granted: Granted, withAccessToken: boolean, fat: boolean,
): Promise<UnsignedJwt> {
  const token = await previewIdToken(c, {
    server, clientId: app.clientId, user, scopes: granted.scopes, authTime: c.clock.now(), amr: ['pwd'], orgId: await orgId(c),
    thin: !fat, extra: customClaims(server, 'id_token', granted.subject, withAccessToken),
  });
  token.payload.jti = 'ID.<unique per token>';
  if (withAccessToken) token.payload.at_hash = REQUEST_BOUND.at_hash;
  return token;
}

/** issue-tokens.ts issueUserTokens: access token, and a thin ID token when openid is granted. */
async function userTokens(
  c: PreviewDeps, server: ServerContext, app: App, user: User, granted: Granted, accessTokenSeconds: number,
): Promise<{ access_token: UnsignedJwt; id_token?: UnsignedJwt }> {
  const access = await previewAccessToken(c, {
    server, clientId: app.clientId, scopes: granted.scopes, lifetimeSeconds: accessTokenSeconds,
    user, authTime: c.clock.now(), extra: customClaims(server, 'access_token', granted.subject),
  });
  access.payload.jti = jtiPlaceholder(access.payload.jti);
  if (!granted.scopes.includes('openid')) return { access_token: access };
  return { access_token: access, id_token: await idToken(c, server, app, user, granted, true, false) };
}

function rotationPreview(app: App, when: string): RefreshTokenPreview {
  const { rotate, leewayMs } = rotationOf(app);
  return rotate
    ? { present: true, rotation: 'ROTATE', detail: `A new refresh token is ${when}; it keeps the first one's expiry, and the one presented stays usable for ${leewayMs / 1000} s.` }
    : { present: true, rotation: 'STATIC', detail: `The same refresh token is ${when === 'returned with the refreshed tokens' ? when : `${when} and reused on every refresh`}; each use restarts its idle window.` };
}

function allow(
  server: ServerContext,
  decision: PolicyDecision,
  scopes: string[],
  tokens: Extract<PreviewResult, { result: 'ALLOW' }>['tokens'],
): PreviewResult {
  const found = server.config?.policies.find((p) => p.policy.id === decision.policyId);
  const rule = found?.rules.find((r) => r.id === decision.ruleId);
  if (!found || !rule) throw new Error('token preview: the matching policy and rule are not in the server configuration');
  const t = rule.actions.token;
  return {
    result: 'ALLOW',
    policy: { id: found.policy.id, name: found.policy.name },
    rule: { id: rule.id, name: rule.name },
    scopes,
    lifetimes: {
      accessTokenMinutes: t.accessTokenLifetimeMinutes,
      refreshTokenMinutes: t.refreshTokenLifetimeMinutes,
      refreshTokenWindowMinutes: t.refreshTokenWindowMinutes,
    },
    tokens,
  };
}
