/**
 * private_key_jwt (RFC 7523 §2.2, OIDC Core §9): the client signs a short-lived JWT with a key whose
 * public half is registered, ACTIVE, in the app's `settings.oauthClient.jwks`. Keys come only from that JWKS:
 * `jku`, `x5u` and `jwk` headers are never followed (RFC 8725 §3.10). The algorithm must be on the
 * allowlist and agree with the key (RFC 8725 §3.1). Each `jti` is accepted once.
 */
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Container } from '../../container.js';
import { isActiveKey } from '../../domain/app-jwks.js';
import { sha256 } from '../../crypto/ids.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { decodeJwt } from '../../keys/jwt.js';
import type { ClientRecord } from '../config-cache.js';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * The algorithms Okta accepts for client assertions, as the Apps API accepts their keys: RSASSA
 * PKCS#1 v1.5 and ECDSA (whose JWS signatures are r‖s of a fixed length, RFC 7518 §3.4).
 */
const ALGORITHMS: Record<string, { kty: string; crv?: string; digest: string; ecdsaLength?: number }> = {
  RS256: { kty: 'RSA', digest: 'sha256' },
  RS384: { kty: 'RSA', digest: 'sha384' },
  RS512: { kty: 'RSA', digest: 'sha512' },
  ES256: { kty: 'EC', crv: 'P-256', digest: 'sha256', ecdsaLength: 64 },
  ES384: { kty: 'EC', crv: 'P-384', digest: 'sha384', ecdsaLength: 96 },
  ES512: { kty: 'EC', crv: 'P-521', digest: 'sha512', ecdsaLength: 132 },
};
/** For discovery: RFC 8414 §2 requires the list wherever private_key_jwt is offered. */
export const CLIENT_ASSERTION_ALGORITHMS = Object.keys(ALGORITHMS);

/** Tolerated clock difference with the client. */
const SKEW_SECONDS = 30;
/** Okta rejects assertions that live longer than an hour. */
const MAX_LIFETIME_SECONDS = 3600;

export interface AssertionInput {
  assertion: string;
  assertionType: string | undefined;
  /** The `client_id` parameter, if the client also sent one. */
  clientId: string | undefined;
  /** Accepted `aud` values: the endpoint invoked, the token endpoint, the issuer. */
  audiences: string[];
}

const importedKeys = new WeakMap<object, KeyObject | null>();

function importKey(jwk: Record<string, unknown>): KeyObject | null {
  let key = importedKeys.get(jwk);
  if (key !== undefined) return key;
  try {
    // Only the public members: a JWKS that (wrongly) holds a private key still yields a public key.
    const pub: Record<string, unknown> = { kty: jwk.kty };
    for (const m of ['n', 'e', 'crv', 'x', 'y']) if (jwk[m] !== undefined) pub[m] = jwk[m];
    key = createPublicKey({ key: pub as JsonWebKey, format: 'jwk' });
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (key.asymmetricKeyType === 'rsa' && (bits === undefined || bits < 2048)) key = null;
  } catch {
    key = null;
  }
  importedKeys.set(jwk, key);
  return key;
}

function fits(jwk: Record<string, unknown>, alg: string): boolean {
  const want = ALGORITHMS[alg];
  if (!want || jwk.kty !== want.kty) return false;
  if (want.crv !== undefined && jwk.crv !== want.crv) return false;
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  return jwk.alg === undefined || jwk.alg === alg;
}

