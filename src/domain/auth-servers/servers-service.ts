/**
 * Custom authorization servers: create (with its signing keys and the system scopes), list, replace,
 * delete and (de)activate. Okta creates no access policy for a new server, so it refuses every token
 * request until one is added. The `default` server can be renamed or deactivated but not deleted.
 *
 * `issuerMode` CUSTOM_URL is accepted for compatibility, but Gatehouse has no custom URL domains: such
 * a server issues with the org URL exactly like ORG_URL. DYNAMIC uses the origin a request came in on.
 */
import type { Container } from '../../container.js';
import { ID_PREFIX, newId } from '../../crypto/ids.js';
import { ApiError, notFound, validationError } from '../../errors/api-error.js';
import { DuplicateError, type Page } from '../../store/store.js';
import { systemScopes } from '../defaults.js';
import type { AuthServer, IssuerMode } from '../model.js';
import {
  BLANK, Causes, DUPLICATE, STATUSES, bodyObject, enumValue, objectValue, optionalString, requiredString, type Json,
} from './input.js';
import { serverJson } from './json.js';

export type AuthServerDeps = Pick<Container, 'store' | 'clock' | 'cache' | 'keys' | 'config'>;

export const DEFAULT_SERVER_ID = 'default';
const ISSUER_MODES: readonly IssuerMode[] = ['ORG_URL', 'CUSTOM_URL', 'DYNAMIC'];
const ROTATION_MODES = ['AUTO', 'MANUAL'] as const;

export async function findServer(c: Pick<Container, 'store'>, id: string): Promise<AuthServer> {
  const server = await c.store.authServers.get(id);
  if (!server) throw notFound('AuthorizationServer', id);
  return server;
}

/** The server as the API shows it, with the kid of its ACTIVE key. */
export async function serverResponse(c: Pick<AuthServerDeps, 'store' | 'config'>, server: AuthServer): Promise<Record<string, unknown>> {
  const keys = await c.store.signingKeys.listForServer(server.id);
  return serverJson(server, keys.find((k) => k.status === 'ACTIVE')?.kid, c.config.orgUrl);
}

interface ServerInput {
  name: string;
  description: string | null;
  audiences: string[];
  issuerMode: IssuerMode;
  rotationMode: AuthServer['rotationMode'];
  status: AuthServer['status'] | undefined;
}

function readAudiences(body: Json, causes: Causes): string[] {
  const v = body.audiences;
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) {
    causes.add('audiences', BLANK);
    return [];
  }
  if (!Array.isArray(v) || !v.every((a) => typeof a === 'string' && a.trim() !== '' && a.length <= 1024)) {
    causes.add('audiences', 'The field must be an array of non-blank strings');
    return [];
  }
  // management.yaml: "Okta currently supports only one audience."
  if (v.length > 1) causes.add('audiences', 'Only one audience is supported');
  return v as string[];
}

/** `existing` supplies the values a replace keeps when the body leaves them out. */
function readServer(rawBody: unknown, existing: AuthServer | undefined): ServerInput {
  const body = bodyObject(rawBody);
  const causes = new Causes();
  const name = requiredString(body, 'name', causes, 255);
  const description = optionalString(body, 'description', causes, 1024, existing?.description ?? null);
  const audiences = readAudiences(body, causes);
  const issuerMode = enumValue(body, 'issuerMode', ISSUER_MODES, existing?.issuerMode ?? 'ORG_URL', causes);
  const credentials = objectValue(body, 'credentials', causes);
  const signing = objectValue(credentials, 'signing', causes, 'credentials.signing');
  const rotationMode = enumValue(signing, 'rotationMode', ROTATION_MODES, existing?.rotationMode ?? 'AUTO', causes, 'credentials.signing.rotationMode');
  if (signing.use !== undefined && signing.use !== null && signing.use !== 'sig') {
    causes.add('credentials.signing.use', "Invalid value specified for key 'use' parameter");
  }
  const status = body.status == null ? undefined : enumValue(body, 'status', STATUSES, 'ACTIVE', causes);
  causes.throwIfAny();
  return { name, description, audiences, issuerMode, rotationMode, status };
}

function duplicateName(): ApiError {
  return validationError([{ field: 'name', message: `${DUPLICATE} in the current organization` }]);
}

function mapDuplicate(err: unknown): unknown {
  return err instanceof DuplicateError && err.field === 'name' ? duplicateName() : err;
}

