/**
 * Where tokens are minted. Access tokens and ID tokens are RS256 JWTs shaped exactly as Okta's
 * (claims `ver`, `jti`, `cid`, `uid`, `scp`…); neither needs a database write. A user grant's id is
 * carried in the access token's `jti` (`AT.<grantId>.<random>`) so revoking the grant (code reuse,
 * refresh-token reuse) also kills its access tokens at introspection and userinfo.
 * previewAccessToken/previewIdToken build the same header and claims without signing (token preview).
 */
import type { Container } from '../../container.js';
import { randomToken } from '../../crypto/ids.js';
import type { User } from '../../domain/model.js';
import { rs256Header, signJwtAsync } from '../../keys/jwt.js';
import { toSeconds } from '../../lib/time.js';
import type { ServerContext } from '../server-context.js';
import { halfHash } from './token-hash.js';
import { userClaims } from './user-claims.js';

export const ID_TOKEN_LIFETIME_SECONDS = 3600;

export interface AccessTokenInput {
  server: ServerContext;
  clientId: string;
  scopes: string[];
  lifetimeSeconds: number;
  /** Absent for client credentials. */
  user?: User | undefined;
  authTime?: number | undefined;
  grantId?: string | undefined;
  /** Extra claims (custom RESOURCE claims). */
  extra?: Record<string, unknown> | undefined;
}

export interface MintedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
  exp: number;
}

export function accessTokenJti(grantId: string | undefined): string {
  return grantId ? `AT.${grantId}.${randomToken(12)}` : `AT.${randomToken(16)}`;
}

/** The grant id carried in an access token's jti, if any. */
export function grantIdFromJti(jti: unknown): string | undefined {
  if (typeof jti !== 'string') return undefined;
  const parts = jti.split('.');
  return parts.length === 3 && parts[0] === 'AT' ? parts[1] : undefined;
}

/** A token as it would be signed: what token preview shows instead of a usable token. */
export interface UnsignedJwt {
  header: { kid: string; alg: 'RS256' };
  payload: Record<string, unknown>;
}

export async function mintAccessToken(c: Pick<Container, 'keys' | 'clock'>, input: AccessTokenInput): Promise<MintedAccessToken> {
  const key = await c.keys.activeKey(input.server.id);
  const { payload, jti, exp } = accessTokenClaims(c.clock.now(), input);
  return { token: await signJwtAsync(payload, key.privateKey, key.kid), jti, expiresIn: input.lifetimeSeconds, exp };
}

/** The access token mintAccessToken would sign now, unsigned. */
export async function previewAccessToken(c: Pick<Container, 'keys' | 'clock'>, input: AccessTokenInput): Promise<UnsignedJwt> {
  const key = await c.keys.activeKey(input.server.id);
  return { header: rs256Header(key.kid), payload: accessTokenClaims(c.clock.now(), input).payload };
}

function accessTokenClaims(now: number, input: AccessTokenInput): { payload: Record<string, unknown>; jti: string; exp: number } {
  const iat = toSeconds(now);
  const exp = iat + input.lifetimeSeconds;
  const jti = accessTokenJti(input.grantId);
  const payload: Record<string, unknown> = {
    ver: 1,
    jti,
    iss: input.server.issuer,
    aud: input.server.audience,
    iat,
    exp,
    cid: input.clientId,
  };
  if (input.user) payload.uid = input.user.id;
  payload.scp = input.scopes;
  if (input.user && input.authTime !== undefined) payload.auth_time = toSeconds(input.authTime);
  payload.sub = input.user ? input.user.profile.login : input.clientId;
  if (input.extra) for (const [k, v] of Object.entries(input.extra)) if (!(k in payload)) payload[k] = v;
  return { payload, jti, exp };
}

export interface IdTokenInput {
  server: ServerContext;
  /** The `iss` of the ID token; differs from the server's for an app whose issuer_mode says so. */
  issuer?: string | undefined;
  clientId: string;
  user: User;
  scopes: string[];
  authTime: number;
  amr: string[];
  orgId: string;
  nonce?: string | undefined;
  accessToken?: string | undefined;
  code?: string | undefined;
  /** Fat (all profile claims) when no access token is issued beside it. */
  thin: boolean;
  extra?: Record<string, unknown> | undefined;
}

export async function mintIdToken(c: Pick<Container, 'keys' | 'clock'>, input: IdTokenInput): Promise<string> {
  const key = await c.keys.activeKey(input.server.id);
  return signJwtAsync(idTokenClaims(c.clock.now(), input), key.privateKey, key.kid);
}

/** The ID token mintIdToken would sign now, unsigned. */
export async function previewIdToken(c: Pick<Container, 'keys' | 'clock'>, input: IdTokenInput): Promise<UnsignedJwt> {
  const key = await c.keys.activeKey(input.server.id);
  return { header: rs256Header(key.kid), payload: idTokenClaims(c.clock.now(), input) };
}

function idTokenClaims(now: number, input: IdTokenInput): Record<string, unknown> {
  const iat = toSeconds(now);
  const payload: Record<string, unknown> = {
    sub: input.user.id,
    ver: 1,
    iss: input.issuer ?? input.server.issuer,
    aud: input.clientId,
    iat,
    exp: iat + ID_TOKEN_LIFETIME_SECONDS,
    jti: `ID.${randomToken(16)}`,
    amr: input.amr,
    idp: input.orgId,
  };
  if (input.nonce !== undefined) payload.nonce = input.nonce;
  payload.auth_time = toSeconds(input.authTime);
  if (input.accessToken) payload.at_hash = halfHash(input.accessToken);
  if (input.code) payload.c_hash = halfHash(input.code);
  Object.assign(payload, userClaims(input.user, input.scopes, input.thin));
  if (input.extra) for (const [k, v] of Object.entries(input.extra)) if (!(k in payload)) payload[k] = v;
  return payload;
}
