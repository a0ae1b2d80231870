/**
 * Brute-force protection of client secrets (OAuth 2.1 §2.4.1: the AS "MUST protect any endpoint
 * utilizing [client_secret] against brute force attacks"; RFC 6819 §5.1.4.2.3): a failure counter per
 * client, in memory on each node, so it costs no database write per request.
 *
 * After LIMIT wrong secrets for one client within WINDOW_MS, that client's secret is not checked at
 * all for the block period: every secret-authenticated request for it (token, introspect, revoke) is
 * answered 429 with Retry-After and Okta's X-Rate-Limit-* headers, right secret or wrong, so a guess
 * made while blocked reveals nothing. Each block that follows another within BLOCK_MEMORY_MS doubles,
 * up to MAX_BLOCK_MS; a success (possible only while not blocked) forgets the client's failures.
 *
 * Chosen over answering invalid_client slowly: a delay does not stop parallel guessing, and holding
 * requests open costs the server more than the attacker. The price is that someone who knows a
 * client_id (it is public) can keep that client blocked; that is visible in the logs and bounded to
 * clients that use secrets (private_key_jwt and public clients are never throttled here). With N nodes
 * an attacker gets N × LIMIT guesses per window, still hopeless against a generated 240-bit secret.
 */
import { OAuthError } from '../../errors/oauth-error.js';

export const SECRET_FAILURE_LIMIT = 10;
const WINDOW_MS = 60_000;
const MAX_BLOCK_MS = 15 * 60_000;
/** How long a client's record (and so its block count) is kept after its last failure. */
const BLOCK_MEMORY_MS = 60 * 60_000;
/** Bound on memory: only existing clients are tracked, but never more than this many at once. */
const MAX_TRACKED = 10_000;

interface Failures {
  windowStart: number;
  count: number;
  blockedUntil: number;
  blocks: number;
  lastFailure: number;
}

export class SecretThrottle {
  readonly #clients = new Map<string, Failures>();

  /** Throws 429 while `clientId` is blocked. */
  assertNotBlocked(clientId: string, now: number): void {
    const f = this.#clients.get(clientId);
    if (!f || f.blockedUntil <= now) return;
    const reset = Math.ceil(f.blockedUntil / 1000);
    throw new OAuthError(429, 'invalid_client', 'API call exceeded rate limit due to too many requests.').withHeaders({
      'Retry-After': String(Math.max(1, Math.ceil((f.blockedUntil - now) / 1000))),
      'X-Rate-Limit-Limit': String(SECRET_FAILURE_LIMIT),
      'X-Rate-Limit-Remaining': '0',
      'X-Rate-Limit-Reset': String(reset),
    });
  }

  /** Counts a wrong secret; the LIMIT-th within a window starts a block. */
  recordFailure(clientId: string, now: number): void {
    let f = this.#clients.get(clientId);
    if (f && now - f.lastFailure > BLOCK_MEMORY_MS) f = undefined;
    if (!f) {
      if (this.#clients.size >= MAX_TRACKED) this.#prune(now);
      f = { windowStart: now, count: 0, blockedUntil: 0, blocks: 0, lastFailure: now };
      this.#clients.set(clientId, f);
    }
    if (now - f.windowStart >= WINDOW_MS) {
      f.windowStart = now;
      f.count = 0;
    }
    f.count++;
    f.lastFailure = now;
    if (f.count >= SECRET_FAILURE_LIMIT) {
      f.blocks++;
      f.blockedUntil = now + Math.min(WINDOW_MS * 2 ** (f.blocks - 1), MAX_BLOCK_MS);
      f.windowStart = now;
      f.count = 0;
    }
  }

  recordSuccess(clientId: string): void {
    this.#clients.delete(clientId);
  }

  #prune(now: number): void {
    for (const [id, f] of this.#clients) if (f.blockedUntil <= now) this.#clients.delete(id);
    if (this.#clients.size >= MAX_TRACKED) this.#clients.clear();
  }
}
