/**
 * Trusted origins: CRUD and lifecycle behind /api/v1/trustedOrigins. Every change invalidates this
 * node's CORS allow-list and is written to the System Log with the acting administrator.
 */
import { recordEvent, trustedOriginTarget, userActor, type RequestInfo } from '../../audit/system-log.js';
import type { EventType } from '../../audit/event-types.js';
import type { Container } from '../../container.js';
import { newId } from '../../crypto/ids.js';
import { notFound, validationError } from '../../errors/api-error.js';
import { DuplicateError, type TrustedOriginListQuery } from '../../store/store.js';
import type { User } from '../model.js';
import { invalidateTrustedOrigins } from './cors-allow-list.js';
import { readTrustedOriginInput } from './input.js';
import type { TrustedOrigin } from './model.js';

export type TrustedOriginsDeps = Pick<Container, 'store' | 'clock' | 'log'>;

/** Who is making the change, for createdBy/lastUpdatedBy and the System Log. */
export interface AdminContext {
  admin: User;
  request?: RequestInfo;
}

const ID_PREFIX = 'tos';

function duplicateOrigin(err: unknown): unknown {
  return err instanceof DuplicateError && err.field === 'origin'
    ? validationError([{ field: 'origin', message: 'An object with this field already exists' }])
    : err;
}

function audit(c: TrustedOriginsDeps, ctx: AdminContext, eventType: EventType, o: TrustedOrigin, before?: TrustedOrigin): void {
  const target = trustedOriginTarget(o);
  if (before) {
    const view = (x: TrustedOrigin) => ({ name: x.name, origin: x.origin, scopes: x.scopes, status: x.status });
    target.changeDetails = { from: view(before), to: view(o) };
  }
  recordEvent(c, { eventType, actor: userActor(ctx.admin), target: [target], ...(ctx.request ? { request: ctx.request } : {}) });
}

export async function findTrustedOrigin(c: Pick<Container, 'store'>, id: string): Promise<TrustedOrigin> {
  const origin = await c.store.trustedOrigins.get(id);
  if (!origin) throw notFound('TrustedOrigin', id);
  return origin;
}

/** One page plus a probe row (see pagination.ts). */
export function listTrustedOrigins(c: Pick<Container, 'store'>, query: TrustedOriginListQuery): Promise<TrustedOrigin[]> {
  return c.store.trustedOrigins.list({ ...query, limit: query.limit + 1 });
}

export async function createTrustedOrigin(c: TrustedOriginsDeps, body: unknown, ctx: AdminContext): Promise<TrustedOrigin> {
  const input = readTrustedOriginInput(body);
  const now = c.clock.now();
  const origin: TrustedOrigin = {
    id: newId(ID_PREFIX), ...input, status: 'ACTIVE',
    created: now, createdBy: ctx.admin.id, lastUpdated: now, lastUpdatedBy: ctx.admin.id,
  };
  try {
    await c.store.trustedOrigins.create(origin);
  } catch (err) {
    throw duplicateOrigin(err);
  }
  invalidateTrustedOrigins(c);
  audit(c, ctx, 'security.trusted_origin.create', origin);
  return origin;
}

/** PUT: replaces name, origin and scopes; the status changes only through the lifecycle operations. */
export async function replaceTrustedOrigin(c: TrustedOriginsDeps, id: string, body: unknown, ctx: AdminContext): Promise<TrustedOrigin> {
  const existing = await findTrustedOrigin(c, id);
  const input = readTrustedOriginInput(body);
  const origin: TrustedOrigin = { ...existing, ...input, lastUpdated: c.clock.now(), lastUpdatedBy: ctx.admin.id };
  try {
    await c.store.trustedOrigins.update(origin);
  } catch (err) {
    throw duplicateOrigin(err);
  }
  invalidateTrustedOrigins(c);
  audit(c, ctx, 'security.trusted_origin.update', origin, existing);
  return origin;
}

export async function deleteTrustedOrigin(c: TrustedOriginsDeps, id: string, ctx: AdminContext): Promise<void> {
  const existing = await findTrustedOrigin(c, id);
  await c.store.trustedOrigins.delete(id);
  invalidateTrustedOrigins(c);
  audit(c, ctx, 'security.trusted_origin.delete', existing);
}

/** Lifecycle activate/deactivate; idempotent, and a no-op change is neither written nor logged. */
export async function setTrustedOriginStatus(
  c: TrustedOriginsDeps, id: string, status: TrustedOrigin['status'], ctx: AdminContext,
): Promise<TrustedOrigin> {
  const existing = await findTrustedOrigin(c, id);
  if (existing.status === status) return existing;
  const origin: TrustedOrigin = { ...existing, status, lastUpdated: c.clock.now(), lastUpdatedBy: ctx.admin.id };
  await c.store.trustedOrigins.update(origin);
  invalidateTrustedOrigins(c);
  audit(c, ctx, status === 'ACTIVE' ? 'security.trusted_origin.activate' : 'security.trusted_origin.deactivate', origin);
  return origin;
}
