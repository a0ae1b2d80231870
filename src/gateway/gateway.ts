/**
 * The relying-party flows, independent of HTTP: starting a sign-in, finishing it at a callback,
 * renewing tokens (coordinated across replicas through the store), and signing out.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { JWTPayload } from 'jose';
import type { ClientAuthMethod, GatewayConfig } from './config.js';
import { codeExchangeError, GatewayError, idTokenError, providerAuthorizeError } from './errors.js';
import { IdentityTokens, principalFrom, PrincipalError } from './identity.js';
import { fetchUserinfo, pkceChallenge, ProviderError, revokeToken, tokenRequest, type ClientCredentials, type TokenResponse } from './oidc/client.js';
import { IdTokenError, IdTokenVerifier } from './oidc/id-token.js';
import type { ProviderMetadata } from './oidc/metadata.js';
import { hashSecret, newSecret, sameHash, sessionKey as sessionKeyOf, Sessions, type GatewaySession, type SignInTransaction } from './sessions.js';
import type { StoredRecord } from './session-store/store.js';

/** Renew this long before the access token expires, so a proxied request never carries a dead one. */
export const RENEW_MARGIN_MS = 10_000;
const RENEW_LEASE_MS = 15_000;
const RENEW_WAIT_MS = 12_000;

export interface GatewayDeps {
  config: GatewayConfig;
  metadata: ProviderMetadata;
  sessions: Sessions;
  verifier: IdTokenVerifier;
  identity: IdentityTokens;
  log: FastifyBaseLogger;
  now?: () => number;
}

export interface StartedSignIn {
  authorizeUrl: string;
  state: string;
  /** Value of the binding cookie, named by bindingCookieName(state). */
  binding: string;
}

export type CallbackQuery = Record<string, string | string[] | undefined>;

export interface CompletedSignIn {
  /** Set when a new session was created (its cookie must be set). */
  sessionId?: string;
  sessionKey: string;
  session: GatewaySession;
  returnTo: string;
}

export type RenewResult =
  | { status: 'renewed'; key: string; session: GatewaySession }
  | { status: 'no-refresh-token'; session: GatewaySession }
  | { status: 'ended'; reason: string };

export class Gateway {
  readonly config: GatewayConfig;
  readonly metadata: ProviderMetadata;
  readonly sessions: Sessions;
  readonly identity: IdentityTokens;
  private readonly verifier: IdTokenVerifier;
  private readonly log: FastifyBaseLogger;
  private readonly now: () => number;
  private readonly creds: ClientCredentials;

  constructor(d: GatewayDeps) {
    this.config = d.config;
    this.metadata = d.metadata;
    this.sessions = d.sessions;
    this.verifier = d.verifier;
    this.identity = d.identity;
    this.log = d.log;
    this.now = d.now ?? Date.now;
    this.creds = { clientId: d.config.clientId, clientSecret: d.config.clientSecret, authMethod: d.config.clientAuthMethod as ClientAuthMethod };
  }

  async beginSignIn(kind: 'login' | 'silent', returnTo: string, sessionKey?: string): Promise<StartedSignIn> {
    const c = this.config;
    const state = newSecret();
    const binding = newSecret();
    const redirectUri = kind === 'login' ? c.callbackUrl : c.silentCallbackUrl;
    const tx: SignInTransaction = {
      kind,
      bindingHash: hashSecret(binding),
      nonce: c.useNonce ? newSecret() : undefined,
      codeVerifier: c.pkce ? newSecret(48) : undefined,
      redirectUri,
      returnTo,
      sessionKey,
      createdAt: this.now(),
    };
    await this.sessions.startTransaction(state, tx);

    const url = new URL(this.metadata.authorization_endpoint);
    const p = url.searchParams;
    for (const [k, v] of Object.entries(c.customParams)) p.set(k, v);
    if (c.oidcType === 'google' && c.refresh && kind === 'login') p.set('access_type', 'offline');
    p.set('client_id', c.clientId);
    p.set('response_type', 'code');
    p.set('response_mode', 'query');
    p.set('scope', c.scopes.join(' '));
    p.set('redirect_uri', redirectUri);
    p.set('state', state);
    if (tx.nonce) p.set('nonce', tx.nonce);
    if (tx.codeVerifier) {
      p.set('code_challenge', pkceChallenge(tx.codeVerifier));
      p.set('code_challenge_method', 'S256');
    }
    if (kind === 'silent') {
      p.set('prompt', 'none');
    } else {
      if (c.prompt) p.set('prompt', c.prompt);
      if (c.maxAge !== undefined) p.set('max_age', String(c.maxAge));
    }
    return { authorizeUrl: url.toString(), state, binding };
  }

