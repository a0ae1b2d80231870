/**
 * OIDC applications (Okta's `oidc_client`): create, read, replace, list, lifecycle and delete, with
 * the plaintext of the current client secret beside the app. The body's rules are in app-body.ts,
 * secrets in app-secrets.ts, assignments in app-assignments.ts. Every change to an app or its
 * secrets invalidates this node's client cache so the protocol side sees it at once.
 */
import type { Container } from '../container.js';
import { ID_PREFIX, newId, randomToken, sha256 } from '../crypto/ids.js';
import { ApiError, notFound, validationError } from '../errors/api-error.js';
import { DuplicateError, type Page, type Store } from '../store/store.js';
import type { App, AppSecret } from './model.js';
import { invalidateAppOrigins } from './trusted-origins/cors-allow-list.js';
import { stampJwks } from './app-jwks.js';
import { parseAppBody, SECRET_METHODS } from './app-body.js';

export type AppsDeps = Pick<Container, 'store' | 'clock' | 'box' | 'cache'>;

/** An app with the plaintext of its current client secret (when its auth method uses one). */
export interface AppView {
  app: App;
  clientSecret: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Secrets

function usesSecret(app: App): boolean {
  return SECRET_METHODS.has(app.body.credentials.oauthClient.token_endpoint_auth_method);
}

export function newSecret(c: Pick<Container, 'box'>, appId: string, value: string, now: number, status: AppSecret['status'] = 'ACTIVE'): AppSecret {
  return {
    id: newId(ID_PREFIX.secret), appId, secretSealed: c.box.seal(value), secretHash: sha256(value), status, created: now, lastUpdated: now,
  };
}

/** The secret an app shows as credentials.oauthClient.client_secret: its newest ACTIVE one. */
function currentSecret(c: Pick<Container, 'box'>, app: App, secrets: AppSecret[]): string | undefined {
  if (!usesSecret(app)) return undefined;
  const active = secrets.filter((s) => s.status === 'ACTIVE').sort((a, b) => b.created - a.created)[0];
  return active ? c.box.open(active.secretSealed) : undefined;
}

async function view(c: AppsDeps, app: App, store: Store = c.store): Promise<AppView> {
  return { app, clientSecret: currentSecret(c, app, await store.apps.listSecrets(app.id)) };
}

function duplicateClientId(err: unknown): unknown {
  return err instanceof DuplicateError && (err.field === 'client_id' || err.field === 'id')
    ? validationError([{ field: 'client_id', message: 'An object with this field already exists in the current organization' }])
    : err;
}

// ---------------------------------------------------------------------------------------------
// Applications

export async function findApp(c: Pick<Container, 'store'>, id: string): Promise<App> {
  const app = await c.store.apps.get(id);
  if (!app) throw notFound('AppInstance', id);
  return app;
}

export async function getApp(c: AppsDeps, id: string): Promise<AppView> {
  return view(c, await findApp(c, id));
}

export async function createApp(c: AppsDeps, raw: unknown, opts: { activate: boolean }): Promise<AppView> {
  const parsed = parseAppBody(raw);
  const now = c.clock.now();
  const id = newId(ID_PREFIX.app);
  const clientId = parsed.clientId ?? id;
  parsed.body.credentials.oauthClient.client_id = clientId;
  stampJwks(parsed.body, undefined, now);
  const app: App = { id, status: opts.activate ? 'ACTIVE' : 'INACTIVE', clientId, body: parsed.body, created: now, lastUpdated: now };
  const secretValue = usesSecret(app) ? parsed.clientSecret ?? randomToken() : undefined;
  try {
    await c.store.transaction(async (tx) => {
      await tx.apps.create(app);
      if (secretValue !== undefined) await tx.apps.createSecret(newSecret(c, id, secretValue, now));
    });
  } catch (err) {
    throw duplicateClientId(err);
  }
  appChanged(c, clientId);
  return { app, clientSecret: secretValue };
}

export interface AppListQuery {
  q?: string | undefined;
  filter?: string | undefined;
  page: Page;
}

/** Okta's app filters that make sense for OIDC-only orgs: `status eq "…"` and `name eq "…"`, joined by `and`. */
function parseAppFilter(filter: string): { status?: 'ACTIVE' | 'INACTIVE'; none?: boolean } {
  const out: { status?: 'ACTIVE' | 'INACTIVE'; none?: boolean } = {};
  const terms = filter.trim().split(/\s+and\s+/i);
  for (const term of terms) {
    const m = /^(status|name)\s+eq\s+"([^"\\]*)"$/i.exec(term.trim());
    if (!m) throw ApiError.of('E0000031');
    const [, field, value] = m;
    if (field!.toLowerCase() === 'status') {
      if (value !== 'ACTIVE' && value !== 'INACTIVE') throw ApiError.of('E0000031');
      if (out.status && out.status !== value) out.none = true;
      out.status = value;
    } else if (value !== 'oidc_client') {
      out.none = true;
    }
  }
  return out;
}

