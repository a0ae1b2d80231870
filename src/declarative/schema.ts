/**
 * The shape of a `gatehouse apply` file. Objects use Okta's own field names (management.yaml), so an
 * administrator can paste JSON from Okta's documentation; ids are replaced by natural keys and
 * references by name (see README in this folder). Objects are strict: a misspelt field is an error
 * rather than silently ignored.
 */
import { z } from 'zod';

export const GRANT_TYPES = [
  'authorization_code', 'client_credentials', 'implicit', 'interaction_code', 'password', 'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:openid:params:grant-type:ciba', 'urn:okta:params:oauth:grant-type:otp', 'urn:okta:params:oauth:grant-type:oob',
  'http://auth0.com/oauth/grant-type/mfa-otp', 'http://auth0.com/oauth/grant-type/mfa-oob',
] as const;
export const APPLICATION_TYPES = ['web', 'browser', 'native', 'service'] as const;
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;
export const RESPONSE_TYPES = ['code', 'id_token', 'token'] as const;
export const ISSUER_MODES = ['ORG_URL', 'CUSTOM_URL', 'DYNAMIC'] as const;
export const STATUSES = ['ACTIVE', 'INACTIVE'] as const;
export const TRUSTED_ORIGIN_SCOPES = ['CORS', 'REDIRECT', 'IFRAME_EMBED'] as const;

/** The built-in group every user belongs to; rules may also spell it EVERYONE, as Okta's do. */
export const EVERYONE = 'Everyone';
/** Policy clients: every client of the org. */
export const ALL_CLIENTS = 'ALL_CLIENTS';
/** `app:LABEL` names an app by its label; where a client id is expected it means that app's client id. */
export const APP_REF_PREFIX = 'app:';

const text = z.string();
const name = z.string().refine((s) => s.trim() !== '', { message: 'must not be blank' });
const optionalText = z.string().nullable().optional();
const names = z.array(name);
const json = z.record(z.string(), z.unknown());
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const status = z.enum(STATUSES).optional();

export const groupSchema = z.strictObject({
  profile: z.strictObject({ name, description: optionalText }),
});

export const userSchema = z.strictObject({
  /** Okta's profile attributes; `login` is the user's natural key. */
  profile: z.looseObject({ login: name, email: z.string().nullable().optional() }),
  /** Set when the user is created; a password cannot be read back, so it is never compared. */
  credentials: z.strictObject({ password: z.strictObject({ value: z.string().min(8) }) }).optional(),
  /** Group memberships, by group name (added when missing; never removed). */
  groups: names.optional(),
});

const oauthClientSettings = z.strictObject({
  application_type: z.enum(APPLICATION_TYPES),
  grant_types: z.array(z.enum(GRANT_TYPES)).min(1),
  response_types: z.array(z.enum(RESPONSE_TYPES)).optional(),
  redirect_uris: z.array(text).optional(),
  post_logout_redirect_uris: z.array(text).optional(),
  consent_method: z.enum(['REQUIRED', 'TRUSTED']).optional(),
  issuer_mode: z.enum(ISSUER_MODES).optional(),
  initiate_login_uri: text.optional(),
  wildcard_redirect: z.enum(['DISABLED', 'SUBDOMAIN']).optional(),
  refresh_token: z.strictObject({ rotation_type: z.enum(['ROTATE', 'STATIC']).optional(), leeway: int(0, 60).optional() }).optional(),
  idp_initiated_login: z.strictObject({ mode: z.enum(['DISABLED', 'SPEC', 'OKTA']), default_scope: z.array(text).optional() }).optional(),
  dpop_bound_access_tokens: z.boolean().optional(),
  client_uri: text.optional(),
  logo_uri: text.optional(),
  tos_uri: text.optional(),
  policy_uri: text.optional(),
  jwks_uri: text.optional(),
  jwks: z.strictObject({ keys: z.array(json) }).optional(),
  frontchannel_logout_uri: text.optional(),
  frontchannel_logout_session_required: z.boolean().optional(),
  participate_slo: z.boolean().optional(),
});

export const appSchema = z.strictObject({
  /** The natural key: Okta's "App integration name". */
  label: name,
  name: z.literal('oidc_client').optional(),
  signOnMode: z.literal('OPENID_CONNECT').optional(),
  status,
  accessibility: json.optional(),
  visibility: json.optional(),
  profile: json.optional(),
  credentials: z.strictObject({
    userNameTemplate: z.strictObject({ template: text, type: text.optional() }).optional(),
    oauthClient: z.strictObject({
      /** Only on creation (client ids are immutable); generated when left out. */
      client_id: text.optional(),
      /** Leave out to have one generated; a value here replaces the app's secrets when it differs. */
      client_secret: text.optional(),
      token_endpoint_auth_method: z.enum(AUTH_METHODS).optional(),
      pkce_required: z.boolean().optional(),
      autoKeyRotation: z.boolean().optional(),
    }).optional(),
  }).optional(),
  settings: z.strictObject({
    app: json.optional(),
    implicitAssignment: z.boolean().optional(),
    notes: z.strictObject({ admin: optionalText, enduser: optionalText }).optional(),
    oauthClient: oauthClientSettings,
  }),
  /** Controlled access: groups by name (Everyone for "allow everyone"), users by login. Added, never removed. */
  assignments: z.strictObject({ groups: names.optional(), users: names.optional() }).optional(),
});

