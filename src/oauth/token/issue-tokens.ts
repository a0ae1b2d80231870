/**
 * What the user grants (authorization_code, refresh_token) share: the token response, the access
 * token, the thin ID token beside it, refresh-token creation, and revoking a whole grant when a code
 * or a rotated refresh token is replayed.
 */
import type { Container } from '../../container.js';
import { randomToken, sha256 } from '../../crypto/ids.js';
import type { RefreshTokenPayload, User } from '../../domain/model.js';
import type { GroupRef, Store } from '../../store/store.js';
import { claimApp, customClaims, type ClaimSubject } from '../claims/custom-claims.js';
import type { AuthenticatedClient } from '../client-auth/authenticate-client.js';
import type { ServerContext } from '../server-context.js';
import { mintAccessToken, mintIdToken } from '../tokens/mint.js';

/** A revoked grant is remembered as long as its access tokens can live (at most one day). */
export const GRANT_REVOCATION_MS = 86_400_000;

/** The stored payload of a refresh token; `idTokenIssuer` keeps the app's ID-token `iss` across refreshes. */
export interface RefreshPayload extends RefreshTokenPayload {
  idTokenIssuer?: string | undefined;
}

export interface TokenResponseBody {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

export interface UserTokens {
  server: ServerContext;
  client: AuthenticatedClient;
  user: User;
  /** The user's groups, as read once for this grant (custom claims). */
  groups: GroupRef[];
  /** Scopes of this access token. */
  scopes: string[];
  authTime: number;
  amr: string[];
  grantId: string;
  accessTokenSeconds: number;
  nonce?: string | undefined;
  idTokenIssuer?: string | undefined;
  refreshToken?: string | undefined;
}

const orgIds = new WeakMap<Store, Promise<string>>();

/** The org id (`idp` claim of ID tokens), read once per store. */
export function orgId(c: Pick<Container, 'store'>): Promise<string> {
  let id = orgIds.get(c.store);
  if (!id) {
    id = c.store.settings.get('org_id').then((v) => v ?? '');
    orgIds.set(c.store, id);
    id.catch(() => orgIds.delete(c.store));
  }
  return id;
}

/**
 * Access token (with the server's RESOURCE claims), thin ID token when `openid` is granted (with the
 * IDENTITY claims that are always included), and the refresh token the grant decided on.
 */
export async function issueUserTokens(c: Pick<Container, 'store' | 'keys' | 'clock'>, t: UserTokens): Promise<TokenResponseBody> {
  const subject: ClaimSubject = { app: claimApp(t.client.app), scopes: t.scopes, user: t.user, groups: t.groups };
  const access = await mintAccessToken(c, {
    server: t.server,
    clientId: t.client.clientId,
    scopes: t.scopes,
    lifetimeSeconds: t.accessTokenSeconds,
    user: t.user,
    authTime: t.authTime,
    grantId: t.grantId,
    extra: customClaims(t.server, 'access_token', subject),
  });
  const body: TokenResponseBody = {
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    access_token: access.token,
    scope: t.scopes.join(' '),
  };
  if (t.refreshToken !== undefined) body.refresh_token = t.refreshToken;
  if (t.scopes.includes('openid')) {
    body.id_token = await mintIdToken(c, {
      server: t.server,
      issuer: t.idTokenIssuer,
      clientId: t.client.clientId,
      user: t.user,
      scopes: t.scopes,
      authTime: t.authTime,
      amr: t.amr,
      orgId: await orgId(c),
      nonce: t.nonce,
      accessToken: access.token,
      thin: true,
      extra: customClaims(t.server, 'id_token', subject, true),
    });
  }
  return body;
}

export interface NewRefreshToken {
  grantId: string;
  clientId: string;
  userId: string;
  authServerId: string;
  payload: RefreshPayload;
  /** Absolute end of the family; null = unlimited. */
  expiresAt: number | null;
  /** Idle window in seconds; null = none. */
  windowSeconds: number | null;
}

/**
 * Stores a new opaque refresh token (by hash) and returns its value. If the grant was revoked while
 * this request ran (a replayed code or refresh token racing this one), the new token is revoked too:
 * whichever order the two requests' writes land in, nothing of a revoked grant survives.
 */
export async function createRefreshToken(c: Pick<Container, 'store' | 'clock'>, t: NewRefreshToken): Promise<string> {
  const token = randomToken(32);
  const id = sha256(token);
  const now = c.clock.now();
  await c.store.refreshTokens.create({
    id,
    grantId: t.grantId,
    clientId: t.clientId,
    userId: t.userId,
    authServerId: t.authServerId,
    payload: t.payload,
    issuedAt: now,
    expiresAt: t.expiresAt,
    idleExpiresAt: t.windowSeconds === null ? null : now + t.windowSeconds * 1000,
    rotatedAt: null,
    revokedAt: null,
  });
  if (await c.store.revocations.anyRevoked([`grant:${t.grantId}`])) await c.store.refreshTokens.revoke(id, now);
  return token;
}

/**
 * Revokes everything a grant issued: its access tokens (through the `grant:` revocation their jti
 * points at) and its whole refresh-token family. The revocation is recorded first; see createRefreshToken.
 */
export async function revokeGrant(c: Pick<Container, 'store' | 'clock'>, grantId: string): Promise<void> {
  const now = c.clock.now();
  await c.store.revocations.add(`grant:${grantId}`, now + GRANT_REVOCATION_MS);
  await c.store.refreshTokens.revokeGrant(grantId, now);
}
