/**
 * POST /v1/introspect (RFC 7662). The client authenticates as at the token endpoint; a public client
 * names itself (body, query or Basic without a secret) and may introspect only its own tokens. A token
 * this server did not issue, or one that is expired, revoked or belongs to a deactivated user, is
 * `{"active":false}`. Access and ID tokens are told apart from refresh tokens by shape (JWS versus
 * opaque), so `token_type_hint` is accepted but not needed.
 */
import type { Container } from '../../container.js';
import { sha256 } from '../../crypto/ids.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { decodeJwt, verifyRs256, type JwtPayload } from '../../keys/jwt.js';
import { toSeconds } from '../../lib/time.js';
import { authenticateClient, CLIENT_AUTH_PARAMS, type AuthenticatedClient } from '../client-auth/authenticate-client.js';
import { NO_STORE, readForm, type ProtocolRequest, type ProtocolResponse } from '../client-auth/request.js';
import { resolveServer, type ServerContext } from '../server-context.js';
import { isLive, rotationOf } from '../token/grants/refresh-token.js';
import type { RefreshPayload } from '../token/issue-tokens.js';
import { grantIdFromJti } from '../tokens/mint.js';

export interface AccessTokenClaims extends JwtPayload {
  jti: string;
  iss: string;
  iat: number;
  exp: number;
  cid: string;
  scp: string[];
  sub: string;
  uid?: string;
}

export const looksLikeJwt = (token: string): boolean => token.split('.').length === 3;

/** A JWS signed by one of this server's keys, unexpired; undefined otherwise. */
async function verifiedJwt(c: Pick<Container, 'keys' | 'clock'>, server: ServerContext, token: string): Promise<JwtPayload | undefined> {
  const jwt = decodeJwt(token);
  if (!jwt) return undefined;
  const key = await c.keys.findKey(server.id, jwt.header.kid);
  if (!key || !verifyRs256(jwt, key.publicKey)) return undefined;
  const { exp } = jwt.payload;
  if (typeof exp !== 'number' || exp * 1000 <= c.clock.now()) return undefined;
  return jwt.payload;
}

/**
 * An access token of this server: signature by one of its keys, its issuer, unexpired, and neither the
 * token (`jti:`) nor its grant (`grant:`) revoked. One indexed read for the revocation check.
 */
export async function verifyAccessToken(
  c: Pick<Container, 'keys' | 'clock' | 'store'>,
  server: ServerContext,
  token: string,
): Promise<AccessTokenClaims | undefined> {
  const p = await verifiedJwt(c, server, token);
  if (!p || p.iss !== server.issuer || typeof p.jti !== 'string' || !p.jti.startsWith('AT.')) return undefined;
  if (typeof p.cid !== 'string' || typeof p.sub !== 'string' || typeof p.iat !== 'number') return undefined;
  if (!Array.isArray(p.scp) || !p.scp.every((s) => typeof s === 'string')) return undefined;
  const grantId = grantIdFromJti(p.jti);
  const ids = grantId ? [`jti:${p.jti}`, `grant:${grantId}`] : [`jti:${p.jti}`];
  if (await c.store.revocations.anyRevoked(ids)) return undefined;
  return p as AccessTokenClaims;
}

const INACTIVE = { active: false } as const;
type Introspection = Record<string, unknown>;

async function activeUser(c: Pick<Container, 'store'>, userId: unknown) {
  if (typeof userId !== 'string') return undefined;
  const user = await c.store.users.get(userId);
  return user?.status === 'ACTIVE' ? user : undefined;
}

async function accessToken(c: Container, server: ServerContext, client: AuthenticatedClient, token: string): Promise<Introspection | undefined> {
  const p = await verifyAccessToken(c, server, token);
  if (!p || (client.isPublic && p.cid !== client.clientId)) return undefined;
  if (p.uid !== undefined && !(await activeUser(c, p.uid))) return undefined;
  const out: Introspection = {
    active: true, token_type: 'Bearer', scope: p.scp.join(' '), client_id: p.cid, username: p.sub,
    exp: p.exp, iat: p.iat, sub: p.sub, aud: p.aud, iss: p.iss, jti: p.jti,
  };
  if (p.uid !== undefined) out.uid = p.uid;
  return out;
}

async function idToken(c: Container, server: ServerContext, client: AuthenticatedClient, token: string): Promise<Introspection | undefined> {
  const p = await verifiedJwt(c, server, token);
  if (!p || typeof p.jti !== 'string' || !p.jti.startsWith('ID.') || typeof p.aud !== 'string') return undefined;
  if (client.isPublic && p.aud !== client.clientId) return undefined;
  const user = await activeUser(c, p.sub);
  if (!user) return undefined;
  return {
    active: true, client_id: p.aud, username: user.profile.login,
    exp: p.exp, iat: p.iat, sub: p.sub, aud: p.aud, iss: p.iss, jti: p.jti, uid: user.id,
  };
}

async function refreshToken(c: Container, server: ServerContext, client: AuthenticatedClient, token: string): Promise<Introspection | undefined> {
  if (token.length > 512) return undefined;
  const record = await c.store.refreshTokens.get(sha256(token));
  const now = c.clock.now();
  if (!record || record.authServerId !== server.id || !isLive(record, now)) return undefined;
  if (client.isPublic && record.clientId !== client.clientId) return undefined;
  if (record.rotatedAt !== null) {
    const owner = await c.cache.client(record.clientId);
    if (!owner || Math.max(0, now - record.rotatedAt) >= rotationOf(owner.app).leewayMs) return undefined;
  }
  const user = await activeUser(c, record.userId);
  if (!user) return undefined;
  const ends = [record.expiresAt, record.idleExpiresAt].filter((t): t is number => t !== null);
  const out: Introspection = {
    active: true, token_type: 'Bearer', scope: (record.payload as RefreshPayload).scopes.join(' '),
    client_id: record.clientId, username: user.profile.login,
  };
  if (ends.length) out.exp = toSeconds(Math.min(...ends));
  Object.assign(out, { iat: toSeconds(record.issuedAt), sub: user.profile.login, uid: user.id });
  return out;
}

const PARAMS: ReadonlySet<string> = new Set(['token', 'token_type_hint', ...CLIENT_AUTH_PARAMS]);

export async function introspectEndpoint(c: Container, req: ProtocolRequest): Promise<ProtocolResponse> {
  const server = await resolveServer(c, req.authServerId, req.origin);
  const params = readForm(req, PARAMS);
  const client = await authenticateClient(c, server, req, params, {
    endpointUrl: `${server.endpointBase}/v1/introspect`,
    allowClientIdInQuery: true,
  });
  const token = params.token;
  if (token === undefined || token === '') throw OAuthError.of('request_missing_token');
  let result: Introspection | undefined;
  if (looksLikeJwt(token)) {
    result = params.token_type_hint === 'id_token'
      ? (await idToken(c, server, client, token)) ?? (await accessToken(c, server, client, token))
      : (await accessToken(c, server, client, token)) ?? (await idToken(c, server, client, token));
  } else {
    result = await refreshToken(c, server, client, token);
  }
  return { status: 200, headers: { ...NO_STORE }, body: result ?? INACTIVE };
}
