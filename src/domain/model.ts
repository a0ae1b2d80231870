/**
 * The org's domain model: what the store keeps and the services reason about. Shapes follow Okta's
 * objects (management.yaml) closely so the API layer only adds links and formats dates.
 * Times are epoch milliseconds.
 */

export type UserStatus =
  | 'STAGED' | 'PROVISIONED' | 'ACTIVE' | 'RECOVERY' | 'PASSWORD_EXPIRED' | 'LOCKED_OUT' | 'SUSPENDED' | 'DEPROVISIONED';

export type UserProfile = Record<string, unknown> & { login: string; email?: string | null; firstName?: string | null; lastName?: string | null };

export interface User {
  id: string;
  status: UserStatus;
  profile: UserProfile;
  passwordHash: string | null;
  failedLogins: number;
  /** Admin roles held, e.g. ['SUPER_ADMIN']. */
  adminRoles: string[];
  created: number;
  activated: number | null;
  statusChanged: number | null;
  lastLogin: number | null;
  lastUpdated: number;
  passwordChanged: number | null;
}

export type GroupType = 'OKTA_GROUP' | 'BUILT_IN' | 'APP_GROUP';

export interface Group {
  id: string;
  type: GroupType;
  name: string;
  description: string | null;
  created: number;
  lastUpdated: number;
  lastMembershipUpdated: number;
}

export type ApplicationType = 'web' | 'browser' | 'native' | 'service';
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt' | 'none';

/** settings.oauthClient of an OIDC app, as Okta stores it. */
export interface OAuthClientSettings {
  application_type: ApplicationType;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  response_types: string[];
  grant_types: string[];
  consent_method: 'REQUIRED' | 'TRUSTED';
  issuer_mode: 'ORG_URL' | 'CUSTOM_URL' | 'DYNAMIC';
  initiate_login_uri?: string;
  wildcard_redirect: 'DISABLED' | 'SUBDOMAIN';
  refresh_token?: { rotation_type: 'ROTATE' | 'STATIC'; leeway: number };
  idp_initiated_login?: { mode: string; default_scope: string[] };
  jwks?: { keys: Record<string, unknown>[] };
  jwks_uri?: string;
  client_uri?: string;
  logo_uri?: string;
  tos_uri?: string;
  policy_uri?: string;
  dpop_bound_access_tokens?: boolean;
  /** Which tokens the implicit grant may return ("Implicit (hybrid)" checkboxes): not an Okta field, derived from response_types. */
  [extra: string]: unknown;
}

/** credentials.oauthClient minus the secret (secrets live in their own table). */
export interface OAuthClientCredentials {
  client_id: string;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  autoKeyRotation: boolean;
  pkce_required: boolean;
}

/** The whole Okta application object except id/status/timestamps, kept as one JSON document. */
export interface AppBody {
  name: string;
  label: string;
  signOnMode: string;
  features: string[];
  accessibility: Record<string, unknown>;
  visibility: Record<string, unknown>;
  credentials: { userNameTemplate: { template: string; type: string }; signing?: Record<string, unknown>; oauthClient: OAuthClientCredentials };
  settings: { app: Record<string, unknown>; implicitAssignment?: boolean; notes: Record<string, unknown>; oauthClient: OAuthClientSettings; [k: string]: unknown };
  profile?: Record<string, unknown>;
}

export interface App {
  id: string;
  status: 'ACTIVE' | 'INACTIVE';
  clientId: string;
  body: AppBody;
  created: number;
  lastUpdated: number;
}

export interface AppSecret {
  id: string;
  appId: string;
  /** The secret sealed with the SecretBox; opened only to show it to an administrator. */
  secretSealed: string;
  /** SHA-256 (base64url) of the secret, compared in constant time at client authentication. */
  secretHash: string;
  status: 'ACTIVE' | 'INACTIVE';
  created: number;
  lastUpdated: number;
}

export interface AppUserAssignment {
  appId: string;
  userId: string;
  scope: 'USER' | 'GROUP';
  body: Record<string, unknown>;
  created: number;
  lastUpdated: number;
}

export interface AppGroupAssignment {
  appId: string;
  groupId: string;
  priority: number;
  body: Record<string, unknown>;
  created: number;
  lastUpdated: number;
}

export type IssuerMode = 'ORG_URL' | 'CUSTOM_URL' | 'DYNAMIC';