function signatureValid(alg: string, key: KeyObject, input: string, signature: Buffer): boolean {
  const a = ALGORITHMS[alg];
  if (!a) return false;
  try {
    if (a.ecdsaLength !== undefined) {
      return signature.length === a.ecdsaLength && verify(a.digest, Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    return verify(a.digest, Buffer.from(input), key, signature);
  } catch {
    return false;
  }
}

// Two requests replaying one assertion on this node are caught here even before the first has
// recorded its jti in the database.
const inFlight = new Set<string>();

async function consumeJti(c: Pick<Container, 'store'>, clientId: string, jti: string, exp: number): Promise<void> {
  const id = `assertion:${sha256(`${clientId}\0${jti}`)}`;
  if (inFlight.has(id)) throw OAuthError.of('client_assertion_already_used');
  inFlight.add(id);
  try {
    if (await c.store.revocations.anyRevoked([id])) throw OAuthError.of('client_assertion_already_used');
    await c.store.revocations.add(id, (exp + SKEW_SECONDS) * 1000);
  } finally {
    inFlight.delete(id);
  }
}

/** Verifies a client assertion and returns the client it authenticates. */
export async function verifyClientAssertion(
  c: Pick<Container, 'store' | 'cache' | 'clock'>,
  input: AssertionInput,
): Promise<ClientRecord> {
  if (input.assertionType !== JWT_BEARER_ASSERTION_TYPE) throw OAuthError.of('client_assertion_type_invalid');
  const jwt = decodeJwt(input.assertion);
  if (!jwt) throw OAuthError.of('client_assertion_invalid_jwt');
  const { header, payload } = jwt;
  const alg = header.alg;
  if (typeof alg !== 'string' || !(alg in ALGORITHMS)) throw OAuthError.of('client_assertion_invalid_signature_algorithm');
  if (header.crit !== undefined) throw OAuthError.of('client_assertion_invalid_jwt');

  const iss = payload.iss;
  if (typeof iss !== 'string' || iss === '') throw OAuthError.of('client_assertion_invalid_issuer');
  if (payload.sub !== iss) throw OAuthError.of('client_assertion_invalid_subject');
  if (input.clientId !== undefined && input.clientId !== iss) throw OAuthError.of('invalid_client');
  const record = await c.cache.client(iss);
  if (!record) throw OAuthError.of('client_assertion_invalid_issuer');
  if (record.app.status !== 'ACTIVE') throw OAuthError.of('invalid_client');
  if (record.app.body.credentials.oauthClient.token_endpoint_auth_method !== 'private_key_jwt') {
    throw OAuthError.of('invalid_token_endpoint_auth_method');
  }

  // Only ACTIVE keys verify (a key deactivated through /api/v1/apps/{id}/credentials/jwks is kept but unused).
  const jwks = record.app.body.settings.oauthClient.jwks?.keys?.filter(isActiveKey);
  if (!Array.isArray(jwks) || jwks.length === 0) throw OAuthError.of('client_assertion_jwks_not_configured');
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== 'string') throw OAuthError.of('client_assertion_invalid_kid');
  const named = kid === undefined ? jwks : jwks.filter((k) => k.kid === kid);
  if (named.length === 0) throw OAuthError.of('client_assertion_invalid_kid');
  const usable = named.filter((k) => fits(k, alg));
  if (usable.length === 0) throw OAuthError.of('client_assertion_invalid_signature_algorithm');
  const keys = usable.map(importKey).filter((k): k is KeyObject => k !== null);
  if (keys.length === 0) throw OAuthError.of('client_assertion_invalid_jwks');
  if (!keys.some((k) => signatureValid(alg, k, jwt.signingInput, jwt.signature))) {
    throw OAuthError.of('client_assertion_invalid_signature');
  }

  const aud = payload.aud;
  const auds = Array.isArray(aud) ? aud : [aud];
  if (!auds.some((a) => typeof a === 'string' && input.audiences.includes(a))) throw OAuthError.of('client_assertion_invalid_audience');
  const now = c.clock.now() / 1000;
  const exp = payload.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw OAuthError.of('client_assertion_expiration_required');
  if (exp <= now - SKEW_SECONDS) throw OAuthError.of('client_assertion_expired_token');
  if (exp > now + MAX_LIFETIME_SECONDS + SKEW_SECONDS) throw OAuthError.of('client_assertion_expires_too_far_in_future');
  if (payload.iat !== undefined && (typeof payload.iat !== 'number' || payload.iat > now + SKEW_SECONDS)) {
    throw OAuthError.of('client_assertion_issued_at_in_future');
  }
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now + SKEW_SECONDS)) {
    throw OAuthError.of('client_assertion_invalid_jwt');
  }
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti === '' || jti.length > 512) throw OAuthError.of('client_assertion_invalid_jwt');
  await consumeJti(c, iss, jti, Math.ceil(exp));
  return record;
}
