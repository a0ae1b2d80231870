/**
 * Groups and memberships. The BUILT_IN Everyone group is read-only: every user belongs to it
 * implicitly, so it can be neither changed, deleted nor have members added or removed.
 */
import type { Container } from '../container.js';
import { ID_PREFIX, newId } from '../crypto/ids.js';
import { ApiError, notFound, validationError } from '../errors/api-error.js';
import { DuplicateError, type GroupListQuery, type Page } from '../store/store.js';
import type { Group, User } from './model.js';
import { bodyObject, findUser, isObject } from './users-service.js';

export type GroupsDeps = Pick<Container, 'store' | 'clock'>;

const MAX_NAME = 255;
const MAX_DESCRIPTION = 1024;

export async function findGroup(c: GroupsDeps, id: string): Promise<Group> {
  const group = await c.store.groups.get(id);
  if (!group) throw notFound('UserGroup', id);
  return group;
}

/** Okta's groups other than OKTA_GROUP are managed elsewhere (built in, or pushed by an app). */
function assertEditable(group: Group): void {
  if (group.type !== 'OKTA_GROUP') throw ApiError.of('E0000006');
}

function readProfile(rawBody: unknown): { name: string; description: string | null } {
  const body = bodyObject(rawBody);
  if (body.profile !== undefined && body.profile !== null && !isObject(body.profile)) {
    throw validationError([{ field: 'profile', message: 'The field must be an object' }]);
  }
  const profile = isObject(body.profile) ? body.profile : undefined;
  const name = profile?.name;
  const description = profile?.description ?? null;
  const causes: { field: string; message: string }[] = [];
  if (typeof name !== 'string' || name.trim() === '') causes.push({ field: 'name', message: 'The field cannot be left blank' });
  else if ([...name].length > MAX_NAME) causes.push({ field: 'name', message: `The field cannot exceed ${MAX_NAME} characters` });
  if (description !== null && typeof description !== 'string') causes.push({ field: 'description', message: 'The field must be a string' });
  else if (typeof description === 'string' && [...description].length > MAX_DESCRIPTION) {
    causes.push({ field: 'description', message: `The field cannot exceed ${MAX_DESCRIPTION} characters` });
  }
  if (causes.length > 0) throw validationError(causes);
  return { name: name as string, description: description as string | null };
}

function duplicateName(err: unknown): unknown {
  return err instanceof DuplicateError && err.field === 'name'
    ? validationError([{ field: 'name', message: 'An object with this field already exists in the current organization' }])
    : err;
}

export async function createGroup(c: GroupsDeps, body: unknown): Promise<Group> {
  const { name, description } = readProfile(body);
  const now = c.clock.now();
  const group: Group = {
    id: newId(ID_PREFIX.group), type: 'OKTA_GROUP', name, description, created: now, lastUpdated: now, lastMembershipUpdated: now,
  };
  try {
    await c.store.groups.create(group);
  } catch (err) {
    throw duplicateName(err);
  }
  return group;
}

/** One page plus a probe row (see pagination.ts). `q` is a prefix of the name. */
export function listGroups(c: GroupsDeps, query: GroupListQuery): Promise<Group[]> {
  return c.store.groups.list({ ...query, limit: query.limit + 1 });
}

export async function replaceGroup(c: GroupsDeps, id: string, body: unknown): Promise<Group> {
  const existing = await findGroup(c, id);
  assertEditable(existing);
  const { name, description } = readProfile(body);
  const group: Group = { ...existing, name, description, lastUpdated: c.clock.now() };
  try {
    await c.store.groups.update(group);
  } catch (err) {
    throw duplicateName(err);
  }
  return group;
}

export async function deleteGroup(c: GroupsDeps, id: string): Promise<void> {
  assertEditable(await findGroup(c, id));
  await c.store.groups.delete(id);
}

/** Members, one page plus a probe row. Everyone lists every user. */
export async function listGroupMembers(c: GroupsDeps, id: string, page: Page): Promise<User[]> {
  const group = await findGroup(c, id);
  const probe = { ...page, limit: page.limit + 1 };
  return group.type === 'BUILT_IN' ? c.store.users.list(probe) : c.store.groups.listMembers(id, probe);
}

export async function addGroupMember(c: GroupsDeps, groupId: string, userId: string): Promise<void> {
  const group = await findGroup(c, groupId);
  const user = await findUser(c, userId);
  assertEditable(group);
  await c.store.groups.addMember(group.id, user.id, c.clock.now());
}

export async function removeGroupMember(c: GroupsDeps, groupId: string, userId: string): Promise<void> {
  const group = await findGroup(c, groupId);
  const user = await findUser(c, userId);
  assertEditable(group);
  await c.store.groups.removeMember(group.id, user.id, c.clock.now());
}