async function nameTaken(c: Pick<Container, 'store'>, name: string, exceptId?: string): Promise<boolean> {
  const lower = name.toLowerCase();
  const candidates = await c.store.authServers.list({ q: lower, limit: 200 });
  return candidates.some((s) => s.name.toLowerCase() === lower && s.id !== exceptId);
}

export async function createServer(c: AuthServerDeps, rawBody: unknown): Promise<AuthServer> {
  const input = readServer(rawBody, undefined);
  if (await nameTaken(c, input.name)) throw duplicateName();
  const now = c.clock.now();
  const server: AuthServer = {
    id: newId(ID_PREFIX.authServer),
    name: input.name,
    description: input.description,
    audiences: input.audiences,
    issuerMode: input.issuerMode,
    status: input.status ?? 'ACTIVE',
    rotationMode: input.rotationMode,
    lastRotated: now,
    created: now,
    lastUpdated: now,
  };
  // Keys first: until the server row exists nothing looks at them, so a refused insert leaves no
  // server without keys, and the scheduled rotation check never sees a half-made server.
  const made = await Promise.allSettled([c.keys.generate(server.id, 'ACTIVE'), c.keys.generate(server.id, 'NEXT')]);
  const keys = made.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    for (const r of made) if (r.status === 'rejected') throw r.reason;
    await c.store.transaction(async (tx) => {
      await tx.authServers.create(server);
      for (const scope of systemScopes(server.id, now)) await tx.authServers.createScope(scope);
    });
  } catch (err) {
    for (const key of keys) await c.store.signingKeys.delete(server.id, key.kid).catch(() => undefined);
    c.keys.invalidate(server.id);
    throw mapDuplicate(err);
  }
  c.cache.invalidateServer(server.id);
  return server;
}

/** Servers whose name or audience contains `q` (case-insensitive), one page plus a probe row. */
export async function listServers(c: Pick<Container, 'store'>, query: Page & { q?: string | undefined }): Promise<AuthServer[]> {
  const want = query.limit + 1;
  if (!query.q) return c.store.authServers.list({ after: query.after, limit: want });
  const q = query.q.toLowerCase();
  const matches = (s: AuthServer): boolean => s.name.toLowerCase().includes(q) || s.audiences.some((a) => a.toLowerCase().includes(q));
  const out: AuthServer[] = [];
  let after = query.after;
  for (;;) {
    const batch = await c.store.authServers.list({ after, limit: 200 });
    out.push(...batch.filter(matches));
    if (out.length >= want || batch.length < 200) return out.slice(0, want);
    after = batch[batch.length - 1]?.id;
  }
}

export async function replaceServer(c: AuthServerDeps, id: string, rawBody: unknown): Promise<AuthServer> {
  const existing = await findServer(c, id);
  const input = readServer(rawBody, existing);
  if (await nameTaken(c, input.name, id)) throw duplicateName();
  let updated: AuthServer;
  try {
    updated = await c.store.transaction(async (tx) => {
      // Re-read so a key rotation that committed meanwhile keeps its lastRotated.
      const current = (await tx.authServers.get(id)) ?? existing;
      const next: AuthServer = {
        ...current,
        name: input.name,
        description: input.description,
        audiences: input.audiences,
        issuerMode: input.issuerMode,
        rotationMode: input.rotationMode,
        status: input.status ?? current.status,
        lastUpdated: c.clock.now(),
      };
      await tx.authServers.update(next);
      return next;
    });
  } catch (err) {
    throw mapDuplicate(err);
  }
  c.cache.invalidateServer(id);
  return updated;
}

export async function deleteServer(c: AuthServerDeps, id: string): Promise<void> {
  await findServer(c, id);
  // Okta (2022.10.0): the default authorization server can be deactivated but not deleted.
  if (id === DEFAULT_SERVER_ID) throw ApiError.of('E0000006');
  await c.store.authServers.delete(id);
  c.cache.invalidateServer(id);
  c.keys.invalidate(id);
}

export async function setServerStatus(c: AuthServerDeps, id: string, status: AuthServer['status']): Promise<void> {
  const server = await findServer(c, id);
  if (server.status === status) return;
  await c.store.authServers.update({ ...server, status, lastUpdated: c.clock.now() });
  c.cache.invalidateServer(id);
}
