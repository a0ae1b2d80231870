/**
 * Who may use an app: user assignments (/apps/{id}/users, direct, or through a group as Okta lists
 * them) and group assignments (/apps/{id}/groups, with their priority).
 */
import type { Container } from '../container.js';
import { ApiError, notFound, validationError } from '../errors/api-error.js';
import type { AssignedUser, Page } from '../store/store.js';
import type { App, AppGroupAssignment, AppUserAssignment, User } from './model.js';
import { BLANK, Reader, type Json } from './app-body.js';
import { findApp, type AppsDeps } from './apps-service.js';
import { findGroup } from './groups-service.js';
import { bodyObject } from './users-service.js';

// ---------------------------------------------------------------------------------------------
// User assignments (/apps/{id}/users)

/** The app username from the app's userNameTemplate (`${source.attr}` placeholders). */
function userNameFor(app: App, user: User): string {
  const template = app.body.credentials.userNameTemplate.template;
  const value = template.replace(/\$\{source\.([A-Za-z0-9_]+)\}/g, (_, attr: string) => {
    const v = user.profile[attr];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  });
  return value || user.profile.login;
}

function readAssignmentBody(r: Reader, body: Json): { userName: string | undefined; profile: Json | undefined } {
  const credentials = r.object(body, 'credentials');
  const userName = credentials ? r.string(credentials, 'userName', 'userName', 100) : undefined;
  if (userName !== undefined && userName.trim() === '') r.fail('userName', BLANK);
  if (credentials && (credentials.password !== undefined && credentials.password !== null)) {
    r.fail('password', 'Credentials should not be set on this resource based on the scheme.');
  }
  return { userName, profile: r.object(body, 'profile') };
}

/** POST /apps/{id}/users: assigns the user directly (again: updates the assignment). */
export async function assignUser(c: AppsDeps, appId: string, raw: unknown): Promise<AppUserAssignment> {
  const body = bodyObject(raw);
  const r = new Reader();
  const userId = r.string(body, 'id', 'id', 200);
  if (!userId) r.fail('id', BLANK);
  r.oneOf(body, 'scope', ['USER', 'GROUP'] as const);
  const { userName, profile } = readAssignmentBody(r, body);
  if (r.causes.length > 0) throw validationError(r.causes);
  const app = await findApp(c, appId);
  const user = await c.store.users.get(userId!);
  if (!user) throw notFound('User', userId!);
  if (user.status === 'DEPROVISIONED') throw ApiError.of('E0000117');
  const existing = await c.store.apps.getUserAssignment(appId, user.id);
  const now = c.clock.now();
  const assignment: AppUserAssignment = {
    appId,
    userId: user.id,
    scope: 'USER',
    body: { credentials: { userName: userName ?? userNameFor(app, user) }, profile: profile ?? existing?.body.profile ?? {} },
    created: existing?.created ?? now,
    lastUpdated: now,
  };
  await c.store.apps.assignUser(assignment);
  return assignment;
}

/** A user's assignment: the direct one, else one through a group (scope GROUP). One query. */
export async function getAppUser(c: AppsDeps, appId: string, userId: string): Promise<AppUserAssignment> {
  const app = await findApp(c, appId);
  const [found] = await c.store.apps.listAssignedUsers(appId, { limit: 1, userId });
  if (!found) throw notFound('AppUser', userId);
  return effectiveAssignment(app, found);
}

/**
 * What Okta shows for an assigned user: the direct assignment (scope USER) when there is one, which
 * wins over any group; else scope GROUP, with the app username from the app's template and the
 * profile of the highest-priority group assignment the user gets the app through.
 */
function effectiveAssignment(app: App, a: AssignedUser): AppUserAssignment {
  if (a.direct) return a.direct;
  return {
    appId: app.id,
    userId: a.user.id,
    scope: 'GROUP',
    body: { credentials: { userName: userNameFor(app, a.user) }, profile: a.group?.body.profile ?? {} },
    created: a.group?.created ?? app.created,
    lastUpdated: a.group?.lastUpdated ?? app.lastUpdated,
  };
}

