/**
 * Users' consent grants (Okta's User Grants, User Resources and Application Grants APIs): the scopes
 * a user consented to on the consent page, per client and authorization server, listed and revoked
 * by an administrator. A revoked grant is simply forgotten, so the consent page asks again next time.
 * Shapes follow management.yaml `OAuth2ScopeConsentGrant` (source END_USER) and `OAuth2Client`.
 *
 * `scopeId` is the scope's id on its authorization server (the name when the scope no longer exists);
 * `?scopeId=` accepts either. Revocations are written to the System Log.
 */
import { appTarget, recordEvent, userActor, userTarget, type RequestInfo } from '../audit/system-log.js';
import type { Container } from '../container.js';
import { notFound } from '../errors/api-error.js';
import { isoDate } from '../lib/time.js';
import type { Page } from '../store/store.js';
import { ORG_AUTH_SERVER_ID, type App, type ConsentGrant, type Scope, type User } from './model.js';
import { findUser } from './users-service.js';

export type GrantsDeps = Pick<Container, 'store' | 'clock' | 'cache' | 'config' | 'log'>;

export interface AdminContext {
  admin: User;
  request?: RequestInfo | undefined;
}

/** A grant with what its JSON shows: the scope object (if it still exists) and the app. */
export interface GrantView {
  grant: ConsentGrant;
  scope: Scope | undefined;
  app: App | undefined;
}

export interface UserClientView {
  userId: string;
  app: App;
}

// ---------------------------------------------------------------------------------------------
// Reading

async function scopeOf(c: Pick<Container, 'cache'>, grant: ConsentGrant): Promise<Scope | undefined> {
  if (grant.authServerId === ORG_AUTH_SERVER_ID) return undefined;
  const config = await c.cache.server(grant.authServerId);
  return config?.scopes.find((s) => s.name === grant.scope);
}

async function view(c: Pick<Container, 'cache'>, grant: ConsentGrant): Promise<GrantView> {
  const [scope, record] = await Promise.all([scopeOf(c, grant), c.cache.client(grant.clientId)]);
  return { grant, scope, app: record?.app };
}

function views(c: Pick<Container, 'cache'>, grants: ConsentGrant[]): Promise<GrantView[]> {
  return Promise.all(grants.map((g) => view(c, g)));
}

/** One page of `rows` (ordered by id) after `page.after`, plus a probe row (see pagination.ts). */
function pageOf<T extends { grant: ConsentGrant }>(rows: T[], page: Page): T[] {
  const after = page.after;
  return rows.filter((r) => after === undefined || r.grant.id > after).slice(0, page.limit + 1);
}

export async function listUserGrants(c: GrantsDeps, userId: string, query: { scopeId?: string | undefined; page: Page }): Promise<GrantView[]> {
  const user = await findUser(c, userId);
  let rows = await views(c, await c.store.consents.list(user.id));
  const scopeId = query.scopeId;
  if (scopeId) rows = rows.filter((v) => v.scope?.id === scopeId || v.grant.scope === scopeId);
  return pageOf(rows, query.page);
}

export async function findUserGrant(c: GrantsDeps, userId: string, grantId: string): Promise<GrantView> {
  const user = await findUser(c, userId);
  const grant = (await c.store.consents.list(user.id)).find((g) => g.id === grantId);
  if (!grant) throw notFound('OAuth2ScopeConsentGrant', grantId);
  return view(c, grant);
}

export async function listUserClientGrants(c: GrantsDeps, userId: string, clientId: string, page: Page): Promise<GrantView[]> {
  const user = await findUser(c, userId);
  return pageOf(await views(c, await c.store.consents.list(user.id, clientId)), page);
}

/** The clients the user has consent grants or live refresh tokens for, ordered by client id. */
export async function listUserClients(c: GrantsDeps, userId: string): Promise<UserClientView[]> {
  const user = await findUser(c, userId);
  const [grants, tokenClients] = await Promise.all([
    c.store.consents.list(user.id),
    c.store.refreshTokens.clientIdsForUser(user.id, c.clock.now()),
  ]);
  const clientIds = [...new Set([...grants.map((g) => g.clientId), ...tokenClients])].sort();
  const out: UserClientView[] = [];
  for (const clientId of clientIds) {
    const app = (await c.cache.client(clientId))?.app;
    if (app) out.push({ userId: user.id, app });
  }
  return out;
}

async function findAppById(c: GrantsDeps, appId: string): Promise<App> {
  const app = await c.store.apps.get(appId);
  if (!app) throw notFound('AppInstance', appId);
  return app;
}

export async function listAppGrants(c: GrantsDeps, appId: string): Promise<GrantView[]> {
  const app = await findAppById(c, appId);
  return views(c, await c.store.consents.listForClient(app.clientId));
}

export async function findAppGrant(c: GrantsDeps, appId: string, grantId: string): Promise<GrantView> {
  const app = await findAppById(c, appId);
  const grant = (await c.store.consents.listForClient(app.clientId)).find((g) => g.id === grantId);
  if (!grant) throw notFound('OAuth2ScopeConsentGrant', grantId);
  return view(c, grant);
}

// ---------------------------------------------------------------------------------------------
// Revoking

