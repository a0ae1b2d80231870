import { createHash, randomBytes } from 'node:crypto';

export function randomString(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}
