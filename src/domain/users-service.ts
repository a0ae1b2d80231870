/**
 * Users: creation, profile updates, Okta's lifecycle state machine and deletion. Validation errors
 * follow Okta (E0000001 with "field: message" causes); every multi-row write is one transaction.
 */
import type { Container } from '../container.js';
import { ID_PREFIX, newId } from '../crypto/ids.js';
import { hashPassword, verifyPassword } from '../crypto/passwords.js';
import { ApiError, notFound, validationError } from '../errors/api-error.js';
import { DuplicateError, type Page, type Store, type UserFilter } from '../store/store.js';
import type { Group, User, UserProfile, UserStatus } from './model.js';
import { parseUserFilter, USER_STATUSES } from './user-filter.js';

export type UsersDeps = Pick<Container, 'store' | 'clock'>;

type Cause = { field: string; message: string };
type Json = Record<string, unknown>;

const BLANK = 'The field cannot be left blank';
const DUPLICATE = 'An object with this field already exists in the current organization';
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 256;
const MAX_LOGIN = 100;
/** An old password longer than this is wrong without an argon2 run (sign-in refuses the same). */
const MAX_OLD_PASSWORD = 1024;
const PASSWORD_REQUIREMENTS = `Password requirements were not met. Password requirements: at least ${MIN_PASSWORD} characters, at most ${MAX_PASSWORD} characters.`;
// A deliberately loose check, like Okta's: one @, something on each side, a dot in the domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** SCIM core attributes of Okta's default user profile that must be strings when present. */
const STRING_ATTRIBUTES = [
  'login', 'email', 'secondEmail', 'firstName', 'lastName', 'middleName', 'honorificPrefix', 'honorificSuffix',
  'title', 'displayName', 'nickName', 'profileUrl', 'primaryPhone', 'mobilePhone', 'streetAddress', 'city', 'state',
  'zipCode', 'countryCode', 'postalAddress', 'preferredLanguage', 'locale', 'timezone', 'userType', 'employeeNumber',
  'costCenter', 'organization', 'division', 'department', 'managerId', 'manager',
];

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON body as an object, or Okta's "not well-formed" error. */
export function bodyObject(body: unknown, optional = false): Json {
  if (body === undefined && optional) return {};
  if (!isObject(body)) throw ApiError.of('E0000003');
  return body;
}

// ---------------------------------------------------------------------------------------------
// Lookups

const userTypeIds = new WeakMap<Store, Promise<string>>();

/** The org's one user type (Okta's default "User" type), created on first use. */
export function userTypeId(c: Pick<Container, 'store'>): Promise<string> {
  let id = userTypeIds.get(c.store);
  if (!id) {
    id = c.store.settings.setIfAbsent('default_user_type_id', newId('oty'));
    id.catch(() => userTypeIds.delete(c.store));
    userTypeIds.set(c.store, id);
  }
  return id;
}

/** A user by id, by login, or `me` (the caller). 404 E0000007 when there is none. */
export async function findUser(c: UsersDeps, idOrLogin: string, principal?: User): Promise<User> {
  if (idOrLogin === 'me' && principal) return (await c.store.users.get(principal.id)) ?? principal;
  const user = (await c.store.users.get(idOrLogin)) ?? (await c.store.users.getByLogin(idOrLogin));
  if (!user) throw notFound('User', idOrLogin);
  return user;
}

export interface UserListQuery {
  q?: string | undefined;
  filter?: string | undefined;
  search?: string | undefined;
  page: Page;
}

const NOT_DEPROVISIONED: UserFilter = {
  op: 'or',
  terms: USER_STATUSES.filter((s) => s !== 'DEPROVISIONED').map((value) => ({ field: 'status', cmp: 'eq', value })),
};

/**
 * One page of users plus one probe row (see pagination.ts). Without `filter`/`search`, Okta leaves
 * DEPROVISIONED users out; `search` is treated like `filter`.
 */
