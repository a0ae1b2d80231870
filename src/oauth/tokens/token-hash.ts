/** at_hash / c_hash (OIDC Core §3.3.2.11): left half of SHA-256 of the ASCII value, base64url. */
import { createHash } from 'node:crypto';

export function halfHash(value: string): string {
  const digest = createHash('sha256').update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
