/**
 * OIDC applications (Okta's `oidc_client`): the body with Okta's defaults and validation rules,
 * lifecycle, client secrets and user/group assignments. Every change to an app or its secrets
 * invalidates this node's client cache so the protocol side sees it at once.
 */
import type { Container } from '../container.js';
import { ID_PREFIX, newId, randomToken, sha256 } from '../crypto/ids.js';
import { ApiError, notFound, validationError } from '../errors/api-error.js';
import { DuplicateError, type AssignedUser, type Page, type Store } from '../store/store.js';
import type {
  App, AppBody, AppGroupAssignment, AppSecret, AppUserAssignment, ApplicationType, OAuthClientSettings,
  TokenEndpointAuthMethod, User,
} from './model.js';
import { bodyObject, isObject } from './users-service.js';
import { findGroup } from './groups-service.js';
import { invalidateAppOrigins } from './trusted-origins/cors-allow-list.js';
import { isActiveKey, jwksProblems, stampJwks } from './app-jwks.js';

export type AppsDeps = Pick<Container, 'store' | 'clock' | 'box' | 'cache'>;

type Json = Record<string, unknown>;
type Cause = { field: string; message: string };

/** An app with the plaintext of its current client secret (when its auth method uses one). */
export interface AppView {
  app: App;
  clientSecret: string | undefined;
}

