/**
 * Access policies of an authorization server (type OAUTH_AUTHORIZATION_POLICY): which clients they
 * cover (`ALL_CLIENTS` or client ids of existing apps) and their priority among the server's
 * policies. A write that moves priorities rewrites the affected rows in one transaction.
 */
import type { Container } from '../../container.js';
import { ID_PREFIX, newId } from '../../crypto/ids.js';
import { ApiError, notFound, validationError } from '../../errors/api-error.js';
import type { Policy } from '../model.js';
import {
  Causes, DUPLICATE, STATUSES, bodyObject, enumValue, objectValue, optionalString, priorityValue, requiredString, requiredStringArray,
} from './input.js';
import { changed, placeAt, without } from './priority.js';
import { findServer } from './servers-service.js';

export type PoliciesDeps = Pick<Container, 'store' | 'clock' | 'cache'>;

export const ALL_CLIENTS = 'ALL_CLIENTS';
const TYPES = ['OAUTH_AUTHORIZATION_POLICY'] as const;

export async function findPolicy(c: Pick<Container, 'store'>, authServerId: string, id: string): Promise<Policy> {
  await findServer(c, authServerId);
  const policy = await c.store.authServers.getPolicy(authServerId, id);
  if (!policy) throw notFound('AuthorizationServerPolicy', id);
  return policy;
}

export async function listPolicies(c: Pick<Container, 'store'>, authServerId: string): Promise<Policy[]> {
  await findServer(c, authServerId);
  return c.store.authServers.listPolicies(authServerId);
}

interface PolicyInput {
  fields: Pick<Policy, 'name' | 'description' | 'status' | 'conditions'>;
  priority: number | undefined;
}

function readPolicy(rawBody: unknown, existing: Policy | undefined): { input: PolicyInput; clients: string[]; causes: Causes } {
  const body = bodyObject(rawBody);
  const causes = new Causes();
  enumValue(body, 'type', TYPES, 'OAUTH_AUTHORIZATION_POLICY', causes);
  const name = requiredString(body, 'name', causes, 100);
  const description = optionalString(body, 'description', causes, 255, existing?.description ?? null);
  const status = enumValue(body, 'status', STATUSES, existing?.status ?? 'ACTIVE', causes);
  const priority = priorityValue(body, causes);
  const conditions = objectValue(body, 'conditions', causes);
  const clientsCondition = objectValue(conditions, 'clients', causes, 'conditions.clients');
  const clients = requiredStringArray(clientsCondition, 'include', existing?.conditions.clients.include, causes, 'conditions.clients.include');
  return { input: { fields: { name, description, status, conditions: { clients: { include: clients } } }, priority }, clients, causes };
}

/** Validates the body, including that every client id names an existing app and that the name is free. */
async function validatePolicy(c: Pick<Container, 'store'>, authServerId: string, rawBody: unknown, existing: Policy | undefined): Promise<PolicyInput> {
  const { input, clients, causes } = readPolicy(rawBody, existing);
  for (const clientId of clients) {
    if (clientId !== ALL_CLIENTS && !(await c.store.apps.getByClientId(clientId))) {
      causes.add('conditions.clients.include', `The client '${clientId}' does not exist`);
    }
  }
  causes.throwIfAny();
  const policies = await c.store.authServers.listPolicies(authServerId);
  if (policies.some((p) => p.id !== existing?.id && p.name === input.fields.name)) {
    throw validationError([{ field: 'name', message: DUPLICATE }]);
  }
  return input;
}

/** Writes `policy` at `priority` and renumbers the others, in one transaction. */
async function place(c: PoliciesDeps, policy: Policy, priority: number | undefined, isNew: boolean): Promise<Policy> {
  const placed = await c.store.transaction(async (tx) => {
    const before = await tx.authServers.listPolicies(policy.authServerId);
    const after = placeAt(before, policy, priority ?? (isNew ? undefined : policy.priority));
    const self = after.find((p) => p.id === policy.id) ?? policy;
    if (isNew) await tx.authServers.createPolicy(self);
    else await tx.authServers.updatePolicy(self);
    for (const p of changed(before, after)) if (p.id !== policy.id) await tx.authServers.updatePolicy({ ...p, lastUpdated: policy.lastUpdated });
    return self;
  });
  c.cache.invalidateServer(policy.authServerId);
  return placed;
}

export async function createPolicy(c: PoliciesDeps, authServerId: string, rawBody: unknown): Promise<Policy> {
  await findServer(c, authServerId);
  const { fields, priority } = await validatePolicy(c, authServerId, rawBody, undefined);
  const now = c.clock.now();
  const policy: Policy = {
    id: newId(ID_PREFIX.policy), authServerId, type: 'OAUTH_AUTHORIZATION_POLICY', ...fields, priority: Number.MAX_SAFE_INTEGER,
    system: false, created: now, lastUpdated: now,
  };
  return place(c, policy, priority, true);
}

export async function replacePolicy(c: PoliciesDeps, authServerId: string, id: string, rawBody: unknown): Promise<Policy> {
  const existing = await findPolicy(c, authServerId, id);
  const { fields, priority } = await validatePolicy(c, authServerId, rawBody, existing);
  return place(c, { ...existing, ...fields, lastUpdated: c.clock.now() }, priority, false);
}

export async function deletePolicy(c: PoliciesDeps, authServerId: string, id: string): Promise<void> {
  const policy = await findPolicy(c, authServerId, id);
  if (policy.system) throw ApiError.of('E0000006');
  const now = c.clock.now();
  await c.store.transaction(async (tx) => {
    const before = await tx.authServers.listPolicies(authServerId);
    await tx.authServers.deletePolicy(authServerId, id);
    for (const p of changed(before, without(before, id))) await tx.authServers.updatePolicy({ ...p, lastUpdated: now });
  });
  c.cache.invalidateServer(authServerId);
}

export async function setPolicyStatus(c: PoliciesDeps, authServerId: string, id: string, status: Policy['status']): Promise<void> {
  const policy = await findPolicy(c, authServerId, id);
  if (policy.status === status) return;
  await c.store.authServers.updatePolicy({ ...policy, status, lastUpdated: c.clock.now() });
  c.cache.invalidateServer(authServerId);
}