async function logRevocation(c: GrantsDeps, ctx: AdminContext, user: User, grants: ConsentGrant[]): Promise<void> {
  const byClient = new Map<string, string[]>();
  for (const g of grants) byClient.set(g.clientId, [...(byClient.get(g.clientId) ?? []), g.scope]);
  for (const [clientId, scopes] of byClient) {
    const app = (await c.cache.client(clientId))?.app;
    recordEvent(c, {
      eventType: 'app.oauth2.as.consent.revoke',
      actor: userActor(ctx.admin),
      target: [userTarget(user), ...(app ? [appTarget(app)] : [])],
      clientId,
      ...(ctx.request ? { request: ctx.request } : {}),
      debugData: { scopes: scopes.join(' ') },
    });
  }
}

export async function revokeUserGrant(c: GrantsDeps, userId: string, grantId: string, ctx: AdminContext): Promise<void> {
  const user = await findUser(c, userId);
  const grant = (await c.store.consents.list(user.id)).find((g) => g.id === grantId);
  if (!grant) throw notFound('OAuth2ScopeConsentGrant', grantId);
  await c.store.consents.delete(user.id, grant.id);
  await logRevocation(c, ctx, user, [grant]);
}

export async function revokeUserGrants(c: GrantsDeps, userId: string, ctx: AdminContext): Promise<void> {
  const user = await findUser(c, userId);
  const grants = await c.store.consents.list(user.id);
  await c.store.consents.deleteForUser(user.id);
  if (grants.length > 0) await logRevocation(c, ctx, user, grants);
}

export async function revokeUserClientGrants(c: GrantsDeps, userId: string, clientId: string, ctx: AdminContext): Promise<void> {
  const user = await findUser(c, userId);
  const grants = await c.store.consents.list(user.id, clientId);
  await c.store.consents.deleteForClient(user.id, clientId);
  if (grants.length > 0) await logRevocation(c, ctx, user, grants);
}

export async function revokeAppGrant(c: GrantsDeps, appId: string, grantId: string, ctx: AdminContext): Promise<void> {
  const { grant } = await findAppGrant(c, appId, grantId);
  await c.store.consents.delete(grant.userId, grant.id);
  const user = await c.store.users.get(grant.userId);
  if (user) await logRevocation(c, ctx, user, [grant]);
}

// ---------------------------------------------------------------------------------------------
// JSON

type Method = 'GET' | 'DELETE';
const link = (href: string, ...allow: Method[]) => (allow.length ? { href, hints: { allow } } : { href });

/** OAuth2ScopeConsentGrant. `self` is where the grant was read (the user's or the app's grants). */
export function grantJson(v: GrantView, orgUrl: string, self: string, expandScope: boolean): Record<string, unknown> {
  const { grant, scope, app } = v;
  const org = grant.authServerId === ORG_AUTH_SERVER_ID;
  const serverHref = `${orgUrl}/api/v1/authorizationServers/${grant.authServerId}`;
  const scopeId = scope?.id ?? grant.scope;
  // As the authorization servers API reports issuers (auth-servers/json.ts issuerOf).
  const issuer = org ? orgUrl : `${orgUrl}/oauth2/${grant.authServerId}`;
  const title = app?.body.label;
  const links: Record<string, unknown> = {
    self: link(self, 'GET', 'DELETE'),
    revoke: link(self, 'DELETE'),
    user: link(`${orgUrl}/api/v1/users/${grant.userId}`),
    client: { href: `${orgUrl}/oauth2/v1/clients/${grant.clientId}`, ...(title ? { title } : {}) },
  };
  if (app) links.app = { href: `${orgUrl}/api/v1/apps/${app.id}`, title };
  if (!org) {
    links.authorizationServer = link(serverHref);
    if (scope) links.scope = link(`${serverHref}/scopes/${scope.id}`);
  }
  return {
    id: grant.id,
    status: 'ACTIVE',
    created: isoDate(grant.created),
    createdBy: { id: grant.userId, type: 'User' },
    lastUpdated: isoDate(grant.lastUpdated),
    issuer,
    clientId: grant.clientId,
    userId: grant.userId,
    scopeId,
    source: 'END_USER',
    ...(expandScope ? {
      _embedded: {
        scope: {
          id: scopeId, name: grant.scope,
          ...(scope ? { displayName: scope.displayName, description: scope.description } : {}),
        },
      },
    } : {}),
    _links: links,
  };
}

/** OAuth2Client, as /users/{userId}/clients lists it. */
export function userClientJson(v: UserClientView, orgUrl: string): Record<string, unknown> {
  const { app, userId } = v;
  const oc = app.body.settings.oauthClient;
  const base = `${orgUrl}/api/v1/users/${userId}/clients/${app.clientId}`;
  return {
    client_id: app.clientId,
    client_name: app.body.label,
    client_uri: oc.client_uri ?? null,
    logo_uri: oc.logo_uri ?? null,
    _links: {
      self: { href: `${orgUrl}/oauth2/v1/clients/${app.clientId}` },
      grants: { href: `${base}/grants` },
      tokens: { href: `${base}/tokens` },
    },
  };
}
