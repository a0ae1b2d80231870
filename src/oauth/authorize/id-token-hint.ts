/**
 * Verification of an ID token we issued, presented back as `id_token_hint` (/authorize, /logout):
 * RS256 with one of the server's own keys, looked up by `kid` (RFC 8725 §3.1: the algorithm is
 * fixed, `none` and HMAC are refused), and our issuer (on the org server also the request's origin,
 * which an app with issuer_mode DYNAMIC gets as `iss`). Expiry is not checked: OIDC lets an expired
 * hint identify the user.
 */
import type { Container } from '../../container.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { decodeJwt, verifyRs256, type JwtPayload } from '../../keys/jwt.js';
import { acceptedIdTokenIssuers, type RequestOrigin, type ServerContext } from '../server-context.js';

export interface VerifiedIdTokenHint {
  sub: string;
  /** The client the token was issued to. */
  audience: string[];
  claims: JwtPayload;
}

export async function verifyIdTokenHint(
  c: Pick<Container, 'keys'>,
  server: ServerContext,
  token: string,
  origin?: RequestOrigin,
): Promise<VerifiedIdTokenHint> {
  const decoded = decodeJwt(token);
  if (!decoded) throw OAuthError.of('eam_invalid_id_token_hint');
  const key = await c.keys.findKey(server.id, decoded.header.kid);
  if (!key || !verifyRs256(decoded, key.publicKey)) throw OAuthError.of('eam_invalid_id_token_hint_signature');
  const { iss, sub, aud } = decoded.payload;
  if (typeof iss !== 'string' || !acceptedIdTokenIssuers(server, origin).includes(iss)) throw OAuthError.of('eam_id_token_hint_invalid_issuer');
  const audience = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
  if (typeof sub !== 'string' || audience.length === 0) throw OAuthError.of('eam_invalid_id_token_hint');
  return { sub, audience, claims: decoded.payload };
}
