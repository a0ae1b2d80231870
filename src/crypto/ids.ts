/** Identifiers shaped like Okta's (3-character type prefix, 20 characters) and opaque random tokens. */
import { createHash, randomBytes } from 'node:crypto';

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

/** 17 random alphanumerics after the prefix: about 101 bits, unguessable as well as unique. */
export function newId(prefix: string): string {
  const bytes = randomBytes(17);
  let out = prefix;
  for (const b of bytes) out += ALPHABET[b % 62];
  return out;
}

/** A bearer secret: 32 random bytes, base64url (256 bits). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Storage key of a bearer secret: stored secrets are looked up by hash, never kept in the clear. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
