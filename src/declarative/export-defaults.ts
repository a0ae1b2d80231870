/**
 * Okta's defaults for the fields export leaves out (Gatehouse applies the same ones on creation), and
 * the pruning that drops a field equal to its default, null values and objects left empty. A file
 * without those fields recreates the same objects, and compares equal to them (see diff.ts).
 */
import type { Json } from './api-client.js';

const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function equal(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => equal(a[k] ?? null, b[k] ?? null));
  }
  return a === b;
}

/** `value` without nulls, without fields equal to `defaults`, and without objects that end up empty. */
export function prune(value: Json, defaults: Json = {}): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    const d = defaults[k];
    if (d !== undefined && equal(v, d)) continue;
    if (isPlainObject(v)) {
      const inner = prune(v, isPlainObject(d) ? d : {});
      if (Object.keys(inner).length > 0) out[k] = inner;
      continue;
    }
    out[k] = v;
  }
  return out;
}

export function appDefaults(applicationType: string): Json {
  const publicClient = applicationType === 'browser' || applicationType === 'native';
  return {
    name: 'oidc_client',
    signOnMode: 'OPENID_CONNECT',
    status: 'ACTIVE',
    accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
    visibility: { autoLaunch: false, autoSubmitToolbar: false, hide: { iOS: false, web: false }, appLinks: { oidc_client_link: true } },
    credentials: {
      userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
      oauthClient: {
        token_endpoint_auth_method: applicationType === 'browser' ? 'none' : 'client_secret_basic',
        pkce_required: publicClient,
        autoKeyRotation: true,
      },
    },
    settings: {
      app: {},
      implicitAssignment: false,
      notes: { admin: null, enduser: null },
      oauthClient: {
        // Empty for apps without browser redirects (a service app); otherwise the file lists them.
        redirect_uris: [],
        response_types: [],
        post_logout_redirect_uris: [],
        consent_method: 'TRUSTED',
        issuer_mode: 'ORG_URL',
        wildcard_redirect: 'DISABLED',
        refresh_token: { rotation_type: applicationType === 'browser' ? 'ROTATE' : 'STATIC', leeway: 30 },
        idp_initiated_login: { mode: 'DISABLED', default_scope: [] },
        dpop_bound_access_tokens: false,
      },
    },
  };
}

/** issuerMode is always written: it decides the issuer URL an app must be configured with. */
export const SERVER_DEFAULTS: Json = { status: 'ACTIVE', credentials: { signing: { rotationMode: 'AUTO' } } };

export const SCOPE_DEFAULTS: Json = { consent: 'IMPLICIT', default: false, optional: false, metadataPublish: 'NO_CLIENTS' };

export const CLAIM_DEFAULTS: Json = { valueType: 'EXPRESSION', conditions: { scopes: [] }, alwaysIncludeInToken: true, status: 'ACTIVE' };

export const POLICY_DEFAULTS: Json = { type: 'OAUTH_AUTHORIZATION_POLICY', status: 'ACTIVE' };

export const RULE_DEFAULTS: Json = {
  type: 'RESOURCE_ACCESS',
  status: 'ACTIVE',
  conditions: { people: { users: { include: [], exclude: [] }, groups: { include: [], exclude: [] } } },
  actions: { token: { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
};

export const TRUSTED_ORIGIN_DEFAULTS: Json = { status: 'ACTIVE' };