/** POST /apps/{id}/users/{userId}: updates a direct assignment's credentials and profile. */
export async function updateAppUser(c: AppsDeps, appId: string, userId: string, raw: unknown): Promise<AppUserAssignment> {
  const body = bodyObject(raw, true);
  const r = new Reader();
  const { userName, profile } = readAssignmentBody(r, body);
  if (r.causes.length > 0) throw validationError(r.causes);
  await findApp(c, appId);
  const existing = await c.store.apps.getUserAssignment(appId, userId);
  if (!existing) throw notFound('AppUser', userId);
  const credentials = (existing.body.credentials ?? {}) as Json;
  const assignment: AppUserAssignment = {
    ...existing,
    body: {
      credentials: { ...credentials, ...(userName !== undefined ? { userName } : {}) },
      profile: profile ?? existing.body.profile ?? {},
    },
    lastUpdated: c.clock.now(),
  };
  await c.store.apps.assignUser(assignment);
  return assignment;
}

export async function unassignUser(c: AppsDeps, appId: string, userId: string): Promise<void> {
  await findApp(c, appId);
  if (!(await c.store.apps.getUserAssignment(appId, userId))) throw notFound('AppUser', userId);
  await c.store.apps.unassignUser(appId, userId);
}

/** Every assigned user, direct or through a group, by user id: one page plus a probe row, in one query. */
export async function listAppUsers(c: AppsDeps, appId: string, page: Page): Promise<AppUserAssignment[]> {
  const app = await findApp(c, appId);
  const rows = await c.store.apps.listAssignedUsers(appId, { ...page, limit: page.limit + 1 });
  return rows.map((a) => effectiveAssignment(app, a));
}

// ---------------------------------------------------------------------------------------------
// Group assignments (/apps/{id}/groups)

async function nextPriority(c: Pick<Container, 'store'>, appId: string): Promise<number> {
  let max = -1;
  let after: string | undefined;
  for (;;) {
    const page = await c.store.apps.listGroupAssignments(appId, { limit: 500, after });
    for (const a of page) max = Math.max(max, a.priority);
    if (page.length < 500) return max + 1;
    after = page[page.length - 1]!.groupId;
  }
}

/** PUT /apps/{id}/groups/{groupId}: assigns (or updates) with an optional priority and profile. */
export async function assignGroup(c: AppsDeps, appId: string, groupId: string, raw: unknown): Promise<AppGroupAssignment> {
  const body = bodyObject(raw, true);
  const r = new Reader();
  let priority: number | undefined;
  if (body.priority !== undefined && body.priority !== null) {
    const p = body.priority;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 1_000_000) r.fail('priority', 'The field must be a non-negative integer');
    else priority = p;
  }
  const profile = r.object(body, 'profile');
  if (r.causes.length > 0) throw validationError(r.causes);
  await findApp(c, appId);
  await findGroup(c, groupId);
  const existing = await c.store.apps.getGroupAssignment(appId, groupId);
  const now = c.clock.now();
  const assignment: AppGroupAssignment = {
    appId,
    groupId,
    priority: priority ?? existing?.priority ?? (await nextPriority(c, appId)),
    body: { profile: profile ?? existing?.body.profile ?? {} },
    created: existing?.created ?? now,
    lastUpdated: now,
  };
  await c.store.apps.assignGroup(assignment);
  return assignment;
}

export async function getAppGroup(c: AppsDeps, appId: string, groupId: string): Promise<AppGroupAssignment> {
  await findApp(c, appId);
  const assignment = await c.store.apps.getGroupAssignment(appId, groupId);
  if (!assignment) throw notFound('ApplicationGroupAssignment', groupId);
  return assignment;
}

export async function unassignGroup(c: AppsDeps, appId: string, groupId: string): Promise<void> {
  await getAppGroup(c, appId, groupId);
  await c.store.apps.unassignGroup(appId, groupId);
}

export async function listAppGroups(c: AppsDeps, appId: string, page: Page): Promise<AppGroupAssignment[]> {
  await findApp(c, appId);
  return c.store.apps.listGroupAssignments(appId, { ...page, limit: page.limit + 1 });
}

/** An app's settings, secrets or status changed: drop this node's cached copies (client, CORS origins). */
