/**
 * An OIDC app's body as the Apps API accepts it (Okta's `oidc_client`): untrusted JSON read into
 * typed settings with Okta's defaults and validation rules (redirect URIs, grant and response
 * types per application type, PKCE, refresh-token rotation, JWKS), every problem an Okta cause.
 */
import { validationError } from '../errors/api-error.js';
import type { AppBody, ApplicationType, OAuthClientSettings, TokenEndpointAuthMethod } from './model.js';
import { bodyObject, isObject } from './users-service.js';
import { isActiveKey, jwksProblems } from './app-jwks.js';

export type Json = Record<string, unknown>;
type Cause = { field: string; message: string };

export const BLANK = 'The field cannot be left blank';
export const MAX_SECRETS = 2;
const MAX_URI = 1024;

const GRANT_TYPES = [
  'authorization_code', 'client_credentials', 'implicit', 'interaction_code', 'password', 'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:openid:params:grant-type:ciba', 'urn:okta:params:oauth:grant-type:otp', 'urn:okta:params:oauth:grant-type:oob',
  'http://auth0.com/oauth/grant-type/mfa-otp', 'http://auth0.com/oauth/grant-type/mfa-oob',
];
const APPLICATION_TYPES: ApplicationType[] = ['browser', 'native', 'service', 'web'];
const AUTH_METHODS: TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'];
export const SECRET_METHODS = new Set<TokenEndpointAuthMethod>(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);
const RESPONSE_TYPES = ['code', 'id_token', 'token'];
const CONSENT_METHODS = ['REQUIRED', 'TRUSTED'] as const;
const ISSUER_MODES = ['ORG_URL', 'CUSTOM_URL', 'DYNAMIC'] as const;
const WILDCARD_MODES = ['DISABLED', 'SUBDOMAIN'] as const;
const ROTATION_TYPES = ['ROTATE', 'STATIC'] as const;
const IDP_LOGIN_MODES = ['DISABLED', 'SPEC', 'OKTA'];

/** Grants an application type may not use (a user-less service, public clients without secrets…). */
const FORBIDDEN_GRANTS: Record<ApplicationType, Set<string>> = {
  browser: new Set(['client_credentials', 'password']),
  native: new Set(['client_credentials']),
  web: new Set([]),
  service: new Set(['authorization_code', 'implicit', 'password', 'refresh_token', 'interaction_code', 'urn:ietf:params:oauth:grant-type:device_code']),
};

