/**
 * Who is signed in, as the upstream sees it: the principal from AUTHENTICATION_JWT_PRINCIPAL_CLAIMS
 * (or its mapping), domain enforcement and the admin flag from AUTHORIZER_*, and the identity headers
 * plus a JWT signed by the gateway's key (published at /api/v1/system/config/jwks, as OpenMetadata does).
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { GatewayConfig, IdentityHeaders } from './config.js';
import type { GatewaySession, Principal } from './sessions.js';
import type { SessionStore } from './session-store/store.js';

export class PrincipalError extends Error {
  override name = 'PrincipalError';
}

type PrincipalSettings = Pick<GatewayConfig, 'principalClaims' | 'principalClaimsMapping' | 'principalDomain' | 'enforcePrincipalDomain' | 'adminPrincipals'>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

export function principalFrom(claims: Record<string, unknown>, s: PrincipalSettings): Principal {
  let user: string | undefined;
  let email: string | undefined;
  if (s.principalClaimsMapping.username && s.principalClaimsMapping.email) {
    const u = str(claims[s.principalClaimsMapping.username]);
    email = str(claims[s.principalClaimsMapping.email]);
    user = u?.split('@')[0];
    if (!user) throw new PrincipalError(`the ID token has no "${s.principalClaimsMapping.username}" claim (AUTHENTICATION_JWT_PRINCIPAL_CLAIMS_MAPPING)`);
  } else {
    const claim = s.principalClaims.find((c) => str(claims[c]) !== undefined);
    if (!claim) throw new PrincipalError(`the ID token has none of the claims ${s.principalClaims.join(', ')} (AUTHENTICATION_JWT_PRINCIPAL_CLAIMS)`);
    const value = str(claims[claim])!;
    user = value.split('@')[0]!;
    email = value.includes('@') ? value : s.principalDomain ? `${user}@${s.principalDomain}` : str(claims.email);
  }
  const domain = email?.split('@')[1]?.toLowerCase();
  if (s.enforcePrincipalDomain && domain !== s.principalDomain.toLowerCase()) {
    throw new PrincipalError(`${email ?? user} is not in the domain ${s.principalDomain} (AUTHORIZER_ENFORCE_PRINCIPAL_DOMAIN)`);
  }
  const rawGroups = claims.groups;
  const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : str(rawGroups) ? [str(rawGroups)!] : [];
  // An entry with "@" names an email; a bare name matches the username, and only within the
  // principal domain when one is set, so "admin@elsewhere" is not an admin.
  const admin = s.adminPrincipals.some((p) =>
    p.includes('@')
      ? p.toLowerCase() === email?.toLowerCase()
      : p === user && (!s.principalDomain || domain === s.principalDomain.toLowerCase()),
  );
  return {
    user,
    email,
    preferredUsername: str(claims.preferred_username),
    name: str(claims.name),
    groups,
    admin,
  };
}

/** Lower-cased names of every header that carries identity: removed from whatever a client sends. */
export function identityHeaderNames(h: IdentityHeaders): Set<string> {
  return new Set(Object.values(h).filter((v): v is string => !!v).map((v) => v.toLowerCase()));
}

/** Client headers that look like identity assertions, stripped even when not configured. */
export function isSpoofableIdentityHeader(name: string): boolean {
  return /^(x-auth-request-|x-gatehouse-|x-forwarded-(user|email|groups|preferred-username|access-token)$|remote-user$|x-remote-user$)/i.test(name);
}

/** The gateway's own RS256 key, shared by every replica through the store. */
export interface GatewayKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const KEY_RECORD = 'key:identity-signing';
const KEY_TTL_MS = 10 * 365 * 86400_000;

export async function loadGatewayKey(store: SessionStore): Promise<GatewayKey> {
  let rec = await store.get<{ jwk: JWK }>(KEY_RECORD);
  if (!rec) {
    const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
    // Replicas starting together race here; the first write wins and everyone reads it back.
    await store.create(KEY_RECORD, { jwk }, KEY_TTL_MS);
    rec = await store.get<{ jwk: JWK }>(KEY_RECORD);
    if (!rec) throw new Error('the gateway signing key could not be stored');
  }
  const { jwk } = rec.value;
  const privateKey = (await importJWK(jwk, 'RS256')) as CryptoKey;
  const { kty, n, e, kid, alg, use } = jwk;
  return { kid: kid!, privateKey, publicJwk: { kty, n, e, kid, alg, use } };
}

export interface IdentityTokenSettings {
  issuer: string;
  audience: string;
  lifetimeSeconds: number;
}

/** A short-lived JWT asserting the principal to the upstream (cached per session version). */
export class IdentityTokens {
  private readonly cache = new Map<string, { jwt: string; exp: number }>();

  constructor(private readonly key: GatewayKey, private readonly s: IdentityTokenSettings, private readonly now: () => number = Date.now) {}

  async forSession(cacheKey: string, session: GatewaySession): Promise<string> {
    const nowSec = Math.floor(this.now() / 1000);
    const hit = this.cache.get(cacheKey);
    if (hit && hit.exp - 30 > nowSec) return hit.jwt;
    const exp = nowSec + this.s.lifetimeSeconds;
    const jwt = await this.sign(session, exp);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, { jwt, exp });
    return jwt;
  }

  /** Also used by /api/v1/auth/refresh when the provider's refresh response has no ID token. */
  sign(session: GatewaySession, exp: number): Promise<string> {
    const p = session.principal;
    return new SignJWT({
      email: p.email,
      preferred_username: p.preferredUsername,
      name: p.name,
      groups: p.groups,
      admin: p.admin,
      idp_iss: session.iss,
      idp_sub: session.sub,
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.key.kid, typ: 'JWT' })
      .setIssuer(this.s.issuer)
      .setAudience(this.s.audience)
      .setSubject(p.user)
      .setIssuedAt(Math.floor(this.now() / 1000))
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.key.privateKey);
  }
}
