/**
 * The gateway's configuration, read from OpenMetadata's variables (same names, same meanings; see
 * openmetadata-okta.md §1.4) plus GATEWAY_*. Reading never throws: it returns the configuration as
 * far as it could be read and the findings about the values themselves. The checks in ./checks judge
 * whether the configuration can work, so `gatehouse doctor` can run the same code.
 *
 * Defaults that differ from OpenMetadata's, on purpose:
 * - OIDC_DISABLE_PKCE defaults to false (PKCE on). PKCE binds the code to this browser's sign-in
 *   (RFC 9700 §2.1.1) and every provider the gateway targets supports S256; OpenMetadata's `true`
 *   only existed because its pac4j setup did not store the verifier across replicas.
 * - OIDC_PROMPT_TYPE and OIDC_MAX_AGE default to unset. OpenMetadata's `consent` / `0` (and the
 *   earlier hard-coded `prompt=login&max_age=0`) force a password on every sign-in (issues #16062,
 *   #20125) and make `prompt=none` silent renewal impossible.
 * - AUTHORIZER_PRINCIPAL_DOMAIN defaults to empty and AUTHORIZER_ADMIN_PRINCIPALS to none: a made-up
 *   `user@open-metadata.org` email or an `admin` flag for whoever is called "admin" would otherwise be
 *   asserted to the upstream in trusted headers.
 * - AUTHENTICATION_CLIENT_TYPE defaults to confidential: the gateway is a confidential client.
 */
import { EnvReader, isProxyAddress, type Env } from './env-values.js';
import type { Finding } from './findings.js';
import { parseSessionStoreUrl, SessionStoreError, type SessionStoreUrl } from './session-store/open.js';

export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic';
export const SUPPORTED_AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_post', 'client_secret_basic'];
export const SUPPORTED_JWS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** Fields of the signed-in identity that can be passed to the upstream, and their header names. */
export const IDENTITY_FIELDS = ['user', 'email', 'groups', 'preferred-username', 'name', 'admin', 'jwt', 'access-token'] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];
export type IdentityHeaders = Partial<Record<IdentityField, string>>;

export const DEFAULT_IDENTITY_HEADERS: IdentityHeaders = {
  user: 'X-Auth-Request-User',
  email: 'X-Auth-Request-Email',
  groups: 'X-Auth-Request-Groups',
  'preferred-username': 'X-Auth-Request-Preferred-Username',
  admin: 'X-Gatehouse-Admin',
  jwt: 'X-Gatehouse-Identity',
};

/** Paths the gateway answers itself; everything else goes to the upstream. */
export const GATEWAY_PATHS = {
  login: '/api/v1/auth/login',
  logout: '/api/v1/auth/logout',
  refresh: '/api/v1/auth/refresh',
  silent: '/api/v1/auth/silent',
  session: '/api/v1/auth/session',
  renewScript: '/api/v1/auth/renew.js',
  jwks: '/api/v1/system/config/jwks',
  healthz: '/healthz',
  readyz: '/readyz',
} as const;

export interface GatewayConfig {
  /** AUTHENTICATION_PROVIDER (okta, custom-oidc, …): informational, except for basic/ldap/saml. */
  provider: string;
  clientType: string;
  /** OIDC_TYPE: okta, google, azure, custom… Google gets `access_type=offline` for refresh tokens. */
  oidcType: string;
  /** AUTHENTICATION_AUTHORITY: the issuer, compared exactly with discovery and the ID token's `iss`. */
  authority: string;
  discoveryUri: string;
  clientId: string;
  /** AUTHENTICATION_CLIENT_ID when it differs from OIDC_CLIENT_ID (a finding explains). */
  authenticationClientId: string;
  clientSecret: string;
  clientAuthMethod: string;
  scopes: string[];
  useNonce: boolean;
  preferredJws: string;
  responseType: string;
  pkce: boolean;
  /** OIDC_CALLBACK (or AUTHENTICATION_CALLBACK_URL): the sign-in redirect URI, served by the gateway. */
  callbackUrl: string;
  authenticationCallbackUrl: string;
  silentCallbackUrl: string;
  /** OIDC_SERVER_URL without trailing slash: the gateway's public origin. */
  serverUrl: string;
  postLogoutUrl: string;
  maxClockSkewSeconds: number;
  customParams: Record<string, string>;
  maxAge: number | undefined;
  prompt: string | undefined;
  sessionExpirySeconds: number;
  /** AUTHENTICATION_PUBLIC_KEYS less the gateway's own JWKS: extra keys for ID-token signatures. */
  publicKeyUrls: string[];
  principalClaims: string[];
  principalClaimsMapping: { username?: string; email?: string };
  adminPrincipals: string[];
  principalDomain: string;
  enforcePrincipalDomain: boolean;
  upstreamUrl: string;
  port: number;
  host: string;
  sessionStore: SessionStoreUrl | undefined;
  trustedProxies: string[];
  identityHeaders: IdentityHeaders;
  identityAudience: string;
  /** GATEWAY_REFRESH: expect refresh tokens (needs offline_access); otherwise renew with prompt=none. */
  refresh: boolean;
  logLevel: string;
}

