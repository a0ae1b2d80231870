/**
 * The storage contract: one repository per aggregate, shaped around what the protocol and the
 * management API need (consume a code, rotate a refresh token, revoke a grant) rather than around
 * tables. One implementation (kysely-store.ts) serves SQLite and PostgreSQL; test/store runs the same
 * conformance suite against both.
 *
 * Semantics every implementation must keep:
 * - Unique violations surface as DuplicateError (field named), never as a driver error.
 * - `artifacts.consume` and `refreshTokens.markRotated` are single conditional UPDATEs: of two
 *   concurrent callers exactly one wins.
 * - Lists are ordered by id and paginated by an exclusive `after` id.
 */
import type {
  ApiToken, App, AppGroupAssignment, AppSecret, AppUserAssignment, ArtifactKind, AuthServer, Claim, ConsentGrant,
  ConsumeResult, Group, Policy, PolicyRule, RefreshTokenRecord, Scope, Session, SigningKey, User, UserStatus,
} from '../domain/model.js';
import type { TrustedOrigin } from '../domain/trusted-origins/model.js';
import type { LogEvent, LogQuery } from '../audit/log-event.js';

export class DuplicateError extends Error {
  override name = 'DuplicateError';
  constructor(readonly field: string) {
    super(`duplicate value for ${field}`);
  }
}

export interface Page { after?: string | undefined; limit: number }

/** A structured user filter (parsed from Okta's `filter` expression by the domain layer). */
export type UserFilter =
  | { op: 'and' | 'or'; terms: UserFilter[] }
  | { field: 'id' | 'status' | 'login' | 'email' | 'firstName' | 'lastName'; cmp: 'eq' | 'sw'; value: string }
  | { field: 'created' | 'lastUpdated' | 'statusChanged' | 'activated' | 'lastLogin'; cmp: 'eq' | 'gt' | 'ge' | 'lt' | 'le'; value: number };

export interface UserListQuery extends Page {
  /** Prefix match on login, email, firstName or lastName (Okta's `q`). */
  q?: string | undefined;
  filter?: UserFilter | undefined;
}

export interface UserRepo {
  create(user: User): Promise<void>;
  get(id: string): Promise<User | undefined>;
  getByLogin(login: string): Promise<User | undefined>;
  list(query: UserListQuery): Promise<User[]>;
  /** Replaces the whole row (profile, status, timestamps, hash). */
  update(user: User): Promise<void>;
  delete(id: string): Promise<void>;
  /**
   * Atomically counts a failed sign-in; locks the user (status LOCKED_OUT) when the count reaches
   * `threshold`. Returns the user as it is after the update.
   */
  recordFailedLogin(id: string, threshold: number, now: number): Promise<User | undefined>;
  recordSuccessfulLogin(id: string, now: number): Promise<void>;
}

export interface GroupListQuery extends Page { q?: string | undefined }

export interface GroupRepo {
  create(group: Group): Promise<void>;
  get(id: string): Promise<Group | undefined>;
  getByName(name: string): Promise<Group | undefined>;
  list(query: GroupListQuery): Promise<Group[]>;
  update(group: Group): Promise<void>;
  /** Deletes the group, its memberships and its app assignments. */
  delete(id: string): Promise<void>;
  addMember(groupId: string, userId: string, now: number): Promise<void>;
  removeMember(groupId: string, userId: string, now: number): Promise<void>;
  listMembers(groupId: string, page: Page): Promise<User[]>;
  listGroupsOfUser(userId: string): Promise<Group[]>;
  /** Ids of the user's groups, the built-in Everyone group included if it exists. */
  groupIdsOfUser(userId: string): Promise<string[]>;
  /** Ids and names of the same groups, in one query (what token claims need), ordered by name. */
  groupRefsOfUser(userId: string): Promise<GroupRef[]>;
}

export interface GroupRef { id: string; name: string }

export interface AppListQuery extends Page {
  /** Prefix match on label or name. */
  q?: string | undefined;
  status?: 'ACTIVE' | 'INACTIVE' | undefined;
}

export interface AppRepo {
  create(app: App): Promise<void>;
  get(id: string): Promise<App | undefined>;
  getByClientId(clientId: string): Promise<App | undefined>;
  list(query: AppListQuery): Promise<App[]>;
  update(app: App): Promise<void>;
  /** Deletes the app with its secrets and assignments. */
  delete(id: string): Promise<void>;

  listSecrets(appId: string): Promise<AppSecret[]>;
  getSecret(appId: string, secretId: string): Promise<AppSecret | undefined>;
  createSecret(secret: AppSecret): Promise<void>;
  updateSecret(secret: AppSecret): Promise<void>;
  deleteSecret(appId: string, secretId: string): Promise<void>;

