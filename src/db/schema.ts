/**
 * Row types of every table, shared by both dialects. Timestamps are epoch milliseconds (bigint),
 * JSON documents are text, booleans are 0/1 integers: the lowest common denominator of SQLite and PostgreSQL.
 */
export interface SettingsTable { key: string; value: string }

export interface UsersTable {
  id: string;
  login: string;
  login_lower: string;
  email_lower: string | null;
  first_name_lower: string | null;
  last_name_lower: string | null;
  status: string;
  profile: string;
  password_hash: string | null;
  failed_logins: number;
  admin_roles: string;
  created: number;
  activated: number | null;
  status_changed: number | null;
  last_login: number | null;
  last_updated: number;
  password_changed: number | null;
}

export interface GroupsTable {
  id: string;
  type: string;
  name: string;
  name_lower: string;
  description: string | null;
  created: number;
  last_updated: number;
  last_membership_updated: number;
}

export interface GroupMembersTable { group_id: string; user_id: string; created: number }

export interface AppsTable {
  id: string;
  name: string;
  label: string;
  status: string;
  client_id: string;
  sign_on_mode: string;
  body: string;
  created: number;
  last_updated: number;
}

export interface AppSecretsTable {
  id: string;
  app_id: string;
  secret_enc: string;
  secret_hash: string;
  status: string;
  created: number;
  last_updated: number;
}

export interface AppUserAssignmentsTable {
  app_id: string;
  user_id: string;
  scope: string;
  body: string;
  created: number;
  last_updated: number;
}

export interface AppGroupAssignmentsTable {
  app_id: string;
  group_id: string;
  priority: number;
  body: string;
  created: number;
  last_updated: number;
}

export interface AuthServersTable {
  id: string;
  name: string;
  name_lower: string;
  status: string;
  body: string;
  created: number;
  last_updated: number;
}

export interface SigningKeysTable {
  kid: string;
  auth_server_id: string;
  status: string;
  alg: string;
  public_jwk: string;
  private_enc: string;
  created: number;
  expires_at: number | null;
}

export interface ScopesTable {
  id: string;
  auth_server_id: string;
  name: string;
  body: string;
  created: number;
  last_updated: number;
}

export interface ClaimsTable {
  id: string;
  auth_server_id: string;
  name: string;
  body: string;
  created: number;
  last_updated: number;
}

export interface PoliciesTable {
  id: string;
  auth_server_id: string;
  priority: number;
  status: string;
  body: string;
  created: number;
  last_updated: number;
}

export interface PolicyRulesTable {
  id: string;
  policy_id: string;
  auth_server_id: string;
  priority: number;
  status: string;
  body: string;
  created: number;
  last_updated: number;
}

/** One-time artifacts (authorization codes, session tokens), keyed by the SHA-256 of the secret. */
export interface ArtifactsTable {
  id: string;
  kind: string;
  payload: string;
  created: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface RefreshTokensTable {
  id: string;
  grant_id: string;
  client_id: string;
  user_id: string;
  auth_server_id: string;
  payload: string;
  issued_at: number;
  expires_at: number | null;
  idle_expires_at: number | null;
  rotated_at: number | null;
  revoked_at: number | null;
}

/** Revoked grants (`grant:<id>`) and access tokens (`jti:<jti>`), kept until the tokens would expire anyway. */
export interface RevocationsTable { id: string; expires_at: number }

export interface SessionsTable {
  id: string;
  user_id: string;
  created: number;
  expires_at: number;
  auth_time: number;
  amr: string;
  revoked_at: number | null;
}

export interface ConsentGrantsTable {
  id: string;
  user_id: string;
  client_id: string;
  auth_server_id: string;
  scope: string;
  created: number;
  last_updated: number;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  user_id: string;
  created: number;
  last_used: number | null;
}

export interface Database {
  settings: SettingsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  apps: AppsTable;
  app_secrets: AppSecretsTable;
  app_user_assignments: AppUserAssignmentsTable;
  app_group_assignments: AppGroupAssignmentsTable;
  auth_servers: AuthServersTable;
  signing_keys: SigningKeysTable;
  scopes: ScopesTable;
  claims: ClaimsTable;
  policies: PoliciesTable;
  policy_rules: PolicyRulesTable;
  artifacts: ArtifactsTable;
  refresh_tokens: RefreshTokensTable;
  revocations: RevocationsTable;
  sessions: SessionsTable;
  consent_grants: ConsentGrantsTable;
  api_tokens: ApiTokensTable;
  trusted_origins: TrustedOriginsTable;
  system_log: SystemLogTable;
}

export interface TrustedOriginsTable {
  id: string;
  name: string;
  origin: string;
  /** canonicalOrigin(origin): lower-cased scheme and host, default port dropped; unique. */
  origin_lower: string;
  status: string;
  /** JSON array of {type, allowedOktaApps?}. */
  scopes: string;
  created: number;
  created_by: string | null;
  last_updated: number;
  last_updated_by: string | null;
}

/** System Log events: the whole Okta LogEvent in `body`, with the filterable fields copied into columns. */
export interface SystemLogTable {
  uuid: string;
  published: number;
  event_type: string;
  severity: string;
  display_message: string | null;
  outcome_result: string | null;
  actor_id: string | null;
  /** JSON array of the target ids, matched with LIKE on the quoted id. */
  target_ids: string;
  client_ip: string | null;
  /** Lower-cased display message, event type, actor and target ids and names, for the `q` keywords. */
  search_text: string;
  body: string;
}
