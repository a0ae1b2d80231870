/**
 * Gateway sessions and sign-in transactions in the shared store. The browser holds only random
 * identifiers (session cookie, transaction binding cookie); the store is keyed by their SHA-256, so
 * a copy of the store does not yield working cookies.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GatewayError } from './errors.js';
import type { SessionStore, StoredRecord } from './session-store/store.js';

/** A store that does not answer is a 503 page, not a 500 with a driver's message. */
async function guard<T>(op: Promise<T>): Promise<T> {
  try {
    return await op;
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError(503, 'session_store_unavailable', 'Sessions are unavailable',
      `The gateway could not reach its session store: ${(err as Error)?.message ?? String(err)}.`,
      'Check GATEWAY_SESSION_STORE and that the database or Redis server is running; /readyz reports it.');
  }
}

export const TRANSACTION_TTL_MS = 10 * 60_000;

/** Everything a callback needs to finish a sign-in, stored under the state's hash. */
export interface SignInTransaction {
  kind: 'login' | 'silent';
  /** SHA-256 of the random value in the browser's transaction cookie. */
  bindingHash: string;
  nonce?: string;
  codeVerifier?: string;
  redirectUri: string;
  /** Where to go after sign-in: a same-origin path. */
  returnTo: string;
  /** Silent renewal: the session being renewed (its store key), if any. */
  sessionKey?: string;
  createdAt: number;
}

export interface Principal {
  /** The principal name (OpenMetadata's username: the claim before "@"). */
  user: string;
  email?: string;
  preferredUsername?: string;
  name?: string;
  groups: string[];
  admin: boolean;
}

export interface GatewaySession {
  iss: string;
  sub: string;
  /** ID token claims merged with userinfo. */
  claims: Record<string, unknown>;
  principal: Principal;
  idToken: string;
  /** ID token expiry, epoch ms. */
  idTokenExpiresAt: number;
  accessToken: string;
  /** Access token expiry (from expires_in, else the ID token's), epoch ms. */
  accessTokenExpiresAt: number;
  refreshToken?: string;
  scope?: string;
  createdAt: number;
  /** Absolute end of the session (OIDC_SESSION_EXPIRY after sign-in), epoch ms. */
  expiresAt: number;
  renewedAt?: number;
  /** A replica is renewing the tokens until this time (epoch ms); others wait for its result. */
  renewingUntil?: number;
}

export const newSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');
export const hashSecret = (v: string): string => createHash('sha256').update(v).digest('base64url');

export function sameHash(value: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(value));
  const b = Buffer.from(hash);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const sessionKey = (sessionId: string): string => `session:${hashSecret(sessionId)}`;
export const transactionKey = (state: string): string => `tx:${hashSecret(state)}`;
/** Name of the cookie binding a transaction to the browser that started it: one per sign-in in flight. */
export const bindingCookieName = (state: string): string => `gh_tx_${hashSecret(state).slice(0, 16).replace(/[-_]/g, 'x')}`;

export class Sessions {
  constructor(private readonly store: SessionStore, private readonly now: () => number = Date.now) {}

  async startTransaction(state: string, tx: SignInTransaction): Promise<void> {
    await guard(this.store.create(transactionKey(state), tx, TRANSACTION_TTL_MS));
  }

  /** One-time: a replayed callback finds nothing. */
  takeTransaction(state: string): Promise<SignInTransaction | undefined> {
    return guard(this.store.take<SignInTransaction>(transactionKey(state)));
  }

  async create(session: GatewaySession): Promise<string> {
    for (;;) {
      const id = newSecret();
      if (await guard(this.store.create(sessionKey(id), session, Math.max(1, session.expiresAt - this.now())))) return id;
    }
  }

  async get(key: string): Promise<StoredRecord<GatewaySession> | undefined> {
    const rec = await guard(this.store.get<GatewaySession>(key));
    return rec && rec.value.expiresAt > this.now() ? rec : undefined;
  }

  swap(key: string, version: number, session: GatewaySession): Promise<boolean> {
    return guard(this.store.swap(key, version, session, Math.max(1, session.expiresAt - this.now())));
  }

  delete(key: string): Promise<void> {
    return guard(this.store.delete(key));
  }
}
