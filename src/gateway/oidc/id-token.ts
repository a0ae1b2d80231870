/**
 * ID token validation (OpenID Connect Core §3.1.3.7), with `jose`: signature by a key from the
 * discovery jwks_uri or AUTHENTICATION_PUBLIC_KEYS, alg = OIDC_PREFERRED_JWS, iss (exact), aud, azp,
 * exp / iat / nbf within OIDC_MAX_CLOCK_SKEW, nonce, at_hash. Failures carry a code the error pages
 * turn into an explanation.
 */
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

export type IdTokenProblem =
  | 'malformed' | 'alg' | 'unknown-key' | 'signature' | 'keys-unavailable'
  | 'issuer' | 'audience' | 'azp' | 'expired' | 'issued-in-future' | 'not-yet-valid'
  | 'nonce' | 'at-hash' | 'subject' | 'claims';

export class IdTokenError extends Error {
  override name = 'IdTokenError';
  constructor(readonly problem: IdTokenProblem, message: string, readonly claims?: JWTPayload) {
    super(message);
  }
}

export interface IdTokenSettings {
  issuer: string;
  clientId: string;
  algorithm: string;
  clockSkewSeconds: number;
  jwksUri: string;
  extraJwksUris: readonly string[];
}

export interface VerifyOptions {
  /** The nonce sent in the authorization request, when one was. */
  nonce?: string;
  /** The access token returned beside the ID token, to check at_hash. */
  accessToken?: string;
  /** On refresh: the subject must not change (Core §12.2). */
  expectedSubject?: string;
  /** For tests: the current time. */
  now?: () => number;
}

export class IdTokenVerifier {
  private readonly keySets: { uri: string; get: JWTVerifyGetKey }[];

  constructor(private readonly s: IdTokenSettings) {
    const uris = [s.jwksUri, ...s.extraJwksUris.filter((u) => u !== s.jwksUri)];
    this.keySets = uris.map((uri) => ({
      uri,
      get: createRemoteJWKSet(new URL(uri), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5_000 }),
    }));
  }

  get jwksUris(): string[] {
    return this.keySets.map((k) => k.uri);
  }

  /** A key from the first key set that has one for this token's header. */
  private readonly resolveKey: JWTVerifyGetKey = async (header, token) => {
    let lastError: unknown;
    for (const set of this.keySets) {
      try {
        return await set.get(header, token);
      } catch (err) {
        lastError = err;
        if (err instanceof errors.JWKSNoMatchingKey) continue;
        if (err instanceof errors.JWKSMultipleMatchingKeys) throw err;
        // An unreachable extra key set must not hide a key in the next one.
        continue;
      }
    }
    throw lastError;
  };

  async verify(idToken: string, opts: VerifyOptions = {}): Promise<JWTPayload> {
    const now = opts.now?.() ?? Date.now();
    const skew = this.s.clockSkewSeconds;
    let payload: JWTPayload;
    let alg: string;
    try {
      const r = await jwtVerify(idToken, this.resolveKey, {
        algorithms: [this.s.algorithm],
        issuer: this.s.issuer,
        audience: this.s.clientId,
        clockTolerance: skew,
        currentDate: new Date(now),
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      payload = r.payload;
      alg = r.protectedHeader.alg;
    } catch (err) {
      throw this.explain(err, now);
    }
    const nowSec = Math.floor(now / 1000);
    if (typeof payload.iat === 'number' && payload.iat > nowSec + skew) {
      throw new IdTokenError('issued-in-future', `the ID token was issued ${payload.iat - nowSec} s in the future (allowed clock skew ${skew} s)`, payload);
    }
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (payload.azp !== undefined && payload.azp !== this.s.clientId) {
      throw new IdTokenError('azp', `the ID token's azp "${String(payload.azp)}" is not this client`, payload);
    }
    if (aud.length > 1 && payload.azp === undefined) {
      throw new IdTokenError('azp', 'the ID token has several audiences but no azp', payload);
    }
    if (opts.nonce !== undefined && payload.nonce !== opts.nonce) {
      throw new IdTokenError('nonce', payload.nonce === undefined ? 'the ID token has no nonce' : 'the ID token\'s nonce is not the one this sign-in sent', payload);
    }
    if (opts.expectedSubject !== undefined && payload.sub !== opts.expectedSubject) {
      throw new IdTokenError('subject', 'the renewed ID token is for a different subject', payload);
    }
    if (opts.accessToken !== undefined && payload.at_hash !== undefined && payload.at_hash !== tokenHash(opts.accessToken, alg)) {
      throw new IdTokenError('at-hash', 'the ID token\'s at_hash does not match the access token', payload);
    }
    return payload;
  }

  private explain(err: unknown, now: number): IdTokenError {
    const skew = this.s.clockSkewSeconds;
    if (err instanceof errors.JWTExpired) {
      const exp = (err.payload as JWTPayload).exp ?? 0;
      return new IdTokenError('expired', `the ID token expired ${Math.max(0, Math.floor(now / 1000) - exp)} s ago (allowed clock skew ${skew} s)`, err.payload);
    }
    if (err instanceof errors.JWTClaimValidationFailed) {
      const claim = err.claim;
      const p = err.payload as JWTPayload;
      if (claim === 'iss') return new IdTokenError('issuer', `the ID token's issuer "${String(p.iss)}" is not "${this.s.issuer}"`, p);
      if (claim === 'aud') return new IdTokenError('audience', `the ID token's audience ${JSON.stringify(p.aud)} does not include "${this.s.clientId}"`, p);
      if (claim === 'nbf') return new IdTokenError('not-yet-valid', `the ID token is not valid yet (nbf ${String(p.nbf)}; allowed clock skew ${skew} s)`, p);
      return new IdTokenError('claims', `the ID token's ${claim} claim is invalid: ${err.reason}`, p);
    }
    if (err instanceof errors.JOSEAlgNotAllowed) return new IdTokenError('alg', `the ID token is not signed with ${this.s.algorithm}`);
    if (err instanceof errors.JWSSignatureVerificationFailed) return new IdTokenError('signature', 'the ID token\'s signature does not verify');
    if (err instanceof errors.JWKSNoMatchingKey) return new IdTokenError('unknown-key', `no key for the ID token's kid in ${this.jwksUris.join(', ')}`);
    if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err instanceof TypeError) {
      return new IdTokenError('keys-unavailable', `the signing keys could not be fetched from ${this.jwksUris.join(', ')}: ${(err as Error).message}`);
    }
    if (err instanceof errors.JOSEError) return new IdTokenError('malformed', `the ID token is not a valid JWT: ${err.message}`);
    return new IdTokenError('keys-unavailable', `the ID token could not be verified: ${(err as Error)?.message ?? String(err)}`);
  }
}

/** at_hash / c_hash: left half of the hash that matches the JWS algorithm, base64url (Core §3.1.3.6). */
export function tokenHash(token: string, alg: string): string {
  const bits = alg === 'EdDSA' ? '512' : alg.slice(-3);
  const hash = bits === '384' ? 'sha384' : bits === '512' ? 'sha512' : 'sha256';
  const digest = createHash(hash).update(token).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