export interface AuthServer {
  id: string;
  name: string;
  description: string | null;
  audiences: string[];
  issuerMode: IssuerMode;
  status: 'ACTIVE' | 'INACTIVE';
  rotationMode: 'AUTO' | 'MANUAL';
  lastRotated: number | null;
  created: number;
  lastUpdated: number;
}

/** The org authorization server's pseudo id: it has keys but no row in auth_servers. */
export const ORG_AUTH_SERVER_ID = 'org';

export interface SigningKey {
  kid: string;
  authServerId: string;
  status: 'ACTIVE' | 'NEXT' | 'EXPIRED';
  alg: 'RS256';
  publicJwk: Record<string, unknown>;
  privateSealed: string;
  created: number;
  expiresAt: number | null;
}

export interface Scope {
  id: string;
  authServerId: string;
  name: string;
  displayName: string | null;
  description: string | null;
  consent: 'REQUIRED' | 'IMPLICIT' | 'FLEXIBLE';
  default: boolean;
  optional: boolean;
  metadataPublish: 'ALL_CLIENTS' | 'NO_CLIENTS';
  system: boolean;
  created: number;
  lastUpdated: number;
}

export interface Claim {
  id: string;
  authServerId: string;
  name: string;
  status: 'ACTIVE' | 'INACTIVE';
  claimType: 'RESOURCE' | 'IDENTITY';
  valueType: 'EXPRESSION' | 'GROUPS' | 'SYSTEM';
  value: string;
  group_filter_type?: 'STARTS_WITH' | 'EQUALS' | 'CONTAINS' | 'REGEX';
  conditions: { scopes: string[] };
  alwaysIncludeInToken: boolean;
  system: boolean;
  created: number;
  lastUpdated: number;
}

export interface Policy {
  id: string;
  authServerId: string;
  type: 'OAUTH_AUTHORIZATION_POLICY';
  name: string;
  description: string | null;
  status: 'ACTIVE' | 'INACTIVE';
  priority: number;
  system: boolean;
  conditions: { clients: { include: string[] } };
  created: number;
  lastUpdated: number;
}

export interface PolicyRule {
  id: string;
  policyId: string;
  authServerId: string;
  type: 'RESOURCE_ACCESS';
  name: string;
  status: 'ACTIVE' | 'INACTIVE';
  priority: number;
  system: boolean;
  conditions: {
    people: { users: { include: string[]; exclude: string[] }; groups: { include: string[]; exclude: string[] } };
    grantTypes: { include: string[] };
    scopes: { include: string[] };
  };
  actions: {
    token: { accessTokenLifetimeMinutes: number; refreshTokenLifetimeMinutes: number; refreshTokenWindowMinutes: number };
  };
  created: number;
  lastUpdated: number;
}

export type ArtifactKind = 'code' | 'session_token' | 'state_token';

export type ConsumeResult<T> =
  | { status: 'ok'; payload: T }
  | { status: 'reused'; payload: T }
  | { status: 'expired' | 'missing' };

export interface RefreshTokenRecord {
  /** SHA-256 of the token value. */
  id: string;
  grantId: string;
  clientId: string;
  userId: string;
  authServerId: string;
  payload: RefreshTokenPayload;
  issuedAt: number;
  /** Absolute end of the family (inherited on rotation); null = unlimited. */
  expiresAt: number | null;
  /** Idle window end, moved forward on every use; null = none. */
  idleExpiresAt: number | null;
  rotatedAt: number | null;
  revokedAt: number | null;
}

export interface RefreshTokenPayload {
  scopes: string[];
  authTime: number;
  amr: string[];
  sessionId?: string;
  /** Lifetimes that applied at issue time (from the access-policy rule). */
  accessTokenLifetimeSeconds: number;
  refreshTokenWindowSeconds: number | null;
}

export interface Session {
  /** SHA-256 of the cookie value. */
  id: string;
  userId: string;
  created: number;
  expiresAt: number;
  authTime: number;
  amr: string[];
  revokedAt: number | null;
}

export interface ConsentGrant {
  id: string;
  userId: string;
  clientId: string;
  authServerId: string;
  scope: string;
  created: number;
  lastUpdated: number;
}

export interface ApiToken {
  id: string;
  name: string;
  tokenHash: string;
  userId: string;
  created: number;
  lastUsed: number | null;
}