  /**
   * Finishes a sign-in at /callback or /silent-callback. `bindings` are the browser's transaction
   * cookies by name; `currentSessionKey` the session the browser already has, replaced by the new one.
   */
  async completeSignIn(kind: 'login' | 'silent', query: CallbackQuery, readBinding: (state: string) => string | undefined, currentSessionKey?: string): Promise<CompletedSignIn> {
    const c = this.config;
    const one = (name: string): string | undefined => {
      const v = query[name];
      if (Array.isArray(v)) throw new GatewayError(400, 'invalid_request', 'The sign-in response is malformed', `The parameter "${name}" appears more than once.`);
      return v === undefined || v === '' ? undefined : v;
    };
    const state = one('state');
    if (!state) {
      throw new GatewayError(400, 'missing_state', 'The sign-in response has no state',
        'The provider sent the browser back without the state parameter, so the response cannot be matched to a sign-in. Open the application again to start over.');
    }
    const tx = await this.sessions.takeTransaction(state);
    if (!tx || tx.kind !== kind) {
      throw new GatewayError(400, 'invalid_state', 'This sign-in link is no longer valid',
        'The state in the response matches no sign-in in progress: it was already used (a reload or the back button), it is older than 10 minutes, or it was started by a gateway that does not share this one\'s GATEWAY_SESSION_STORE.');
    }
    const binding = readBinding(state);
    if (!binding || !sameHash(binding, tx.bindingHash)) {
      throw new GatewayError(400, 'state_not_bound', 'This sign-in was started in another browser',
        'The response belongs to a sign-in that this browser did not start (or its cookies were blocked), so it was refused to protect you from being signed in as someone else.');
    }
    const iss = one('iss');
    if (iss !== undefined && iss !== this.metadata.issuer) {
      throw new GatewayError(400, 'issuer_mismatch', 'The sign-in response came from another issuer',
        `The response names the issuer "${iss}", not "${this.metadata.issuer}" (RFC 9207 mix-up protection).`,
        `If "${iss}" is your provider, set AUTHENTICATION_AUTHORITY and OIDC_DISCOVERY_URI to it exactly.`);
    }
    if (iss === undefined && this.metadata.authorization_response_iss_parameter_supported) {
      throw new GatewayError(400, 'issuer_missing', 'The sign-in response is missing its issuer',
        'The provider advertises the iss response parameter (RFC 9207) but this response has none, so it may not come from the provider.');
    }
    const error = one('error');
    if (error) throw providerAuthorizeError(error, one('error_description') ?? '', kind === 'login' ? 'OIDC_CALLBACK' : 'GATEWAY_SILENT_CALLBACK_URL', tx.redirectUri);
    const code = one('code');
    if (!code) throw new GatewayError(400, 'missing_code', 'The sign-in response has no code', 'The provider sent the browser back without an authorization code.');

    let tokens: TokenResponse;
    try {
      const params: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: tx.redirectUri };
      if (tx.codeVerifier) params.code_verifier = tx.codeVerifier;
      tokens = await tokenRequest(this.metadata, this.creds, params);
    } catch (err) {
      if (err instanceof ProviderError) throw codeExchangeError(err);
      throw err;
    }
    if (!tokens.id_token) {
      throw new GatewayError(502, 'no_id_token', 'The provider returned no identity token',
        'The token response has no id_token.', 'Include openid in OIDC_SCOPE and use an OpenID Connect app integration.', false);
    }
    const claims = await this.verifyIdToken(tokens.id_token, { nonce: tx.nonce, accessToken: tokens.access_token });
    const merged = await this.withUserinfo(claims, tokens.access_token);
    let principal;
    try {
      principal = principalFrom(merged, c);
    } catch (err) {
      if (err instanceof PrincipalError) {
        throw new GatewayError(403, 'principal_refused', 'This account cannot use the application', `${err.message}.`, undefined, false);
      }
      throw err;
    }
    const now = this.now();
    const base: GatewaySession = {
      iss: String(claims.iss),
      sub: String(claims.sub),
      claims: merged,
      principal,
      idToken: tokens.id_token,
      idTokenExpiresAt: Number(claims.exp) * 1000,
      accessToken: tokens.access_token,
      accessTokenExpiresAt: tokens.expires_in !== undefined ? now + tokens.expires_in * 1000 : Number(claims.exp) * 1000,
      refreshToken: tokens.refresh_token,
      scope: tokens.scope,
      createdAt: now,
      expiresAt: now + c.sessionExpirySeconds * 1000,
    };

