/**
 * Scopes of a custom authorization server. Names are unique per server, are RFC 6749 scope tokens
 * and may not use Okta's reserved `okta.` prefix. System scopes (openid, profile, …) can be edited
 * but neither renamed nor deleted.
 */
import type { Container } from '../../container.js';
import { ID_PREFIX, newId } from '../../crypto/ids.js';
import { ApiError, notFound, validationError } from '../../errors/api-error.js';
import { DuplicateError, type Page } from '../../store/store.js';
import type { Scope } from '../model.js';
import { Causes, DUPLICATE, bodyObject, booleanValue, enumValue, optionalString, requiredString } from './input.js';
import { findServer } from './servers-service.js';

export type ScopesDeps = Pick<Container, 'store' | 'clock' | 'cache'>;

const CONSENTS: readonly Scope['consent'][] = ['REQUIRED', 'IMPLICIT', 'FLEXIBLE'];
const PUBLISH: readonly Scope['metadataPublish'][] = ['ALL_CLIENTS', 'NO_CLIENTS'];
// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export async function findScope(c: Pick<Container, 'store'>, authServerId: string, id: string): Promise<Scope> {
  await findServer(c, authServerId);
  const scope = await c.store.authServers.getScope(authServerId, id);
  if (!scope) throw notFound('OAuth2Scope', id);
  return scope;
}

type ScopeInput = Pick<Scope, 'name' | 'displayName' | 'description' | 'consent' | 'default' | 'optional' | 'metadataPublish'>;

function readScope(rawBody: unknown, existing: Scope | undefined): ScopeInput {
  const body = bodyObject(rawBody);
  const causes = new Causes();
  const name = requiredString(body, 'name', causes, 1024);
  if (name !== '' && !SCOPE_TOKEN.test(name)) causes.add('name', 'A scope name must not contain spaces, double quotes or backslashes');
  else if (name.toLowerCase().startsWith('okta.')) causes.add('name', "The 'okta.' prefix is reserved for Okta scopes");
  if (existing?.system && name !== '' && name !== existing.name) causes.add('name', 'The name of a system scope cannot be changed');
  const input: ScopeInput = {
    name,
    displayName: optionalString(body, 'displayName', causes, 255, existing?.displayName ?? null),
    description: optionalString(body, 'description', causes, 1024, existing?.description ?? null),
    consent: enumValue(body, 'consent', CONSENTS, existing?.consent ?? 'IMPLICIT', causes),
    default: booleanValue(body, 'default', existing?.default ?? false, causes),
    optional: booleanValue(body, 'optional', existing?.optional ?? false, causes),
    metadataPublish: enumValue(body, 'metadataPublish', PUBLISH, existing?.metadataPublish ?? 'NO_CLIENTS', causes),
  };
  causes.throwIfAny();
  return input;
}

function mapDuplicate(err: unknown): unknown {
  return err instanceof DuplicateError ? validationError([{ field: 'name', message: DUPLICATE }]) : err;
}

/** Scopes whose name contains `q`, in id order, one page plus a probe row. */
export async function listScopes(c: Pick<Container, 'store'>, authServerId: string, query: Page & { q?: string | undefined }): Promise<Scope[]> {
  await findServer(c, authServerId);
  const q = query.q?.toLowerCase();
  const after = query.after;
  return (await c.store.authServers.listScopes(authServerId))
    .filter((s) => (after === undefined || s.id > after) && (!q || s.name.toLowerCase().includes(q)))
    .slice(0, query.limit + 1);
}

export async function createScope(c: ScopesDeps, authServerId: string, rawBody: unknown): Promise<Scope> {
  await findServer(c, authServerId);
  const input = readScope(rawBody, undefined);
  const now = c.clock.now();
  const scope: Scope = { id: newId(ID_PREFIX.scope), authServerId, ...input, system: false, created: now, lastUpdated: now };
  try {
    await c.store.authServers.createScope(scope);
  } catch (err) {
    throw mapDuplicate(err);
  }
  c.cache.invalidateServer(authServerId);
  return scope;
}

export async function replaceScope(c: ScopesDeps, authServerId: string, id: string, rawBody: unknown): Promise<Scope> {
  const existing = await findScope(c, authServerId, id);
  const scope: Scope = { ...existing, ...readScope(rawBody, existing), lastUpdated: c.clock.now() };
  try {
    await c.store.authServers.updateScope(scope);
  } catch (err) {
    throw mapDuplicate(err);
  }
  c.cache.invalidateServer(authServerId);
  return scope;
}

export async function deleteScope(c: ScopesDeps, authServerId: string, id: string): Promise<void> {
  const scope = await findScope(c, authServerId, id);
  if (scope.system) throw ApiError.of('E0000006');
  await c.store.authServers.deleteScope(authServerId, id);
  c.cache.invalidateServer(authServerId);
}