const CLIENT_ID = /^[A-Za-z0-9$\-_.+!*'(),]{6,100}$/;
const DANGEROUS_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:']);

// ---------------------------------------------------------------------------------------------
// Reading the request body

/** Collects Okta-style causes while reading typed fields out of untrusted JSON. */
export class Reader {
  readonly causes: Cause[] = [];

  fail(field: string, message: string): undefined {
    this.causes.push({ field, message });
    return undefined;
  }

  object(parent: Json, key: string, field = key): Json | undefined {
    const v = parent[key];
    if (v === undefined || v === null) return undefined;
    return isObject(v) ? v : this.fail(field, 'The field must be an object');
  }

  string(parent: Json, key: string, field = key, max = MAX_URI): string | undefined {
    const v = parent[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') return this.fail(field, 'The field must be a string');
    if ([...v].length > max) return this.fail(field, `The field cannot exceed ${max} characters`);
    return v;
  }

  boolean(parent: Json, key: string, field = key): boolean | undefined {
    const v = parent[key];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'boolean' ? v : this.fail(field, 'The field must be a boolean');
  }

  oneOf<T extends string>(parent: Json, key: string, values: readonly T[], field = key): T | undefined {
    const v = parent[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    return this.fail(field, `'${String(v)}' is not a valid value. Valid values: ${values.join(', ')}`);
  }

  strings(parent: Json, key: string, field = key): string[] | undefined {
    const v = parent[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) return this.fail(field, 'The field must be an array of strings');
    return [...new Set(v as string[])];
  }
}

/** Why `value` is not an acceptable absolute URI, or undefined when it is. */
function uriProblem(value: string, opts: { wildcard?: boolean; https?: boolean } = {}): string | undefined {
  const bad = `'${value}' is not a valid URI. It must be an absolute URI without a fragment.`;
  let candidate = value;
  if (value.includes('*')) {
    // SUBDOMAIN wildcard: one `*` in the lowest-level label of an https host with two labels above it.
    if (!opts.wildcard) return bad;
    let host: string;
    try {
      host = new URL(value.replace('*', 'wildcard')).hostname;
    } catch {
      return bad;
    }
    const labels = host.split('.');
    if ((value.match(/\*/g) ?? []).length !== 1 || !value.startsWith('https://') || !labels[0]?.includes('wildcard') || labels.length < 3) {
      return `'${value}' is not a valid wildcard redirect URI. Only one '*' is allowed, in the lowest-level domain of an https URI.`;
    }
    candidate = value.replace('*', 'wildcard');
  }
  if (value.length > MAX_URI || value.includes('#') || /\s/.test(value)) return bad;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return bad;
  }
  if (DANGEROUS_SCHEMES.has(url.protocol)) return bad;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname) return bad;
  if (opts.https && url.protocol !== 'https:') return `'${value}' must be an https URI.`;
  return undefined;
}

function uriList(r: Reader, parent: Json, key: string, wildcard = false): string[] {
  const list = r.strings(parent, key) ?? [];
  for (const uri of list) {
    const problem = uriProblem(uri, { wildcard });
    if (problem) r.fail(key, problem);
  }
  return list;
}

function optionalUri(r: Reader, parent: Json, key: string, opts: { https?: boolean } = {}): string | undefined {
  const value = r.string(parent, key);
  if (value === undefined || value === '') return undefined;
  const problem = uriProblem(value, opts);
  return problem ? r.fail(key, problem) : value;
}

function readOAuthSettings(r: Reader, oc: Json, authMethod: TokenEndpointAuthMethod | undefined): OAuthClientSettings {
  const applicationType = r.oneOf(oc, 'application_type', APPLICATION_TYPES) ?? 'web';
  const grants = r.strings(oc, 'grant_types');
  const missing = oc.grant_types === undefined || oc.grant_types === null;
  if (missing || grants?.length === 0) {
    r.fail('grant_types', BLANK);
  } else if (grants) {
    for (const g of grants) {
      if (!GRANT_TYPES.includes(g)) r.fail('grant_types', `'${g}' is not a valid grant type`);
      else if (FORBIDDEN_GRANTS[applicationType].has(g)) r.fail('grant_types', `'${g}' is not allowed for application_type '${applicationType}'`);
    }
  }
  const grantTypes = grants ?? [];
  const code = grantTypes.includes('authorization_code');
  const implicit = grantTypes.includes('implicit');

  let responseTypes = r.strings(oc, 'response_types');
  if (responseTypes) {
    for (const t of responseTypes) if (!RESPONSE_TYPES.includes(t)) r.fail('response_types', `'${t}' is not a valid response type`);
  } else {
    responseTypes = [...(code ? ['code'] : []), ...(implicit ? ['id_token', 'token'] : [])];
  }
  if (responseTypes.includes('code') && !code) r.fail('response_types', "'code' requires the 'authorization_code' grant type");
  if ((responseTypes.includes('token') || responseTypes.includes('id_token')) && !implicit) {
    r.fail('response_types', "'token' and 'id_token' require the 'implicit' grant type");
  }
  if (code && !responseTypes.includes('code')) r.fail('response_types', "The 'authorization_code' grant type requires the 'code' response type");
  if (implicit && !responseTypes.some((t) => t === 'token' || t === 'id_token')) {
    r.fail('response_types', "The 'implicit' grant type requires the 'token' or 'id_token' response type");
  }

  const wildcard = r.oneOf(oc, 'wildcard_redirect', WILDCARD_MODES) ?? 'DISABLED';
  const redirectUris = uriList(r, oc, 'redirect_uris', wildcard === 'SUBDOMAIN');
  if ((code || implicit) && redirectUris.length === 0 && !r.causes.some((c) => c.field === 'redirect_uris')) {
    r.fail('redirect_uris', "At least one redirect URI is required for the 'authorization_code' and 'implicit' grant types");
  }
  const postLogout = uriList(r, oc, 'post_logout_redirect_uris', wildcard === 'SUBDOMAIN');

  if (authMethod === 'none' && applicationType !== 'browser' && applicationType !== 'native') {
    r.fail('token_endpoint_auth_method', `'none' is only allowed for application_type 'browser' or 'native'`);
  }

  const settings: OAuthClientSettings = {
    application_type: applicationType,
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogout,
    response_types: responseTypes,
    grant_types: grantTypes,
    consent_method: r.oneOf(oc, 'consent_method', CONSENT_METHODS) ?? 'TRUSTED',
    issuer_mode: r.oneOf(oc, 'issuer_mode', ISSUER_MODES) ?? 'ORG_URL',
    wildcard_redirect: wildcard,
    refresh_token: readRefreshToken(r, oc, applicationType),
    idp_initiated_login: { mode: 'DISABLED', default_scope: [] },
    dpop_bound_access_tokens: r.boolean(oc, 'dpop_bound_access_tokens') ?? false,
  };

  const initiate = optionalUri(r, oc, 'initiate_login_uri');
  if (initiate) settings.initiate_login_uri = initiate;
  const idp = r.object(oc, 'idp_initiated_login');
  if (idp) {
    const mode = r.oneOf(idp, 'mode', IDP_LOGIN_MODES, 'mode') ?? 'DISABLED';
    if (mode !== 'DISABLED' && !initiate) r.fail('initiate_login_uri', `Required when idp_initiated_login.mode is '${mode}'`);
    settings.idp_initiated_login = { mode, default_scope: r.strings(idp, 'default_scope', 'default_scope') ?? [] };
  }
  if (settings.dpop_bound_access_tokens && (implicit || grantTypes.includes('client_credentials'))) {
    r.fail('dpop_bound_access_tokens', "DPoP-bound access tokens can't be used with the 'implicit' or 'client_credentials' grant types");
  }
  for (const key of ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri', 'frontchannel_logout_uri'] as const) {
    const uri = optionalUri(r, oc, key);
    if (uri) settings[key] = uri;
  }
  const jwksUri = optionalUri(r, oc, 'jwks_uri', { https: true });
  if (jwksUri) settings.jwks_uri = jwksUri;
  const jwks = r.object(oc, 'jwks');
  if (jwks) {
    const keys = jwks.keys;
    if (!Array.isArray(keys) || !keys.every(isObject)) {
      r.fail('jwks', 'The field must be a JSON Web Key Set ({"keys": [...]})');
    } else {
      for (const problem of jwksProblems(keys)) r.fail('jwks', problem);
      settings.jwks = { keys };
    }
  }
  if (authMethod === 'private_key_jwt' && !settings.jwks && !settings.jwks_uri) {
    r.fail('jwks', "'jwks' or 'jwks_uri' is required when 'token_endpoint_auth_method' is 'private_key_jwt'");
  } else if (authMethod === 'private_key_jwt' && !settings.jwks_uri && settings.jwks && settings.jwks.keys.length > 0
    && !settings.jwks.keys.some(isActiveKey)) {
    r.fail('jwks', "At least one key must be ACTIVE when 'token_endpoint_auth_method' is 'private_key_jwt'");
  }
  for (const key of ['participate_slo', 'frontchannel_logout_session_required'] as const) {
    const flag = r.boolean(oc, key);
    if (flag !== undefined) settings[key] = flag;
  }
  return settings;
}

function readRefreshToken(r: Reader, oc: Json, type: ApplicationType): { rotation_type: 'ROTATE' | 'STATIC'; leeway: number } {
  const rt = r.object(oc, 'refresh_token') ?? {};
  const rotation = r.oneOf(rt, 'rotation_type', ROTATION_TYPES, 'rotation_type') ?? (type === 'browser' ? 'ROTATE' : 'STATIC');
  let leeway = 30;
  if (rt.leeway !== undefined && rt.leeway !== null) {
    if (typeof rt.leeway !== 'number' || !Number.isInteger(rt.leeway) || rt.leeway < 0 || rt.leeway > 60) {
      r.fail('leeway', 'The field must be an integer between 0 and 60');
    } else {
      leeway = rt.leeway;
    }
  }
  return { rotation_type: rotation, leeway };
}

/** Checks a client secret supplied by an administrator against Okta's rules. */
export function secretProblems(secret: string, method: TokenEndpointAuthMethod): string | undefined {
  if (!SECRET_METHODS.has(method)) return `'client_secret' can't be used when 'token_endpoint_auth_method' is '${method}'.`;
  if (!/^[\x20-\x7E]+$/.test(secret)) return "client_secret: ''client_secret'' must only contain printable ASCII: [x20-x7E]+";
  if (secret.length > 100) return "client_secret: 'client_secret' can't be more than '100' characters long.";
  if (secret.length < 14) return "client_secret: 'client_secret' must be at least '14' characters long.";
  if (method === 'client_secret_jwt' && secret.length < 32) {
    return "client_secret: 'client_secret' must be at least '32' characters long when 'token_endpoint_auth_method' is 'client_secret_jwt'.";
  }
  return undefined;
}

function objectOf(r: Reader, parent: Json, key: string, defaults: Json): Json {
  return { ...defaults, ...(r.object(parent, key) ?? {}) };
}

export interface ParsedApp {
  body: AppBody;
  clientId: string | undefined;
  clientSecret: string | undefined;
}

/** The Okta application body with defaults filled in, or E0000001 listing every bad field. */
export function parseAppBody(raw: unknown): ParsedApp {
  const input = bodyObject(raw);
  const r = new Reader();
  const signOnMode = input.signOnMode;
  if (signOnMode === undefined || signOnMode === null) r.fail('signOnMode', BLANK);
  else if (signOnMode !== 'OPENID_CONNECT') r.fail('signOnMode', `'${String(signOnMode)}' is not supported. Gatehouse supports only 'OPENID_CONNECT' applications`);
  const name = r.string(input, 'name') ?? 'oidc_client';
  if (name !== 'oidc_client') r.fail('name', `'${name}' is not a supported application name. Use 'oidc_client'`);
  const label = r.string(input, 'label', 'label', 255);
  if (label === undefined || label.trim() === '') r.fail('label', BLANK);

  const credentials = r.object(input, 'credentials') ?? {};
  const oauthCredentials = r.object(credentials, 'oauthClient') ?? {};
  const settingsIn = r.object(input, 'settings') ?? {};
  const oauthSettings = r.object(settingsIn, 'oauthClient');
  if (!oauthSettings) r.fail('grant_types', BLANK);
  const applicationType = APPLICATION_TYPES.find((t) => t === oauthSettings?.application_type) ?? 'web';
  const method = r.oneOf(oauthCredentials, 'token_endpoint_auth_method', AUTH_METHODS)
    ?? (applicationType === 'browser' ? 'none' : 'client_secret_basic');
  const pkceRequired = r.boolean(oauthCredentials, 'pkce_required') ?? (applicationType === 'browser' || applicationType === 'native');
  if (method === 'none' && !pkceRequired) r.fail('pkce_required', "PKCE is required when 'token_endpoint_auth_method' is 'none'");
  const clientId = r.string(oauthCredentials, 'client_id', 'client_id', 100);
  if (clientId !== undefined && (!CLIENT_ID.test(clientId) || clientId === 'ALL_CLIENTS')) {
    r.fail('client_id', "The client_id must be 6 to 100 characters: letters, digits or $-_.+!*'(), and not 'ALL_CLIENTS'");
  }
  const clientSecret = r.string(oauthCredentials, 'client_secret', 'client_secret', 1000);
  if (clientSecret !== undefined) {
    const problem = secretProblems(clientSecret, method);
    if (problem) r.fail('client_secret', problem.replace(/^client_secret: /, ''));
  }
  const settings = oauthSettings ? readOAuthSettings(r, oauthSettings, method) : undefined;
  const template = r.object(credentials, 'userNameTemplate') ?? {};
  const notes = r.object(settingsIn, 'notes') ?? {};
  const body: AppBody = {
    name,
    label: label ?? '',
    signOnMode: 'OPENID_CONNECT',
    features: [],
    accessibility: objectOf(r, input, 'accessibility', { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null }),
    visibility: objectOf(r, input, 'visibility', {
      autoLaunch: false, autoSubmitToolbar: false, hide: { iOS: false, web: false }, appLinks: { oidc_client_link: true },
    }),
    credentials: {
      userNameTemplate: {
        template: r.string(template, 'template', 'userNameTemplate') ?? '${source.login}',
        type: r.string(template, 'type', 'userNameTemplate') ?? 'BUILT_IN',
      },
      oauthClient: {
        client_id: clientId ?? '',
        token_endpoint_auth_method: method,
        autoKeyRotation: r.boolean(oauthCredentials, 'autoKeyRotation') ?? true,
        pkce_required: pkceRequired,
      },
    },
    settings: {
      app: r.object(settingsIn, 'app') ?? {},
      implicitAssignment: r.boolean(settingsIn, 'implicitAssignment') ?? false,
      notes: { admin: r.string(notes, 'admin', 'notes') ?? null, enduser: r.string(notes, 'enduser', 'notes') ?? null },
      oauthClient: settings as OAuthClientSettings,
    },
  };
  const profile = r.object(input, 'profile');
  if (profile) body.profile = profile;
  if (r.causes.length > 0) throw validationError(r.causes);
  return { body, clientId, clientSecret };
}