export async function listUsers(c: UsersDeps, query: UserListQuery): Promise<User[]> {
  const given = [query.q, query.filter, query.search].filter((v) => v !== undefined && v !== '');
  if (given.length > 1) throw ApiError.of('E0000033');
  const expression = query.filter || query.search;
  const filter = expression ? parseUserFilter(expression) : NOT_DEPROVISIONED;
  return c.store.users.list({ ...query.page, limit: query.page.limit + 1, q: query.q || undefined, filter });
}

/** The user's groups, Everyone included (every user is implicitly a member). */
export async function listUserGroups(c: UsersDeps, idOrLogin: string, principal?: User): Promise<Group[]> {
  const user = await findUser(c, idOrLogin, principal);
  const [groups, everyone] = await Promise.all([c.store.groups.listGroupsOfUser(user.id), c.store.groups.getByName('Everyone')]);
  const all = everyone?.type === 'BUILT_IN' && !groups.some((g) => g.id === everyone.id) ? [...groups, everyone] : groups;
  return all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Validation

function validateProfile(profile: Json, causes: Cause[]): void {
  const login = profile.login;
  if (typeof login !== 'string' || login.trim() === '') {
    causes.push({ field: 'login', message: BLANK });
  } else if ([...login].length > MAX_LOGIN) {
    causes.push({ field: 'login', message: `The field cannot exceed ${MAX_LOGIN} characters` });
  }
  for (const field of STRING_ATTRIBUTES) {
    if (field === 'login' || !Object.hasOwn(profile, field)) continue;
    const value = profile[field];
    if (value !== null && typeof value !== 'string') causes.push({ field, message: 'The field must be a string' });
  }
  for (const field of ['email', 'secondEmail']) {
    const value = profile[field];
    if (typeof value === 'string' && value !== '' && !EMAIL.test(value)) causes.push({ field, message: 'Does not match required pattern' });
  }
}

/** The new password from `credentials.password.value`, if any (validated, not yet hashed). */
function readPassword(body: Json, causes: Cause[]): string | undefined {
  const credentials = body.credentials;
  if (credentials === undefined || credentials === null) return undefined;
  if (!isObject(credentials)) {
    causes.push({ field: 'credentials', message: 'The field must be an object' });
    return undefined;
  }
  const password = credentials.password;
  if (password === undefined || password === null) return undefined;
  if (!isObject(password)) {
    causes.push({ field: 'password', message: 'The field must be an object' });
    return undefined;
  }
  if (password.hash !== undefined || password.hook !== undefined) {
    causes.push({ field: 'password', message: 'Importing password hashes or password hooks is not supported' });
    return undefined;
  }
  const value = password.value;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length < MIN_PASSWORD || value.length > MAX_PASSWORD) {
    causes.push({
      field: 'password',
      message: PASSWORD_REQUIREMENTS,
    });
    return undefined;
  }
  return value;
}

function readGroupIds(body: Json, causes: Cause[]): string[] {
  const ids = body.groupIds;
  if (ids === undefined || ids === null) return [];
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id !== '')) {
    causes.push({ field: 'groupIds', message: 'The field must be an array of group ids' });
    return [];
  }
  return [...new Set(ids as string[])];
}

function readProfile(body: Json, causes: Cause[], required: boolean): Json | undefined {
  const profile = body.profile;
  if (profile === undefined || profile === null) {
    if (required) causes.push({ field: 'login', message: BLANK });
    return undefined;
  }
  if (!isObject(profile)) {
    causes.push({ field: 'profile', message: 'The field must be an object' });
    return undefined;
  }
  return profile;
}

function duplicateLogin(err: unknown): unknown {
  return err instanceof DuplicateError && err.field === 'login' ? validationError([{ field: 'login', message: DUPLICATE }]) : err;
}

// ---------------------------------------------------------------------------------------------
// Create and update

export interface CreateUserOptions {
  activate: boolean;
  /** `changePassword` creates the user with an expired password. */
  nextLogin?: string | undefined;
}