  assignUser(assignment: AppUserAssignment): Promise<void>;
  getUserAssignment(appId: string, userId: string): Promise<AppUserAssignment | undefined>;
  listUserAssignments(appId: string, page: Page): Promise<AppUserAssignment[]>;
  unassignUser(appId: string, userId: string): Promise<void>;
  assignGroup(assignment: AppGroupAssignment): Promise<void>;
  getGroupAssignment(appId: string, groupId: string): Promise<AppGroupAssignment | undefined>;
  listGroupAssignments(appId: string, page: Page): Promise<AppGroupAssignment[]>;
  unassignGroup(appId: string, groupId: string): Promise<void>;
  /** Apps the user is assigned to, directly or through one of the groups. */
  listAppIdsForUser(userId: string, groupIds: string[]): Promise<string[]>;
  /** True when the user is assigned directly or through any of `groupIds`. One query. */
  isAssigned(appId: string, userId: string, groupIds: string[]): Promise<boolean>;
  /**
   * Every user assigned to the app, directly or through a group (the Everyone group included),
   * ordered by user id and continuing after `query.after`; `query.userId` narrows it to one user.
   * One query.
   */
  listAssignedUsers(appId: string, query: Page & { userId?: string | undefined }): Promise<AssignedUser[]>;
  /** The apps the user is assigned to, directly or through one of `groupIds`, ordered by id. One query. */
  listAssignedApps(userId: string, groupIds: string[]): Promise<App[]>;
}

/** A user assigned to an app, as listAssignedUsers finds them. */
export interface AssignedUser {
  user: User;
  /** The direct assignment, when there is one. */
  direct: AppUserAssignment | undefined;
  /** The highest-priority (lowest number) group assignment the user gets the app through, if any. */
  group: AppGroupAssignment | undefined;
}

export interface AuthServerRepo {
  create(server: AuthServer): Promise<void>;
  get(id: string): Promise<AuthServer | undefined>;
  list(page: Page & { q?: string | undefined }): Promise<AuthServer[]>;
  update(server: AuthServer): Promise<void>;
  /** Deletes the server with its scopes, claims, policies, rules and keys. */
  delete(id: string): Promise<void>;

  listScopes(authServerId: string): Promise<Scope[]>;
  getScope(authServerId: string, id: string): Promise<Scope | undefined>;
  createScope(scope: Scope): Promise<void>;
  updateScope(scope: Scope): Promise<void>;
  deleteScope(authServerId: string, id: string): Promise<void>;

  listClaims(authServerId: string): Promise<Claim[]>;
  getClaim(authServerId: string, id: string): Promise<Claim | undefined>;
  createClaim(claim: Claim): Promise<void>;
  updateClaim(claim: Claim): Promise<void>;
  deleteClaim(authServerId: string, id: string): Promise<void>;

  /** Ordered by priority. */
  listPolicies(authServerId: string): Promise<Policy[]>;
  getPolicy(authServerId: string, id: string): Promise<Policy | undefined>;
  createPolicy(policy: Policy): Promise<void>;
  updatePolicy(policy: Policy): Promise<void>;
  deletePolicy(authServerId: string, id: string): Promise<void>;

  /** Ordered by priority. */
  listRules(authServerId: string, policyId: string): Promise<PolicyRule[]>;
  getRule(authServerId: string, policyId: string, id: string): Promise<PolicyRule | undefined>;
  createRule(rule: PolicyRule): Promise<void>;
  updateRule(rule: PolicyRule): Promise<void>;
  deleteRule(authServerId: string, policyId: string, id: string): Promise<void>;
}

export interface SigningKeyRepo {
  listForServer(authServerId: string): Promise<SigningKey[]>;
  create(key: SigningKey): Promise<void>;
  update(key: SigningKey): Promise<void>;
  /** Removes one key (purging an EXPIRED key, or undoing a key made for a refused write). Idempotent. */
  delete(authServerId: string, kid: string): Promise<void>;
}

export interface ArtifactRepo {
  put(id: string, kind: ArtifactKind, payload: unknown, expiresAt: number, now: number): Promise<void>;
  /**
   * Marks the artifact consumed in one conditional UPDATE. `ok` for the one caller that consumed it,
   * `reused` (with the payload, so the caller can revoke what the first use issued) when it was
   * already consumed, `expired` or `missing` otherwise.
   */
  consume<T>(id: string, kind: ArtifactKind, now: number): Promise<ConsumeResult<T>>;
  /** The payload of a live (unconsumed, unexpired) artifact, without consuming it; undefined otherwise. */
  peek<T>(id: string, kind: ArtifactKind, now: number): Promise<T | undefined>;
  /** Stores extra data on an artifact after consumption (e.g. the grant issued from a code). */
  annotate(id: string, payload: unknown): Promise<void>;
  deleteExpired(now: number): Promise<number>;
}

