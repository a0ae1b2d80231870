/**
 * The gateway's shared state: sessions, sign-in transactions (state / nonce / PKCE verifier) and the
 * gateway's signing key. Every replica of the gateway talks to the same store, so a callback or a
 * refresh may land on any of them: no sticky sessions (OpenMetadata issues #16031, #20782).
 *
 * The contract is a small key-value store with expiry and versions, shaped around what the flows need:
 * - `take` reads and deletes in one step, so a sign-in transaction is used at most once even when two
 *   replicas receive the same callback;
 * - `swap` writes only if the record still has the version that was read, so two replicas renewing
 *   the same session cannot both spend one (rotating) refresh token.
 * Keys are opaque strings; callers store hashes of bearer secrets, never the secrets themselves.
 */

export interface StoredRecord<T> {
  value: T;
  /** Increases by one on every write; 1 after `create`. */
  version: number;
  /** Epoch milliseconds after which the record no longer exists. */
  expiresAt: number;
}

export interface SessionStore {
  /** Which backend this is, for logs ("sqlite", "postgres", "redis"). */
  readonly kind: string;
  /** Writes the record unless one already exists; true when this call created it. */
  create(key: string, value: unknown, ttlMs: number): Promise<boolean>;
  get<T>(key: string): Promise<StoredRecord<T> | undefined>;
  /** Replaces the record only if its version is still `expectedVersion`; true on success. */
  swap(key: string, expectedVersion: number, value: unknown, ttlMs: number): Promise<boolean>;
  /** Reads and deletes the record atomically: of concurrent callers exactly one gets it. */
  take<T>(key: string): Promise<T | undefined>;
  delete(key: string): Promise<void>;
  /** True when the backend answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export class SessionStoreError extends Error {
  override name = 'SessionStoreError';
}
