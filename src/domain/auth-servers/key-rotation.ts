/**
 * Signing-key rotation of an authorization server, as Okta does it: the ACTIVE key becomes EXPIRED
 * (still published, so tokens it signed keep verifying, until it is purged), the NEXT key (published
 * ahead of use) becomes ACTIVE, and a fresh NEXT key is generated. Used by the keyRotate endpoint and
 * by the scheduled check in keys/auto-rotation.ts.
 *
 * Safe across nodes: a rotation first claims `key_rotation:{server}:{activeKid}:{window}` with one
 * INSERT (settings.setIfAbsent), so of several nodes rotating the same key exactly one proceeds; it
 * then re-reads `lastRotated` in the transaction and writes nothing if it moved. A node that dies
 * after claiming blocks that key's rotation only until the claim window ends.
 */
import type { Container } from '../../container.js';
import { randomToken } from '../../crypto/ids.js';
import type { Store } from '../../store/store.js';
import { ORG_AUTH_SERVER_ID, type AuthServer, type SigningKey } from '../model.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Okta rotates "four times a year": `nextRotation` is `lastRotated` + 90 days. */
export const ROTATION_INTERVAL_MS = 90 * DAY;
/** How long an EXPIRED key stays published after it stopped signing (tokens live at most a day). */
export const EXPIRED_RETENTION_MS = 14 * DAY;
/** Scheduled rotation promotes a NEXT key only once it has been published this long. */
export const NEXT_KEY_LEAD_MS = DAY;
const CLAIM_WINDOW_MS = 10 * MINUTE;
const ORG_LAST_ROTATED = 'org_keys_last_rotated';

export type RotationDeps = Pick<Container, 'store' | 'keys' | 'cache' | 'clock'>;

/** A server whose keys rotate, with where its `lastRotated` is kept. */
export interface RotationTarget {
  id: string;
  rotationMode: AuthServer['rotationMode'];
  lastRotated: number | null;
  /** Records a rotation at `now` unless `lastRotated` changed since it was read; false if it did. */
  save(tx: Store, now: number): Promise<boolean>;
}

export function serverTarget(server: AuthServer): RotationTarget {
  return {
    id: server.id,
    rotationMode: server.rotationMode,
    lastRotated: server.lastRotated,
    async save(tx, now) {
      const current = await tx.authServers.get(server.id);
      if (!current || current.lastRotated !== server.lastRotated) return false;
      await tx.authServers.update({ ...current, lastRotated: now });
      return true;
    },
  };
}

/** The org server has no row: its `lastRotated` is a setting, first taken from its ACTIVE key. */
export async function orgTarget(store: Store, keys: SigningKey[]): Promise<RotationTarget> {
  const raw = await store.settings.get(ORG_LAST_ROTATED);
  const active = keys.find((k) => k.status === 'ACTIVE');
  return {
    id: ORG_AUTH_SERVER_ID,
    rotationMode: 'AUTO',
    lastRotated: raw !== undefined ? Number(raw) : (active?.created ?? null),
    async save(tx, now) {
      if ((await tx.settings.get(ORG_LAST_ROTATED)) !== raw) return false;
      await tx.settings.set(ORG_LAST_ROTATED, String(now));
      return true;
    },
  };
}

/** Rotates now. False when another node or request is rotating the same key, or already did. */
export async function rotateKeys(c: RotationDeps, target: RotationTarget): Promise<boolean> {
  const now = c.clock.now();
  const keys = await c.store.signingKeys.listForServer(target.id);
  const active = keys.filter((k) => k.status === 'ACTIVE');
  const claim = `key_rotation:${target.id}:${active[0]?.kid ?? '-'}:${Math.floor(now / CLAIM_WINDOW_MS)}`;
  const token = randomToken(12);
  if ((await c.store.settings.setIfAbsent(claim, token)) !== token) return false;

  // Oldest NEXT first: it has been published longest. Without one, a new key signs at once.
  const promoted = keys.find((k) => k.status === 'NEXT') ?? (await c.keys.generate(target.id, 'NEXT'));
  const rotated = await c.store.transaction(async (tx) => {
    if (!(await target.save(tx, now))) return false;
    for (const key of active) await tx.signingKeys.update({ ...key, status: 'EXPIRED', expiresAt: now + EXPIRED_RETENTION_MS });
    await tx.signingKeys.update({ ...promoted, status: 'ACTIVE', expiresAt: null });
    return true;
  });
  c.keys.invalidate(target.id);
  c.cache.invalidateServer(target.id);
  if (rotated) await ensureNextKey(c, target.id);
  return rotated;
}

/** Makes sure a NEXT key is published; idempotent (a rare duplicate from a race simply waits its turn). */
export async function ensureNextKey(c: Pick<RotationDeps, 'store' | 'keys'>, authServerId: string): Promise<void> {
  const keys = await c.store.signingKeys.listForServer(authServerId);
  if (!keys.some((k) => k.status === 'NEXT')) await c.keys.generate(authServerId, 'NEXT');
}

/** Deletes EXPIRED keys whose retention has ended. Returns how many went. */
export async function purgeExpiredKeys(c: Pick<RotationDeps, 'store' | 'keys' | 'clock'>, authServerId: string): Promise<number> {
  const now = c.clock.now();
  const keys = await c.store.signingKeys.listForServer(authServerId);
  const done = keys.filter((k) => k.status === 'EXPIRED' && k.expiresAt !== null && k.expiresAt <= now);
  for (const key of done) await c.store.signingKeys.delete(authServerId, key.kid);
  if (done.length > 0) c.keys.invalidate(authServerId);
  return done.length;
}
