/**
 * Hourly housekeeping on every node: drops expired one-time artifacts, revocation entries and
 * sessions, and System Log events older than Okta's 90-day retention. Each delete is idempotent, so
 * several nodes running it at once only repeat work; a failure is logged and retried next hour.
 */
import type { Container } from '../container.js';

export const MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;
export const SYSTEM_LOG_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

export async function runMaintenance(c: Pick<Container, 'store' | 'clock'>): Promise<void> {
  const now = c.clock.now();
  await c.store.artifacts.deleteExpired(now);
  await c.store.revocations.deleteExpired(now);
  await c.store.sessions.deleteExpired(now);
  await c.store.systemLog.deleteBefore(now - SYSTEM_LOG_RETENTION_MS);
}

export function startMaintenance(c: Pick<Container, 'store' | 'clock' | 'log'>, intervalMs = MAINTENANCE_INTERVAL_MS): { stop(): void } {
  const timer = setInterval(() => {
    runMaintenance(c).catch((err: unknown) => c.log.error({ err }, 'maintenance failed'));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