export async function createUser(c: UsersDeps, rawBody: unknown, opts: CreateUserOptions): Promise<User> {
  const body = bodyObject(rawBody);
  const causes: Cause[] = [];
  const profile = readProfile(body, causes, true);
  if (profile) validateProfile(profile, causes);
  const password = readPassword(body, causes);
  const groupIds = readGroupIds(body, causes);
  if (opts.nextLogin !== undefined && opts.nextLogin !== 'changePassword') {
    causes.push({ field: 'nextLogin', message: "The value must be 'changePassword'" });
  }
  if (causes.length > 0 || !profile) throw validationError(causes);
  const expire = opts.nextLogin === 'changePassword';
  if (expire && !password) throw ApiError.of('E0000124');
  if (expire && !opts.activate) throw ApiError.of('E0000125');

  const now = c.clock.now();
  const status: UserStatus = !opts.activate ? 'STAGED' : !password ? 'PROVISIONED' : expire ? 'PASSWORD_EXPIRED' : 'ACTIVE';
  const user: User = {
    id: newId(ID_PREFIX.user),
    status,
    profile: profile as UserProfile,
    passwordHash: password ? await hashPassword(password) : null,
    failedLogins: 0,
    adminRoles: [],
    created: now,
    activated: opts.activate ? now : null,
    statusChanged: opts.activate ? now : null,
    lastLogin: null,
    lastUpdated: now,
    passwordChanged: password ? now : null,
  };
  try {
    await c.store.transaction(async (tx) => {
      await tx.users.create(user);
      for (const groupId of groupIds) {
        const group = await tx.groups.get(groupId);
        if (!group) throw notFound('UserGroup', groupId);
        // Everyone's membership is implicit; a row for it would only duplicate that.
        if (group.type !== 'BUILT_IN') await tx.groups.addMember(groupId, user.id, now);
      }
    });
  } catch (err) {
    throw duplicateLogin(err);
  }
  return user;
}

/**
 * POST /users/{id} (`replace` false: the given profile attributes are merged in) and PUT /users/{id}
 * (`replace` true: the profile is replaced whole). A password in `credentials.password.value` is set
 * too; it completes a PROVISIONED user's activation and clears an expired password.
 */