export interface RefreshTokenRepo {
  create(token: RefreshTokenRecord): Promise<void>;
  get(id: string): Promise<RefreshTokenRecord | undefined>;
  /** Conditional UPDATE: true only for the caller that rotated a live, unrotated token. */
  markRotated(id: string, now: number): Promise<boolean>;
  /** Moves the idle window of a STATIC token forward. */
  touch(id: string, idleExpiresAt: number | null): Promise<void>;
  revoke(id: string, now: number): Promise<void>;
  /** Revokes every refresh token of the grant (the whole rotation family). */
  revokeGrant(grantId: string, now: number): Promise<void>;
  revokeForUser(userId: string, now: number): Promise<void>;
  revokeForClient(clientId: string, now: number): Promise<void>;
  listForClient(clientId: string, page: Page): Promise<RefreshTokenRecord[]>;
  /** Client ids for which the user holds a live (unrevoked, unrotated, unexpired) refresh token. */
  clientIdsForUser(userId: string, now: number): Promise<string[]>;
}

export interface RevocationRepo {
  /** `id` is `grant:<grantId>` or `jti:<jti>`; kept until `expiresAt`. */
  add(id: string, expiresAt: number): Promise<void>;
  /** True when any of the ids is revoked. One query. */
  anyRevoked(ids: string[]): Promise<boolean>;
  deleteExpired(now: number): Promise<number>;
}

export interface SessionRepo {
  create(session: Session): Promise<void>;
  get(id: string): Promise<Session | undefined>;
  update(session: Session): Promise<void>;
  revoke(id: string, now: number): Promise<void>;
  revokeForUser(userId: string, now: number): Promise<void>;
  deleteExpired(now: number): Promise<number>;
}

export interface ConsentRepo {
  list(userId: string, clientId?: string): Promise<ConsentGrant[]>;
  /** Every user's grants to one client, ordered by id. */
  listForClient(clientId: string): Promise<ConsentGrant[]>;
  upsert(grant: ConsentGrant): Promise<void>;
  delete(userId: string, id: string): Promise<void>;
  deleteForClient(userId: string, clientId: string): Promise<void>;
  deleteForUser(userId: string): Promise<void>;
}

export interface ApiTokenRepo {
  create(token: ApiToken): Promise<void>;
  getByHash(tokenHash: string): Promise<ApiToken | undefined>;
  list(): Promise<ApiToken[]>;
  delete(id: string): Promise<void>;
}

export interface SettingsRepo {
  get(key: string): Promise<string | undefined>;
  /** Inserts when absent; returns the value now stored (the existing one if another node won). */
  setIfAbsent(key: string, value: string): Promise<string>;
  set(key: string, value: string): Promise<void>;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly users: UserRepo;
  readonly groups: GroupRepo;
  readonly apps: AppRepo;
  readonly authServers: AuthServerRepo;
  readonly signingKeys: SigningKeyRepo;
  readonly artifacts: ArtifactRepo;
  readonly refreshTokens: RefreshTokenRepo;
  readonly revocations: RevocationRepo;
  readonly sessions: SessionRepo;
  readonly consents: ConsentRepo;
  readonly apiTokens: ApiTokenRepo;
  readonly settings: SettingsRepo;
  readonly trustedOrigins: TrustedOriginRepo;
  readonly systemLog: SystemLogRepo;
  /** Runs `fn` in one database transaction; the store it gets is bound to that transaction. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type { UserStatus };

/** A structured trusted-origin filter (parsed from Okta's `filter` by the domain layer); `type` is a scope type. */
export type TrustedOriginFilter =
  | { op: 'and' | 'or'; terms: TrustedOriginFilter[] }
  | { field: 'name' | 'origin' | 'status' | 'type'; cmp: 'eq'; value: string };

export interface TrustedOriginListQuery extends Page {
  /** Case-insensitive prefix of the name or the origin (Okta's `q`). */
  q?: string | undefined;
  filter?: TrustedOriginFilter | undefined;
}

export interface TrustedOriginRepo {
  /** DuplicateError('origin') when the canonical origin is taken. */
  create(origin: TrustedOrigin): Promise<void>;
  get(id: string): Promise<TrustedOrigin | undefined>;
  list(query: TrustedOriginListQuery): Promise<TrustedOrigin[]>;
  /** Every ACTIVE trusted origin, unpaginated: what the CORS cache loads. */
  listActive(): Promise<TrustedOrigin[]>;
  /** Replaces the row; DuplicateError('origin') as for create. */
  update(origin: TrustedOrigin): Promise<void>;
  delete(id: string): Promise<void>;
}

/**
 * The System Log: append-only. Lists are ordered by (published, uuid), ascending or descending, and
 * continue strictly after `query.after` in that order.
 */
export interface SystemLogRepo {
  /**
   * Inserts the batch in one statement (uuid is the primary key). `json[i]`, when given, is
   * `events[i]` already serialised, stored as is.
   */
  append(events: LogEvent[], json?: readonly string[]): Promise<void>;
  list(query: LogQuery): Promise<LogEvent[]>;
  /** Retention: deletes events published before `before`; returns how many. */
  deleteBefore(before: number): Promise<number>;
}