    // Silent renewal of the same user's session: update it in place (no new cookie needed in the frame).
    const renewKey = tx.sessionKey ?? (kind === 'silent' ? currentSessionKey : undefined);
    if (kind === 'silent' && renewKey) {
      const rec = await this.sessions.get(renewKey);
      if (rec && rec.value.sub === base.sub && rec.value.iss === base.iss) {
        const updated: GatewaySession = {
          ...base,
          refreshToken: tokens.refresh_token ?? rec.value.refreshToken,
          createdAt: rec.value.createdAt,
          expiresAt: rec.value.expiresAt,
          renewedAt: now,
        };
        if (await this.sessions.swap(renewKey, rec.version, updated)) return { sessionKey: renewKey, session: updated, returnTo: tx.returnTo };
      }
    }
    // A new session id on every sign-in (no fixation); the browser's previous session ends.
    if (currentSessionKey) await this.sessions.delete(currentSessionKey);
    const sessionId = await this.sessions.create(base);
    return { sessionId, sessionKey: sessionKeyOf(sessionId), session: base, returnTo: tx.returnTo };
  }

  /**
   * Refresh grant with the stored refresh token; the rotated token replaces it. Only one replica
   * renews a session at a time: it takes a lease in the record (a versioned swap) and the others wait
   * for its result instead of spending the same refresh token twice (which rotation would punish by
   * revoking the whole grant).
   */
  async renew(key: string, opts: { force: boolean }): Promise<RenewResult> {
    const started = this.now();
    const deadline = started + RENEW_WAIT_MS;
    for (;;) {
      const rec = await this.sessions.get(key);
      if (!rec) return { status: 'ended', reason: 'no session' };
      const s = rec.value;
      if ((s.renewedAt ?? 0) >= started || (!opts.force && !this.needsRenewal(s))) return { status: 'renewed', key, session: s };
      if (!s.refreshToken) return { status: 'no-refresh-token', session: s };
      if (s.renewingUntil && s.renewingUntil > this.now()) {
        if (this.now() > deadline) throw new GatewayError(503, 'renewal_busy', 'The session is being renewed', 'Another request is renewing this session; try again in a moment.');
        await sleep(50);
        continue;
      }
      if (!(await this.sessions.swap(key, rec.version, { ...s, renewingUntil: this.now() + RENEW_LEASE_MS }))) continue;
      return this.refreshWithLease(key, rec.version + 1, s);
    }
  }

  private async refreshWithLease(key: string, version: number, s: GatewaySession): Promise<RenewResult> {
    let tokens: TokenResponse;
    try {
      tokens = await tokenRequest(this.metadata, this.creds, { grant_type: 'refresh_token', refresh_token: s.refreshToken! });
    } catch (err) {
      if (err instanceof ProviderError && (err.error === 'network_error' || err.error === 'invalid_response' || (err.status ?? 0) >= 500)) {
        await this.sessions.swap(key, version, { ...s, renewingUntil: undefined });
        throw new GatewayError(502, 'provider_unreachable', 'The identity provider could not be reached', `Renewing the session failed: ${err.message}.`);
      }
      this.log.info({ err: (err as Error).message }, 'refresh refused; ending the session');
      await this.sessions.delete(key);
      return { status: 'ended', reason: (err as Error).message };
    }
    let claims: JWTPayload | undefined;
    if (tokens.id_token) {
      try {
        claims = await this.verifier.verify(tokens.id_token, { accessToken: tokens.access_token, expectedSubject: s.sub, now: this.now });
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'renewed ID token refused; ending the session');
        await this.sessions.delete(key);
        return { status: 'ended', reason: (err as Error).message };
      }
    }
    const now = this.now();
    const idExp = claims ? Number(claims.exp) * 1000 : s.idTokenExpiresAt;
    const updated: GatewaySession = {
      ...s,
      claims: claims ? { ...s.claims, ...claims } : s.claims,
      idToken: tokens.id_token ?? s.idToken,
      idTokenExpiresAt: idExp,
      accessToken: tokens.access_token,
      accessTokenExpiresAt: tokens.expires_in !== undefined ? now + tokens.expires_in * 1000 : idExp,
      refreshToken: tokens.refresh_token ?? s.refreshToken,
      scope: tokens.scope ?? s.scope,
      renewedAt: now,
      renewingUntil: undefined,
    };
    if (!(await this.sessions.swap(key, version, updated))) {
      // Signed out meanwhile: do not resurrect the session; revoke what was just issued.
      if (tokens.refresh_token) void revokeToken(this.metadata, this.creds, tokens.refresh_token, 'refresh_token');
      return { status: 'ended', reason: 'signed out during renewal' };
    }
    return { status: 'renewed', key, session: updated };
  }

  needsRenewal(s: GatewaySession): boolean {
    return s.accessTokenExpiresAt - RENEW_MARGIN_MS <= this.now();
  }

  /** The session for a proxied request, renewed when its tokens expired; undefined means signed out. */
  async activeSession(key: string): Promise<{ key: string; session: GatewaySession; version: number } | undefined> {
    const rec: StoredRecord<GatewaySession> | undefined = await this.sessions.get(key);
    if (!rec) return undefined;
    if (!this.needsRenewal(rec.value)) return { key, session: rec.value, version: rec.version };
    const r = await this.renew(key, { force: false });
    if (r.status !== 'renewed') return undefined;
    const fresh = await this.sessions.get(key);
    return fresh ? { key, session: fresh.value, version: fresh.version } : undefined;
  }

  /** Ends the session here and at the provider; returns where to send the browser. */
  async signOut(key: string | undefined): Promise<string> {
    const c = this.config;
    const rec = key ? await this.sessions.get(key) : undefined;
    if (key) await this.sessions.delete(key);
    if (!rec) return c.postLogoutUrl;
    const s = rec.value;
    const results = await Promise.all([
      s.refreshToken ? revokeToken(this.metadata, this.creds, s.refreshToken, 'refresh_token') : undefined,
      revokeToken(this.metadata, this.creds, s.accessToken, 'access_token'),
    ]);
    for (const r of results) if (r) this.log.warn({ err: r.message }, 'token revocation failed');
    if (!this.metadata.end_session_endpoint) return c.postLogoutUrl;
    const url = new URL(this.metadata.end_session_endpoint);
    url.searchParams.set('id_token_hint', s.idToken);
    url.searchParams.set('post_logout_redirect_uri', c.postLogoutUrl);
    url.searchParams.set('client_id', c.clientId);
    url.searchParams.set('state', newSecret(16));
    return url.toString();
  }

  private async verifyIdToken(idToken: string, opts: { nonce?: string; accessToken?: string }): Promise<JWTPayload> {
    try {
      return await this.verifier.verify(idToken, { ...opts, now: this.now });
    } catch (err) {
      if (err instanceof IdTokenError) {
        this.log.warn({ problem: err.problem, err: err.message }, 'ID token refused');
        throw idTokenError(err, this.metadata.issuer, this.config.maxClockSkewSeconds);
      }
      throw err;
    }
  }

  /** Okta's code-flow ID tokens are "thin": profile and email claims come from userinfo. */
  private async withUserinfo(claims: JWTPayload, accessToken: string): Promise<Record<string, unknown>> {
    try {
      const info = await fetchUserinfo(this.metadata, accessToken);
      if (info && info.sub === claims.sub) return { ...info, ...claims };
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'userinfo failed; using the ID token claims only');
    }
    return { ...claims };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