export async function updateUser(c: UsersDeps, idOrLogin: string, rawBody: unknown, replace: boolean, principal?: User): Promise<User> {
  const body = bodyObject(rawBody);
  const existing = await findUser(c, idOrLogin, principal);
  const causes: Cause[] = [];
  const given = readProfile(body, causes, replace);
  const profile = replace ? given : { ...existing.profile, ...given };
  if (profile) validateProfile(profile, causes);
  const password = readPassword(body, causes);
  if (causes.length > 0 || !profile) throw validationError(causes);
  if (existing.status === 'DEPROVISIONED') throw ApiError.of('E0000038');

  const now = c.clock.now();
  const user: User = { ...existing, profile: profile as UserProfile, lastUpdated: now };
  if (password) {
    user.passwordHash = await hashPassword(password);
    user.passwordChanged = now;
    if (existing.status === 'PROVISIONED' || existing.status === 'PASSWORD_EXPIRED') {
      user.status = 'ACTIVE';
      user.statusChanged = now;
      user.activated ??= now;
    }
  }
  try {
    await c.store.users.update(user);
  } catch (err) {
    throw duplicateLogin(err);
  }
  return user;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

export type LifecycleOperation = 'activate' | 'deactivate' | 'suspend' | 'unsuspend' | 'unlock' | 'reactivate' | 'expire_password';

export const LIFECYCLE_OPERATIONS: readonly LifecycleOperation[] = [
  'activate', 'deactivate', 'suspend', 'unsuspend', 'unlock', 'reactivate', 'expire_password',
];

/** Operations an administrator may not apply to their own account (they would lock the API out). */
const NOT_ON_SELF = new Set<LifecycleOperation>(['deactivate', 'suspend']);

/** Which statuses an operation starts from, the status it leads to, and Okta's error otherwise. */
function transition(op: LifecycleOperation, user: User): UserStatus {
  const s = user.status;
  switch (op) {
    case 'activate':
      if (s === 'STAGED' || s === 'DEPROVISIONED') return user.passwordHash ? 'ACTIVE' : 'PROVISIONED';
      throw ApiError.of('E0000016');
    case 'deactivate':
      if (s !== 'DEPROVISIONED') return 'DEPROVISIONED';
      throw ApiError.of('E0000038');
    case 'suspend':
      if (s === 'ACTIVE') return 'SUSPENDED';
      throw ApiError.of('E0000001', ['suspendUser'], ['Cannot suspend a user that is not active']);
    case 'unsuspend':
      if (s === 'SUSPENDED') return 'ACTIVE';
      throw ApiError.of('E0000001', ['unsuspendUser'], ['Cannot unsuspend a user that is not suspended']);
    case 'unlock':
      // Okta also accepts ACTIVE (clearing a device block); here that resets the failure count.
      if (s === 'LOCKED_OUT' || s === 'ACTIVE') return 'ACTIVE';
      throw ApiError.of('E0000032');
    case 'reactivate':
      if (s === 'PROVISIONED' || s === 'RECOVERY') return s;
      throw ApiError.of('E0000038');
    case 'expire_password':
      if ((s === 'ACTIVE' || s === 'PASSWORD_EXPIRED') && user.passwordHash) return 'PASSWORD_EXPIRED';
      throw ApiError.of('E0000038');
  }
}

/**
 * Applies a lifecycle operation. Deactivation and suspension end the user's sessions and revoke
 * their refresh tokens in the same transaction.
 */
export async function changeUserStatus(c: UsersDeps, idOrLogin: string, op: LifecycleOperation, principal: User): Promise<User> {
  const existing = await findUser(c, idOrLogin, principal);
  if (NOT_ON_SELF.has(op) && existing.id === principal.id) throw ApiError.of('E0000006');
  const status = transition(op, existing);
  const now = c.clock.now();
  const user: User = { ...existing, status, lastUpdated: now };
  if (status !== existing.status) user.statusChanged = now;
  if (op === 'activate') user.activated = now;
  if (op === 'activate' || op === 'unlock' || op === 'unsuspend') user.failedLogins = 0;
  await c.store.transaction(async (tx) => {
    await tx.users.update(user);
    if (status === 'DEPROVISIONED' || status === 'SUSPENDED') {
      await tx.sessions.revokeForUser(user.id, now);
      await tx.refreshTokens.revokeForUser(user.id, now);
    }
  });
  return user;
}

/** DELETE /users/{id}: the first call deactivates, a call on a DEPROVISIONED user deletes it. */
export async function deleteUser(c: UsersDeps, idOrLogin: string, principal: User): Promise<void> {
  const user = await findUser(c, idOrLogin, principal);
  if (user.id === principal.id) throw ApiError.of('E0000006');
  if (user.status !== 'DEPROVISIONED') {
    await changeUserStatus(c, user.id, 'deactivate', principal);
    return;
  }
  await c.store.users.delete(user.id);
}

// ---------------------------------------------------------------------------------------------
// Password change (validating the current password)

export type PasswordChangeDeps = Pick<Container, 'store' | 'clock' | 'config'>;

export type PasswordCheck = { ok: true } | { ok: false; user: User; locked: boolean };

/**
 * Checks a change of `user`'s password from `oldPassword` to `newPassword`, writing nothing but the
 * failure count. A wrong old password counts towards the lockout threshold exactly like a failed
 * sign-in (for ACTIVE and PASSWORD_EXPIRED users) and throws Okta's 403 E0000014 "Update of
 * credentials failed"; `onFailure` learns first whether it locked the account. A new password
 * that breaks the policy (length) or equals the old one is Okta's 403 E0000080.
 */
export async function checkPasswordChange(
  c: PasswordChangeDeps, user: User, oldPassword: string, newPassword: string,
  onFailure?: (failure: Extract<PasswordCheck, { ok: false }>) => void,
): Promise<void> {
  const ok = oldPassword.length <= MAX_OLD_PASSWORD && (await verifyPassword(user.passwordHash, oldPassword));
  if (!ok) {
    let after: User | undefined;
    if (user.status === 'ACTIVE' || user.status === 'PASSWORD_EXPIRED') {
      after = await c.store.users.recordFailedLogin(user.id, c.config.lockoutThreshold, c.clock.now());
    }
    onFailure?.({ ok: false, user, locked: after?.status === 'LOCKED_OUT' && user.status !== 'LOCKED_OUT' });
    throw ApiError.of('E0000014', [], ['oldPassword: The credentials provided were incorrect.']);
  }
  if (newPassword.length < MIN_PASSWORD || newPassword.length > MAX_PASSWORD) {
    throw ApiError.of('E0000080', [], [`password: ${PASSWORD_REQUIREMENTS}`]);
  }
  if (newPassword === oldPassword) {
    throw ApiError.of('E0000080', [], ['password: Password cannot be your current password']);
  }
}

/**
 * Sets a new password on a user whose change was checked: the failure count is reset, and a
 * PASSWORD_EXPIRED or RECOVERY user becomes ACTIVE. `revokeSessions` also ends the user's sessions,
 * in the same transaction. Returns the user as stored.
 */
export async function setCheckedPassword(c: PasswordChangeDeps, userId: string, newPassword: string, revokeSessions = false): Promise<User> {
  const passwordHash = await hashPassword(newPassword);
  const now = c.clock.now();
  return c.store.transaction(async (tx) => {
    const current = await tx.users.get(userId);
    if (!current) throw notFound('User', userId);
    const user: User = { ...current, passwordHash, passwordChanged: now, lastUpdated: now, failedLogins: 0 };
    if (current.status === 'PASSWORD_EXPIRED' || current.status === 'RECOVERY') {
      user.status = 'ACTIVE';
      user.statusChanged = now;
      user.activated ??= now;
    }
    await tx.users.update(user);
    if (revokeSessions) await tx.sessions.revokeForUser(user.id, now);
    return user;
  });
}

/** A password credential `{value}` of a change-password body: the value, or a validation cause. */
function credentialValue(body: Json, field: 'oldPassword' | 'newPassword', causes: Cause[]): string {
  const credential = body[field];
  const value = isObject(credential) ? credential.value : undefined;
  if (typeof value !== 'string' || value === '') causes.push({ field, message: BLANK });
  return typeof value === 'string' ? value : '';
}

/** Statuses whose password can be changed (Okta: a valid password credential is needed too). */
const CHANGEABLE = new Set<UserStatus>(['STAGED', 'ACTIVE', 'PASSWORD_EXPIRED', 'RECOVERY']);

/**
 * POST /users/{id}/credentials/change_password `{oldPassword:{value}, newPassword:{value}, revokeSessions}`:
 * Okta's "Update password", validating the current password. Other statuses, and users without a
 * password, are 403 E0000035 "Change password not allowed on specified user."
 */
export async function changeUserPassword(c: PasswordChangeDeps, idOrLogin: string, rawBody: unknown, principal?: User): Promise<User> {
  const body = bodyObject(rawBody);
  const causes: Cause[] = [];
  const oldPassword = credentialValue(body, 'oldPassword', causes);
  const newPassword = credentialValue(body, 'newPassword', causes);
  if (body.revokeSessions !== undefined && typeof body.revokeSessions !== 'boolean') {
    causes.push({ field: 'revokeSessions', message: 'The field must be a boolean' });
  }
  if (causes.length > 0) throw validationError(causes);
  const user = await findUser(c, idOrLogin, principal);
  if (!CHANGEABLE.has(user.status) || !user.passwordHash) throw ApiError.of('E0000035');
  await checkPasswordChange(c, user, oldPassword, newPassword);
  return setCheckedPassword(c, user.id, newPassword, body.revokeSessions === true);
}
