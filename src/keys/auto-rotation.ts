/**
 * Scheduled signing-key upkeep, run by every node at start and then hourly. For the org server and
 * each custom server it:
 * - makes sure there is an ACTIVE key (bootstrap does too; this covers servers made since);
 * - purges EXPIRED keys whose retention has ended;
 * - rotates when rotationMode is AUTO and `lastRotated` is 90 days old, provided the NEXT key has been
 *   published for at least NEXT_KEY_LEAD_MS (so verifiers have fetched it before it signs);
 * - makes sure a NEXT key is published, for the following rotation or a manual one.
 * Idempotent, and safe with any number of nodes (see domain/auth-servers/key-rotation.ts).
 */
import type { Container } from '../container.js';
import {
  NEXT_KEY_LEAD_MS, ROTATION_INTERVAL_MS, ensureNextKey, orgTarget, purgeExpiredKeys, rotateKeys, serverTarget,
  type RotationDeps, type RotationTarget,
} from '../domain/auth-servers/key-rotation.js';
import { ORG_AUTH_SERVER_ID, type AuthServer } from '../domain/model.js';

export const CHECK_INTERVAL_MS = 60 * 60 * 1000;

export type AutoRotationDeps = RotationDeps & Pick<Container, 'log'>;

/** Whether a scheduled rotation is due for `target` now. */
function due(target: RotationTarget, now: number): boolean {
  return target.rotationMode === 'AUTO' && (target.lastRotated === null || now - target.lastRotated >= ROTATION_INTERVAL_MS);
}

async function checkServer(c: RotationDeps, target: RotationTarget): Promise<void> {
  await c.keys.ensureActiveKey(target.id);
  await purgeExpiredKeys(c, target.id);
  const now = c.clock.now();
  if (due(target, now)) {
    const keys = await c.store.signingKeys.listForServer(target.id);
    const next = keys.find((k) => k.status === 'NEXT');
    if (next && now - next.created >= NEXT_KEY_LEAD_MS) await rotateKeys(c, target);
  }
  await ensureNextKey(c, target.id);
}

async function allServers(c: Pick<Container, 'store'>): Promise<AuthServer[]> {
  const out: AuthServer[] = [];
  for (let after: string | undefined; ;) {
    const batch = await c.store.authServers.list({ after, limit: 200 });
    out.push(...batch);
    if (batch.length < 200) return out;
    after = batch[batch.length - 1]?.id;
  }
}

async function checkSafely(c: AutoRotationDeps, target: () => Promise<RotationTarget>): Promise<void> {
  try {
    await checkServer(c, await target());
  } catch (err) {
    c.log.error({ err }, 'signing key rotation check failed');
  }
}

/** One pass over every server; a failure on one server is logged and does not stop the others. */
export async function runKeyRotationCheck(c: AutoRotationDeps): Promise<void> {
  await checkSafely(c, async () => orgTarget(c.store, await c.store.signingKeys.listForServer(ORG_AUTH_SERVER_ID)));
  for (const server of await allServers(c)) await checkSafely(c, async () => serverTarget(server));
}

export interface AutoRotation {
  stop(): void;
}

/** Runs the check now (awaited, so a fresh node publishes its NEXT keys before serving), then every `intervalMs`. */
export async function startAutoRotation(c: AutoRotationDeps, intervalMs = CHECK_INTERVAL_MS): Promise<AutoRotation> {
  const run = (): Promise<void> => runKeyRotationCheck(c).catch((err: unknown) => c.log.error({ err }, 'signing key rotation check failed'));
  await run();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void run().finally(() => {
      busy = false;
    });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