export const scopeSchema = z.strictObject({
  name,
  displayName: optionalText,
  description: optionalText,
  consent: z.enum(['REQUIRED', 'IMPLICIT', 'FLEXIBLE']).optional(),
  default: z.boolean().optional(),
  optional: z.boolean().optional(),
  metadataPublish: z.enum(['ALL_CLIENTS', 'NO_CLIENTS']).optional(),
});

export const claimSchema = z.strictObject({
  name,
  /** With `name`, the natural key: a server may have an ID-token and an access-token claim of one name. */
  claimType: z.enum(['RESOURCE', 'IDENTITY']),
  valueType: z.enum(['EXPRESSION', 'GROUPS']).optional(),
  value: text,
  group_filter_type: z.enum(['STARTS_WITH', 'EQUALS', 'CONTAINS', 'REGEX']).optional(),
  conditions: z.strictObject({ scopes: z.array(name).optional() }).optional(),
  alwaysIncludeInToken: z.boolean().optional(),
  status,
});

const includeExclude = z.strictObject({ include: names.optional(), exclude: names.optional() });

export const ruleSchema = z.strictObject({
  name,
  type: z.literal('RESOURCE_ACCESS').optional(),
  priority: z.number().int().min(1).optional(),
  status,
  conditions: z.strictObject({
    /** Users by login, groups by name (Everyone or EVERYONE for everyone). */
    people: z.strictObject({ users: includeExclude.optional(), groups: includeExclude.optional() }).optional(),
    grantTypes: z.strictObject({ include: z.array(z.enum(GRANT_TYPES)).min(1) }),
    scopes: z.strictObject({ include: z.array(name).min(1) }),
  }),
  actions: z.strictObject({
    token: z.strictObject({
      accessTokenLifetimeMinutes: int(5, 1440).optional(),
      refreshTokenLifetimeMinutes: int(0, 2_628_000).optional(),
      refreshTokenWindowMinutes: int(10, 2_628_000).optional(),
    }),
  }).optional(),
});

export const policySchema = z.strictObject({
  name,
  type: z.literal('OAUTH_AUTHORIZATION_POLICY').optional(),
  description: optionalText,
  priority: z.number().int().min(1).optional(),
  status,
  /** Clients as `app:LABEL`, ALL_CLIENTS, or a client id of an app the file does not manage. */
  conditions: z.strictObject({ clients: z.strictObject({ include: z.array(name).min(1) }) }),
  rules: z.array(ruleSchema).optional(),
});

export const authorizationServerSchema = z.strictObject({
  name,
  description: optionalText,
  /** The access token's `aud`; `app:LABEL` means that app's client id (as the seed sets it). */
  audiences: z.array(name).min(1).max(1, 'only one audience is supported').optional(),
  issuerMode: z.enum(ISSUER_MODES).optional(),
  status,
  credentials: z.strictObject({ signing: z.strictObject({ rotationMode: z.enum(['AUTO', 'MANUAL']).optional() }) }).optional(),
  scopes: z.array(scopeSchema).optional(),
  claims: z.array(claimSchema).optional(),
  policies: z.array(policySchema).optional(),
});

export const trustedOriginSchema = z.strictObject({
  origin: name,
  /** Defaults to the origin. */
  name: name.optional(),
  scopes: z.array(z.strictObject({ type: z.enum(TRUSTED_ORIGIN_SCOPES), allowedOktaApps: z.array(text).optional() })).min(1),
  status,
});

export const fileSchema = z.strictObject({
  groups: z.array(groupSchema).optional(),
  users: z.array(userSchema).optional(),
  apps: z.array(appSchema).optional(),
  authorizationServers: z.array(authorizationServerSchema).optional(),
  trustedOrigins: z.array(trustedOriginSchema).optional(),
});

export type GroupSpec = z.infer<typeof groupSchema>;
export type UserSpec = z.infer<typeof userSchema>;
export type AppSpec = z.infer<typeof appSchema>;
export type ScopeSpec = z.infer<typeof scopeSchema>;
export type ClaimSpec = z.infer<typeof claimSchema>;
export type RuleSpec = z.infer<typeof ruleSchema>;
export type PolicySpec = z.infer<typeof policySchema>;
export type AuthorizationServerSpec = z.infer<typeof authorizationServerSchema>;
export type TrustedOriginSpec = z.infer<typeof trustedOriginSchema>;
export type GatehouseFile = z.infer<typeof fileSchema>;