/** One page plus a probe row (see pagination.ts). */
export async function listApps(c: AppsDeps, query: AppListQuery): Promise<App[]> {
  const filter = query.filter ? parseAppFilter(query.filter) : {};
  if (filter.none) return [];
  return c.store.apps.list({ ...query.page, limit: query.page.limit + 1, q: query.q || undefined, status: filter.status });
}

/**
 * PUT /apps/{id}: replaces the body (client_id is immutable). A client_secret different from the
 * current one replaces the app's secrets; an app switching to a secret-based auth method without
 * an active secret gets a generated one.
 */
export async function replaceApp(c: AppsDeps, id: string, raw: unknown): Promise<AppView> {
  const existing = await findApp(c, id);
  const parsed = parseAppBody(raw);
  if (parsed.clientId !== undefined && parsed.clientId !== existing.clientId) {
    throw validationError([{ field: 'client_id', message: 'The field is immutable and cannot be changed' }]);
  }
  parsed.body.credentials.oauthClient.client_id = existing.clientId;
  const now = c.clock.now();
  stampJwks(parsed.body, existing, now);
  const app: App = { ...existing, body: parsed.body, lastUpdated: now };
  const result = await c.store.transaction(async (tx) => {
    await tx.apps.update(app);
    const secrets = await tx.apps.listSecrets(id);
    if (!usesSecret(app)) return view(c, app, tx);
    const active = secrets.filter((s) => s.status === 'ACTIVE');
    const supplied = parsed.clientSecret;
    const known = supplied !== undefined && active.some((s) => c.box.open(s.secretSealed) === supplied);
    if (active.length > 0 && (supplied === undefined || known)) return view(c, app, tx);
    for (const s of secrets) await tx.apps.deleteSecret(id, s.id);
    const value = supplied ?? randomToken();
    await tx.apps.createSecret(newSecret(c, id, value, now));
    return { app, clientSecret: value };
  });
  appChanged(c, app.clientId);
  return result;
}

export async function setAppStatus(c: AppsDeps, id: string, status: App['status']): Promise<void> {
  const existing = await findApp(c, id);
  if (existing.status === status) return;
  await c.store.apps.update({ ...existing, status, lastUpdated: c.clock.now() });
  appChanged(c, existing.clientId);
}

/** Only an INACTIVE app can be deleted; its refresh tokens are revoked with it. */
export async function deleteApp(c: AppsDeps, id: string): Promise<void> {
  const app = await findApp(c, id);
  if (app.status !== 'INACTIVE') throw ApiError.of('E0000056');
  await c.store.transaction(async (tx) => {
    await tx.refreshTokens.revokeForClient(app.clientId, c.clock.now());
    await tx.apps.delete(id);
  });
  appChanged(c, app.clientId);
}

export function appChanged(c: Pick<Container, 'cache' | 'store'>, clientId: string): void {
  c.cache.invalidateClient(clientId);
  invalidateAppOrigins(c);
}
