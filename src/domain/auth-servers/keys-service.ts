/** An authorization server's signing keys (`/credentials/keys`) and manual rotation (`keyRotate`). */
import type { Container } from '../../container.js';
import { ApiError, notFound } from '../../errors/api-error.js';
import type { SigningKey } from '../model.js';
import { isObject } from './input.js';
import { rotateKeys, serverTarget, type RotationDeps } from './key-rotation.js';
import { findServer } from './servers-service.js';

const ORDER = { ACTIVE: 0, NEXT: 1, EXPIRED: 2 } as const;

/** ACTIVE, then NEXT, then EXPIRED keys, newest first within each status. */
export async function listKeys(c: Pick<Container, 'store'>, authServerId: string): Promise<SigningKey[]> {
  await findServer(c, authServerId);
  const keys = await c.store.signingKeys.listForServer(authServerId);
  return keys.sort((a, b) => ORDER[a.status] - ORDER[b.status] || b.created - a.created);
}

export async function getKey(c: Pick<Container, 'store'>, authServerId: string, kid: string): Promise<SigningKey> {
  const key = (await listKeys(c, authServerId)).find((k) => k.kid === kid);
  if (!key) throw notFound('AuthorizationServerKey', kid);
  return key;
}

/**
 * POST /credentials/lifecycle/keyRotate with `{"use":"sig"}`: rotates at once, whatever the
 * rotationMode, and returns the keys. A concurrent rotation of the same key wins instead of this one.
 */
export async function rotateServerKeys(c: RotationDeps, authServerId: string, rawBody: unknown): Promise<SigningKey[]> {
  const server = await findServer(c, authServerId);
  if (!isObject(rawBody) || rawBody.use !== 'sig') {
    // management.yaml example InvalidRotateUse.
    throw ApiError.of('E0000001', ['rotateKeys'], ["Invalid value specified for key 'use' parameter"]);
  }
  await rotateKeys(c, serverTarget(server));
  return listKeys(c, authServerId);
}