const BLANK = 'The field cannot be left blank';
const MAX_SECRETS = 2;
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
const SECRET_METHODS = new Set<TokenEndpointAuthMethod>(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);
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
class Reader {
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
function secretProblems(secret: string, method: TokenEndpointAuthMethod): string | undefined {
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

interface ParsedApp {
  body: AppBody;
  clientId: string | undefined;
  clientSecret: string | undefined;
}

/** The Okta application body with defaults filled in, or E0000001 listing every bad field. */
function parseAppBody(raw: unknown): ParsedApp {
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

// ---------------------------------------------------------------------------------------------
// Secrets

function usesSecret(app: App): boolean {
  return SECRET_METHODS.has(app.body.credentials.oauthClient.token_endpoint_auth_method);
}

function newSecret(c: Pick<Container, 'box'>, appId: string, value: string, now: number, status: AppSecret['status'] = 'ACTIVE'): AppSecret {
  return {
    id: newId(ID_PREFIX.secret), appId, secretSealed: c.box.seal(value), secretHash: sha256(value), status, created: now, lastUpdated: now,
  };
}

/** The secret an app shows as credentials.oauthClient.client_secret: its newest ACTIVE one. */
function currentSecret(c: Pick<Container, 'box'>, app: App, secrets: AppSecret[]): string | undefined {
  if (!usesSecret(app)) return undefined;
  const active = secrets.filter((s) => s.status === 'ACTIVE').sort((a, b) => b.created - a.created)[0];
  return active ? c.box.open(active.secretSealed) : undefined;
}

async function view(c: AppsDeps, app: App, store: Store = c.store): Promise<AppView> {
  return { app, clientSecret: currentSecret(c, app, await store.apps.listSecrets(app.id)) };
}

function duplicateClientId(err: unknown): unknown {
  return err instanceof DuplicateError && (err.field === 'client_id' || err.field === 'id')
    ? validationError([{ field: 'client_id', message: 'An object with this field already exists in the current organization' }])
    : err;
}

// ---------------------------------------------------------------------------------------------
// Applications

export async function findApp(c: Pick<Container, 'store'>, id: string): Promise<App> {
  const app = await c.store.apps.get(id);
  if (!app) throw notFound('AppInstance', id);
  return app;
}

export async function getApp(c: AppsDeps, id: string): Promise<AppView> {
  return view(c, await findApp(c, id));
}

export async function createApp(c: AppsDeps, raw: unknown, opts: { activate: boolean }): Promise<AppView> {
  const parsed = parseAppBody(raw);
  const now = c.clock.now();
  const id = newId(ID_PREFIX.app);
  const clientId = parsed.clientId ?? id;
  parsed.body.credentials.oauthClient.client_id = clientId;
  stampJwks(parsed.body, undefined, now);
  const app: App = { id, status: opts.activate ? 'ACTIVE' : 'INACTIVE', clientId, body: parsed.body, created: now, lastUpdated: now };
  const secretValue = usesSecret(app) ? parsed.clientSecret ?? randomToken() : undefined;
  try {
    await c.store.transaction(async (tx) => {
      await tx.apps.create(app);
      if (secretValue !== undefined) await tx.apps.createSecret(newSecret(c, id, secretValue, now));
    });
  } catch (err) {
    throw duplicateClientId(err);
  }
  appChanged(c, clientId);
  return { app, clientSecret: secretValue };
}

export interface AppListQuery {
  q?: string | undefined;
  filter?: string | undefined;
  page: Page;
}

/** Okta's app filters that make sense for OIDC-only orgs: `status eq "…"` and `name eq "…"`, joined by `and`. */
function parseAppFilter(filter: string): { status?: 'ACTIVE' | 'INACTIVE'; none?: boolean } {
  const out: { status?: 'ACTIVE' | 'INACTIVE'; none?: boolean } = {};
  const terms = filter.trim().split(/\s+and\s+/i);
  for (const term of terms) {
    const m = /^(status|name)\s+eq\s+"([^"\\]*)"$/i.exec(term.trim());
    if (!m) throw ApiError.of('E0000031');
    const [, field, value] = m;
    if (field!.toLowerCase() === 'status') {
      if (value !== 'ACTIVE' && value !== 'INACTIVE') throw ApiError.of('E0000031');
      if (out.status && out.status !== value) out.none = true;
      out.status = value;
    } else if (value !== 'oidc_client') {
      out.none = true;
    }
  }
  return out;
}

/** One page plus a probe row (see pagination.ts). */
export async function listApps(c: AppsDeps, query: AppListQuery): Promise<App[]> {
  const filter = query.filter ? parseAppFilter(query.filter) : {};
  if (filter.none) return [];
  return c.store.apps.list({ ...query.page, limit: query.page.limit + 1, q: query.q || undefined, status: filter.status });
}

/**
 * PUT /apps/{id}: replaces the body (client_id is immutable). A client_secret different from the
 * current one replaces the app's secrets; an app switching to a secret-based auth method without
 * an active secret gets a generated one.
 */
export async function replaceApp(c: AppsDeps, id: string, raw: unknown): Promise<AppView> {
  const existing = await findApp(c, id);
  const parsed = parseAppBody(raw);
  if (parsed.clientId !== undefined && parsed.clientId !== existing.clientId) {
    throw validationError([{ field: 'client_id', message: 'The field is immutable and cannot be changed' }]);
  }
  parsed.body.credentials.oauthClient.client_id = existing.clientId;
  const now = c.clock.now();
  stampJwks(parsed.body, existing, now);
  const app: App = { ...existing, body: parsed.body, lastUpdated: now };
  const result = await c.store.transaction(async (tx) => {
    await tx.apps.update(app);
    const secrets = await tx.apps.listSecrets(id);
    if (!usesSecret(app)) return view(c, app, tx);
    const active = secrets.filter((s) => s.status === 'ACTIVE');
    const supplied = parsed.clientSecret;
    const known = supplied !== undefined && active.some((s) => c.box.open(s.secretSealed) === supplied);
    if (active.length > 0 && (supplied === undefined || known)) return view(c, app, tx);
    for (const s of secrets) await tx.apps.deleteSecret(id, s.id);
    const value = supplied ?? randomToken();
    await tx.apps.createSecret(newSecret(c, id, value, now));
    return { app, clientSecret: value };
  });
  appChanged(c, app.clientId);
  return result;
}

export async function setAppStatus(c: AppsDeps, id: string, status: App['status']): Promise<void> {
  const existing = await findApp(c, id);
  if (existing.status === status) return;
  await c.store.apps.update({ ...existing, status, lastUpdated: c.clock.now() });
  appChanged(c, existing.clientId);
}

/** Only an INACTIVE app can be deleted; its refresh tokens are revoked with it. */
export async function deleteApp(c: AppsDeps, id: string): Promise<void> {
  const app = await findApp(c, id);
  if (app.status !== 'INACTIVE') throw ApiError.of('E0000056');
  await c.store.transaction(async (tx) => {
    await tx.refreshTokens.revokeForClient(app.clientId, c.clock.now());
    await tx.apps.delete(id);
  });
  appChanged(c, app.clientId);
}

// ---------------------------------------------------------------------------------------------
// Client secrets (/apps/{id}/credentials/secrets)

export interface SecretView {
  secret: AppSecret;
  plaintext: string;
}

function secretView(c: Pick<Container, 'box'>, secret: AppSecret): SecretView {
  return { secret, plaintext: c.box.open(secret.secretSealed) };
}

function secretRuleError(message: string): ApiError {
  return ApiError.of('E0000001', ['OAuth2ClientSecretMediated'], [message]);
}

async function findSecret(c: Pick<Container, 'store'>, appId: string, secretId: string): Promise<AppSecret> {
  const secret = await c.store.apps.getSecret(appId, secretId);
  if (!secret) throw notFound('OAuth2ClientSecret', secretId);
  return secret;
}

export async function listSecrets(c: AppsDeps, appId: string): Promise<SecretView[]> {
  await findApp(c, appId);
  return (await c.store.apps.listSecrets(appId)).map((s) => secretView(c, s));
}

export async function getSecret(c: AppsDeps, appId: string, secretId: string): Promise<SecretView> {
  await findApp(c, appId);
  return secretView(c, await findSecret(c, appId, secretId));
}

export async function createSecret(c: AppsDeps, appId: string, raw: unknown): Promise<SecretView> {
  const body = bodyObject(raw, true);
  const app = await findApp(c, appId);
  const r = new Reader();
  const supplied = r.string(body, 'client_secret', 'client_secret', 1000);
  const status = r.oneOf(body, 'status', ['ACTIVE', 'INACTIVE'] as const) ?? 'ACTIVE';
  if (r.causes.length > 0) throw validationError(r.causes);
  const method = app.body.credentials.oauthClient.token_endpoint_auth_method;
  if (!SECRET_METHODS.has(method)) throw ApiError.of('E0000001', ['client_secret'], [`'client_secret' can't be used when 'token_endpoint_auth_method' is '${method}'.`]);
  if (supplied !== undefined) {
    const problem = secretProblems(supplied, method);
    if (problem) throw ApiError.of('E0000001', ['client_secret'], [problem]);
  }
  const secret = newSecret(c, appId, supplied ?? randomToken(), c.clock.now(), status);
  await c.store.transaction(async (tx) => {
    if ((await tx.apps.listSecrets(appId)).length >= MAX_SECRETS) {
      throw secretRuleError("You've reached the maximum number of client secrets per client.");
    }
    await tx.apps.createSecret(secret);
  });
  appChanged(c, app.clientId);
  return secretView(c, secret);
}

export async function setSecretStatus(c: AppsDeps, appId: string, secretId: string, status: AppSecret['status']): Promise<SecretView> {
  const app = await findApp(c, appId);
  const updated = await c.store.transaction(async (tx) => {
    const secret = await findSecret({ store: tx }, appId, secretId);
    if (secret.status === status) return secret;
    if (status === 'INACTIVE') {
      const active = (await tx.apps.listSecrets(appId)).filter((s) => s.status === 'ACTIVE');
      if (active.length <= 1) throw secretRuleError("You can't deactivate the only active client secret.");
    }
    const next: AppSecret = { ...secret, status, lastUpdated: c.clock.now() };
    await tx.apps.updateSecret(next);
    return next;
  });
  appChanged(c, app.clientId);
  return secretView(c, updated);
}

export async function deleteSecret(c: AppsDeps, appId: string, secretId: string): Promise<void> {
  const app = await findApp(c, appId);
  const secret = await findSecret(c, appId, secretId);
  if (secret.status === 'ACTIVE') throw secretRuleError("You can't delete an active client secret. Deactivate the secret before deleting it.");
  await c.store.apps.deleteSecret(appId, secretId);
  appChanged(c, app.clientId);
}

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
export function appChanged(c: Pick<Container, 'cache' | 'store'>, clientId: string): void {
  c.cache.invalidateClient(clientId);
  invalidateAppOrigins(c);
}
