/** Identifiers shaped like Okta's (3-character type prefix, 20 characters) and opaque random tokens. */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const ID_PREFIX = {
  user: '00u',
  group: '00g',
  app: '0oa',
  authServer: 'aus',
  scope: 'scp',
  claim: 'ocl',
  policy: '00p',
  rule: '0pr',
  secret: 'ocs',
  apiToken: '00T',
  session: '102',
  grant: 'oag',
  consent: 'oag',
  requestId: 'req',
} as const;

// Why: every randomBytes() call is a trip into OpenSSL (several microseconds on a busy machine), and
// a token request needs four to six (request id, token value, jti's). Bytes from the CSPRNG are
// drawn 4 KiB at a time instead, and each is handed out exactly once (as crypto.randomUUID does).
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** Offset in `pool` of `n` (at most POOL_SIZE) fresh random bytes. */
function takeRandom(n: number): number {
  if (poolOffset + n > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += n;
  return start;
}

/** Fills `target` with random bytes: from the same pool when it is at most 4 KiB. */
export function fillRandom(target: Buffer): Buffer {
  if (target.length > POOL_SIZE) return randomFillSync(target);
  const start = takeRandom(target.length);
  pool.copy(target, 0, start, start + target.length);
  return target;
}

/** 17 random alphanumerics after the prefix: about 101 bits, unguessable as well as unique. */
export function newId(prefix: string): string {
  const start = takeRandom(17);
  let out = prefix;
  for (let i = start; i < start + 17; i++) out += ALPHABET[pool[i]! % 62];
  return out;
}

/** A bearer secret: 32 random bytes, base64url (256 bits). */
export function randomToken(bytes = 32): string {
  // Large or invalid sizes go straight to randomBytes (which also rejects the invalid ones).
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 256) return randomBytes(bytes).toString('base64url');
  const start = takeRandom(bytes);
  return pool.toString('base64url', start, start + bytes);
}

/** Storage key of a bearer secret: stored secrets are looked up by hash, never kept in the clear. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