export interface ConfigReading {
  config: GatewayConfig;
  /** Findings about the values themselves (unreadable, repaired, contradictory). */
  findings: Finding[];
  /** Variables that were set but unusable; the checks do not also report them as missing. */
  invalid: ReadonlySet<string>;
}

const RESERVED_PARAMS = ['client_id', 'redirect_uri', 'response_type', 'response_mode', 'scope', 'state', 'nonce',
  'code_challenge', 'code_challenge_method'];

export function readGatewayConfig(env: Env): ConfigReading {
  const r = new EnvReader(env);
  r.colonKeys(['OIDC_', 'AUTHENTICATION_', 'AUTHORIZER_', 'GATEWAY_']);

  const port = r.integer('GATEWAY_PORT', 8585, 0, 65535) ?? 8585;
  const server = r.url('OIDC_SERVER_URL') ?? (env.OIDC_SERVER_URL ? undefined : new URL(`http://localhost:${port}`));
  if (server && (server.pathname !== '/' || server.search || server.hash)) {
    r.error('OIDC_SERVER_URL', 'server-url-path', `OIDC_SERVER_URL="${server.href}" has a path, query or fragment`,
      'the gateway serves its callback, login and logout endpoints at the root of its public origin',
      `set OIDC_SERVER_URL=${server.origin}`);
  }
  const serverUrl = server?.origin ?? '';

  const oidcCallback = urlString(r, 'OIDC_CALLBACK');
  const authCallback = urlString(r, 'AUTHENTICATION_CALLBACK_URL');
  const callbackUrl = oidcCallback ?? authCallback ?? (serverUrl ? `${serverUrl}/callback` : '');

  // The issuer is compared as written (exactly, like every verifier does), never normalised.
  const authorityRaw = urlString(r, 'AUTHENTICATION_AUTHORITY') ?? '';
  const discoveryUri = urlString(r, 'OIDC_DISCOVERY_URI')
    ?? (authorityRaw && !env.OIDC_DISCOVERY_URI ? `${authorityRaw.replace(/\/+$/, '')}/.well-known/openid-configuration` : '');

  const oidcClientId = r.string('OIDC_CLIENT_ID') ?? '';
  const authClientId = r.string('AUTHENTICATION_CLIENT_ID') ?? '';

  const scopeRaw = r.string('OIDC_SCOPE') ?? 'openid email profile';
  const scopes = [...new Set(scopeRaw.split(/[\s,+]+/).filter(Boolean))];

  const prompt = r.string('OIDC_PROMPT_TYPE');
  const sessionExpiry = r.integer('OIDC_SESSION_EXPIRY', 604800, 1, 10 * 365 * 86400) ?? 604800;
  if (sessionExpiry < 3600) {
    r.warn('OIDC_SESSION_EXPIRY', 'session-expiry-min', `OIDC_SESSION_EXPIRY=${sessionExpiry} is below the minimum of 3600 seconds`,
      'OpenMetadata refuses sessions shorter than an hour; the gateway uses 3600',
      'set OIDC_SESSION_EXPIRY=3600 or more');
  }

  const publicKeyUrls: string[] = [];
  for (const item of r.list('AUTHENTICATION_PUBLIC_KEYS') ?? []) {
    const url = r.url('AUTHENTICATION_PUBLIC_KEYS', item);
    if (!url) continue;
    // OpenMetadata lists its own JWKS here; the gateway serves that endpoint itself and never needs
    // its own keys to verify the provider's ID tokens.
    if (url.pathname.replace(/\/+$/, '') === GATEWAY_PATHS.jwks && (!serverUrl || url.origin === serverUrl)) continue;
    publicKeyUrls.push(url.href);
  }

  const mapping: { username?: string; email?: string } = {};
  for (const item of r.list('AUTHENTICATION_JWT_PRINCIPAL_CLAIMS_MAPPING') ?? []) {
    const [k, v] = item.split(':').map((s) => s.trim());
    if ((k === 'username' || k === 'email') && v) mapping[k] = v;
    else {
      r.error('AUTHENTICATION_JWT_PRINCIPAL_CLAIMS_MAPPING', 'bad-claims-mapping',
        `AUTHENTICATION_JWT_PRINCIPAL_CLAIMS_MAPPING has an entry "${item}"`,
        'only username:<claim> and email:<claim> are understood', 'write it as [username:preferred_username,email:email]');
    }
  }
  if ((mapping.username === undefined) !== (mapping.email === undefined)) {
    r.error('AUTHENTICATION_JWT_PRINCIPAL_CLAIMS_MAPPING', 'bad-claims-mapping',
      'AUTHENTICATION_JWT_PRINCIPAL_CLAIMS_MAPPING maps only one of username and email',
      'as in OpenMetadata, the mapping needs both keys', 'write it as [username:preferred_username,email:email]');
  }

  const trustedProxies = r.list('GATEWAY_TRUSTED_PROXIES') ?? [];
  for (const p of trustedProxies) {
    if (!isProxyAddress(p)) {
      r.error('GATEWAY_TRUSTED_PROXIES', 'bad-proxy', `GATEWAY_TRUSTED_PROXIES has "${p}", which is not an IP address or CIDR range`,
        'X-Forwarded-Proto/Host would be honoured from the wrong peers', 'list addresses like 10.0.0.0/8, 127.0.0.1 or loopback');
    }
  }

  let sessionStore: SessionStoreUrl | undefined;
  const storeRaw = r.string('GATEWAY_SESSION_STORE') ?? 'sqlite:./data/gateway-sessions.db';
  try {
    sessionStore = parseSessionStoreUrl(storeRaw);
  } catch (err) {
    if (!(err instanceof SessionStoreError)) throw err;
    r.error('GATEWAY_SESSION_STORE', 'bad-session-store', `GATEWAY_SESSION_STORE: ${err.message}`,
      'sessions must live in a store every replica shares', 'use sqlite:./data/gateway-sessions.db, postgres://… or redis://…');
  }

  const upstream = r.url('GATEWAY_UPSTREAM_URL');

  const config: GatewayConfig = {
    provider: (r.string('AUTHENTICATION_PROVIDER') ?? '').toLowerCase(),
    clientType: (r.string('AUTHENTICATION_CLIENT_TYPE') ?? 'confidential').toLowerCase(),
    oidcType: (r.string('OIDC_TYPE') ?? '').toLowerCase(),
    authority: authorityRaw,
    discoveryUri,
    clientId: oidcClientId || authClientId,
    authenticationClientId: authClientId,
    clientSecret: r.string('OIDC_CLIENT_SECRET') ?? '',
    clientAuthMethod: r.string('OIDC_CLIENT_AUTH_METHOD') ?? 'client_secret_post',
    scopes,
    useNonce: r.boolean('OIDC_USE_NONCE', true),
    preferredJws: r.string('OIDC_PREFERRED_JWS') ?? 'RS256',
    responseType: r.string('OIDC_RESPONSE_TYPE') ?? 'code',
    pkce: !r.boolean('OIDC_DISABLE_PKCE', false),
    callbackUrl,
    authenticationCallbackUrl: authCallback ?? '',
    silentCallbackUrl: urlString(r, 'GATEWAY_SILENT_CALLBACK_URL') ?? (serverUrl ? `${serverUrl}/silent-callback` : ''),
    serverUrl,
    postLogoutUrl: urlString(r, 'GATEWAY_POST_LOGOUT_URL') ?? (serverUrl ? `${serverUrl}/` : ''),
    maxClockSkewSeconds: r.integer('OIDC_MAX_CLOCK_SKEW', 60, 0, 3600) ?? 60,
    customParams: readCustomParams(r),
    maxAge: r.integer('OIDC_MAX_AGE', undefined, 0, 10 * 365 * 86400),
    prompt: prompt?.toLowerCase(),
    sessionExpirySeconds: Math.max(3600, sessionExpiry),
    publicKeyUrls,
    principalClaims: r.list('AUTHENTICATION_JWT_PRINCIPAL_CLAIMS') ?? ['email', 'preferred_username', 'sub'],
    principalClaimsMapping: mapping,
    adminPrincipals: r.list('AUTHORIZER_ADMIN_PRINCIPALS') ?? [],
    principalDomain: r.string('AUTHORIZER_PRINCIPAL_DOMAIN') ?? '',
    enforcePrincipalDomain: r.boolean('AUTHORIZER_ENFORCE_PRINCIPAL_DOMAIN', false),
    upstreamUrl: upstream ? upstream.href.replace(/\/+$/, '') : '',
    port,
    host: r.string('GATEWAY_HOST') ?? '127.0.0.1',
    sessionStore,
    trustedProxies,
    identityHeaders: readIdentityHeaders(r),
    identityAudience: r.string('GATEWAY_IDENTITY_AUDIENCE') ?? upstream?.origin ?? '',
    refresh: r.boolean('GATEWAY_REFRESH', true),
    logLevel: r.string('GATEWAY_LOG_LEVEL') ?? 'info',
  };
  return { config, findings: r.findings, invalid: r.invalid };

  function readCustomParams(reader: EnvReader): Record<string, string> {
    const raw = reader.string('OIDC_CUSTOM_PARAMS');
    if (raw === undefined) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      reader.error('OIDC_CUSTOM_PARAMS', 'bad-custom-params', `OIDC_CUSTOM_PARAMS is not JSON: ${raw}`,
        'the extra authorization parameters cannot be read', 'write a JSON object, e.g. OIDC_CUSTOM_PARAMS={"idp":"0oa…"}');
      return {};
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      reader.error('OIDC_CUSTOM_PARAMS', 'bad-custom-params', `OIDC_CUSTOM_PARAMS is not a JSON object: ${raw}`,
        'the extra authorization parameters cannot be read', 'write a JSON object, e.g. OIDC_CUSTOM_PARAMS={"idp":"0oa…"}');
      return {};
    }
    const obj = parsed as Record<string, unknown>;
    const out: Record<string, string> = {};
    // OpenMetadata's form: {"customParamKey1": "idp", "customParamValue1": "0oa…"} (keys 1..5).
    for (let i = 1; i <= 5; i++) {
      const k = obj[`customParamKey${i}`];
      if (typeof k === 'string' && k) out[k] = String(obj[`customParamValue${i}`] ?? '');
    }
    for (const [k, v] of Object.entries(obj)) {
      if (/^customParam(Key|Value)[1-5]$/.test(k)) continue;
      out[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    for (const k of Object.keys(out)) {
      if (RESERVED_PARAMS.includes(k)) {
        reader.error('OIDC_CUSTOM_PARAMS', 'reserved-custom-param', `OIDC_CUSTOM_PARAMS sets "${k}"`,
          'the gateway sets that parameter itself; overriding it would break or weaken the flow', `remove "${k}" from OIDC_CUSTOM_PARAMS`);
        delete out[k];
      }
    }
    return out;
  }
}

/** A URL variable as written (after cleaning), if it is a valid http(s) URL. */
function urlString(r: EnvReader, name: string): string | undefined {
  const v = r.string(name);
  return v !== undefined && r.url(name, v) ? v : undefined;
}

function readIdentityHeaders(r: EnvReader): IdentityHeaders {
  const items = r.list('GATEWAY_IDENTITY_HEADERS');
  if (items === undefined) return { ...DEFAULT_IDENTITY_HEADERS };
  const out: IdentityHeaders = {};
  for (const item of items) {
    const [field, header] = item.split('=').map((s) => s.trim());
    if (!IDENTITY_FIELDS.includes(field as IdentityField) || !header || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(header)) {
      r.error('GATEWAY_IDENTITY_HEADERS', 'bad-identity-headers', `GATEWAY_IDENTITY_HEADERS has an entry "${item}"`,
        `entries are field=Header-Name with field one of ${IDENTITY_FIELDS.join(', ')}`,
        'write e.g. GATEWAY_IDENTITY_HEADERS=user=X-Auth-Request-User,email=X-Auth-Request-Email,jwt=X-Gatehouse-Identity');
      continue;
    }
    out[field as IdentityField] = header;
  }
  return out;
}
