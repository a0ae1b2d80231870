/**
 * `gatehouse doctor`: diagnoses an app's OIDC setup before a user hits it, from the variables the
 * gateway reads. It runs the gateway's start-up checks (src/gateway/checks) and more: the clock
 * against the provider's Date header, the JWKS, and — with an API token on Gatehouse — the app's
 * registered redirect URIs, auth method and grants, the audience the server mints, and (with a user)
 * assignment, access policy and rule through token preview. Read-only against any provider: it only
 * GETs discovery, the JWKS and one authorization request it never completes; on Gatehouse it reads
 * the management API and asks for a token preview, which issues nothing.
 */
import { readGatewayConfig, type GatewayConfig } from '../gateway/config.js';
import type { Env } from '../gateway/env-values.js';
import { finding, type Finding } from '../gateway/findings.js';
import { checkConfig, checkDiscovery, checkIssuer, checkProviderCapabilities, checkRedirectRegistration, probeAuthorize } from '../gateway/checks/index.js';
import { describeNetworkError, fetchDiscovery, type ProviderMetadata } from '../gateway/oidc/metadata.js';

/** A check that passed, printed with ✓. */
export interface Pass {
  severity: 'ok';
  code: string;
  problem: string;
}
export type DoctorResult = Finding | Pass;

export interface DoctorOptions {
  env: Env;
  /** Gatehouse management API: base URL (default: the issuer's origin) and SSWS token. */
  orgUrl?: string | undefined;
  token?: string | undefined;
  /** A login (or user id) to preview a sign-in for. */
  user?: string | undefined;
  timeoutMs?: number;
}

const ok = (code: string, problem: string): Pass => ({ severity: 'ok', code, problem });

export async function runDoctor(opts: DoctorOptions): Promise<DoctorResult[]> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const reading = readGatewayConfig(opts.env);
  const { config: c } = reading;
  const out: DoctorResult[] = [];
  // The upstream is the gateway's business, not the OIDC setup's.
  const configFindings = [...reading.findings, ...checkConfig(reading)].filter((f) => f.code !== 'missing-upstream');
  out.push(...configFindings);
  if (!configFindings.some((f) => f.severity === 'error')) out.push(ok('config', `configuration: client ${c.clientId}, callback ${c.callbackUrl}, scopes ${c.scopes.join(' ')}`));
  if (!c.discoveryUri) return out;

  // --- discovery, and the clock against its Date header
  const started = Date.now();
  let dateHeader: string | null = null;
  const fetched = await fetchDiscovery(c.discoveryUri, timeoutMs);
  if (fetched.networkError === undefined) {
    try {
      const res = await fetch(c.discoveryUri, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
      dateHeader = res.headers.get('date');
    } catch { /* the GET above worked; a HEAD failure says nothing */ }
  }
  const discovery = checkDiscovery(fetched);
  out.push(...discovery.findings);
  const m = discovery.metadata;
  if (!m) return out;
  out.push(ok('discovery', `discovery ${c.discoveryUri} answers`));
  out.push(...clockSkew(dateHeader, (started + Date.now()) / 2, c.maxClockSkewSeconds));

  const issuer = checkIssuer(c.authority, m.issuer);
  out.push(...issuer);
  if (!issuer.length) out.push(ok('issuer', `issuer "${m.issuer}" is exactly AUTHENTICATION_AUTHORITY`));

  const caps = checkProviderCapabilities(c, m);
  out.push(...caps);
  if (!caps.some((f) => f.code === 'auth-method-not-advertised')) out.push(ok('auth-method', `the provider advertises ${c.clientAuthMethod}`));

  out.push(...(await checkJwks(m, timeoutMs)));

  const token = opts.token;
  if (token) {
    out.push(...(await gatehouseChecks(c, m, { orgUrl: opts.orgUrl ?? new URL(m.issuer).origin, token, user: opts.user, timeoutMs,
      audience: opts.env.AUTHENTICATION_AUDIENCE?.trim() || c.clientId })));
  } else if (c.clientId) {
    // Anywhere else: one authorization request per redirect URI, never completed.
    const probe = async (uri: string, variable: string, severity: 'error' | 'warning') => {
      const f = checkRedirectRegistration(await probeAuthorize(m.authorization_endpoint, c.clientId, uri, variable, c.scopes.join(' '), timeoutMs), severity);
      out.push(...f);
      if (!f.length) out.push(ok('redirect-uri', `the provider accepts ${uri} as a sign-in redirect URI`));
    };
    if (c.callbackUrl) await probe(c.callbackUrl, 'OIDC_CALLBACK', 'error');
    if (c.silentCallbackUrl) await probe(c.silentCallbackUrl, 'GATEWAY_SILENT_CALLBACK_URL', c.refresh ? 'warning' : 'error');
    out.push(finding('info', 'post-logout-unchecked', `the sign-out redirect URI ${c.postLogoutUrl} was not checked`,
      'only the provider\'s admin knows whether it is registered; if not, sign-out stops on the provider\'s error page',
      'check that it is among the app\'s Sign-out redirect URIs, or run doctor with --token on Gatehouse'));
  }
  return out;
}

export function clockSkew(date: string | null, localMs: number, maxSkewSeconds: number): DoctorResult[] {
  if (!date || Number.isNaN(Date.parse(date))) {
    return [finding('info', 'clock-unknown', 'the provider sent no Date header', 'clock skew could not be measured', 'keep the host clock synchronised (NTP)')];
  }
  const skew = Math.round((Date.parse(date) - localMs) / 1000);
  const abs = Math.abs(skew);
  if (abs > maxSkewSeconds) {
    return [finding('error', 'clock-skew', `this host's clock is ${abs} s ${skew > 0 ? 'behind' : 'ahead of'} the provider's (Date: ${date}), more than OIDC_MAX_CLOCK_SKEW=${maxSkewSeconds}`,
      'ID tokens would look issued in the future or already expired (iat/exp), so every sign-in is refused',
      'synchronise the clock (NTP: timedatectl set-ntp true, or chrony) on the gateway host and the provider')];
  }
  if (abs > Math.max(5, maxSkewSeconds / 2)) {
    return [finding('warning', 'clock-skew', `this host's clock is ${abs} s off the provider's`, `close to OIDC_MAX_CLOCK_SKEW=${maxSkewSeconds}`, 'synchronise the clock (NTP)')];
  }
  return [ok('clock', `clock within ${abs} s of the provider's`)];
}

async function checkJwks(m: ProviderMetadata, timeoutMs: number): Promise<DoctorResult[]> {
  let keys: unknown;
  try {
    const res = await fetch(m.jwks_uri, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) {
      return [finding('error', 'jwks-status', `the JWKS ${m.jwks_uri} answered HTTP ${res.status}`, 'ID token signatures cannot be verified', 'check jwks_uri in the discovery document')];
    }
    keys = ((await res.json()) as { keys?: unknown }).keys;
  } catch (err) {
    return [finding('error', 'jwks-unreachable', `the JWKS ${m.jwks_uri} cannot be read: ${describeNetworkError(err)}`,
      'ID token signatures cannot be verified', 'make jwks_uri reachable from where the gateway runs')];
  }
  if (!Array.isArray(keys) || keys.length === 0) {
    return [finding('error', 'jwks-empty', `the JWKS ${m.jwks_uri} has no keys`, 'no ID token can be verified', 'publish the signing keys (rotate keys on the authorization server)')];
  }
  const noKid = keys.filter((k) => !k || typeof (k as { kid?: unknown }).kid !== 'string');
  if (noKid.length) {
    return [finding('warning', 'jwks-no-kid', `${noKid.length} of ${keys.length} keys in ${m.jwks_uri} have no kid`,
      'the key for a token is found by its kid; without one, verification depends on trying keys', 'give every key a kid')];
  }
  return [ok('jwks', `JWKS ${m.jwks_uri}: ${keys.length} key(s), each with a kid`)];
}

interface GatehouseContext {
  orgUrl: string;
  token: string;
  user: string | undefined;
  audience: string;
  timeoutMs: number;
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

async function gatehouseChecks(c: GatewayConfig, m: ProviderMetadata, g: GatehouseContext): Promise<DoctorResult[]> {
  const out: DoctorResult[] = [];
  const api = async (path: string, init: RequestInit = {}): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${g.orgUrl.replace(/\/+$/, '')}${path}`, {
      ...init,
      headers: { authorization: `SSWS ${g.token}`, accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
      signal: AbortSignal.timeout(g.timeoutMs),
    });
    const text = await res.text();
    let body: Json;
    try { body = text ? JSON.parse(text) : undefined; } catch { body = text; }
    return { status: res.status, body };
  };

  let apps;
  try {
    apps = await api(`/api/v1/apps?limit=200&q=`);
  } catch (err) {
    return [finding('error', 'api-unreachable', `the management API at ${g.orgUrl} cannot be reached: ${describeNetworkError(err)}`,
      'the app\'s registration cannot be read', 'pass --org-url with the Gatehouse org URL')];
  }
  if (apps.status !== 200 || !Array.isArray(apps.body)) {
    return [finding('error', 'api-refused', `the management API at ${g.orgUrl} answered HTTP ${apps.status} to /api/v1/apps`,
      'the app\'s registration cannot be read', 'pass --token with an API token of a super administrator (GATEHOUSE_API_TOKEN)')];
  }
  const app = (apps.body as Json[]).find((a) => a?.credentials?.oauthClient?.client_id === c.clientId || a?.id === c.clientId);
  if (!app) {
    return [finding('error', 'client-unknown', `no app of ${g.orgUrl} has the client id OIDC_CLIENT_ID=${c.clientId}`,
      'the provider refuses every authorization request of an unknown client', 'copy the Client ID from the app integration again')];
  }
  const label = `app "${app.label}"`;
  if (app.status && app.status !== 'ACTIVE') {
    out.push(finding('error', 'app-inactive', `${label} is ${app.status}`, 'an inactive app cannot sign anybody in', `activate it: POST /api/v1/apps/${app.id}/lifecycle/activate`));
  }
  const s = app.settings?.oauthClient ?? {};
  const redirects: string[] = s.redirect_uris ?? [];
  const postLogout: string[] = s.post_logout_redirect_uris ?? [];
  const grants: string[] = s.grant_types ?? [];
  const registered = (uri: string, variable: string, list: string[], kind: string, severity: 'error' | 'warning', why: string) => {
    if (!uri) return;
    if (list.includes(uri)) out.push(ok('redirect-uri', `${uri} is a ${kind} of ${label}`));
    else {
      out.push(finding(severity, kind === 'sign-in redirect URI' ? 'redirect-uri-not-registered' : 'post-logout-uri-not-registered',
        `${variable}=${uri} is not a ${kind} of ${label} [${list.join(', ')}]`, why,
        `add ${uri} to the app's ${kind === 'sign-in redirect URI' ? 'Sign-in' : 'Sign-out'} redirect URIs (settings.oauthClient.${kind === 'sign-in redirect URI' ? 'redirect_uris' : 'post_logout_redirect_uris'})`));
    }
  };
  registered(c.callbackUrl, 'OIDC_CALLBACK', redirects, 'sign-in redirect URI', 'error',
    'the provider only sends the browser back to registered redirect URIs, exactly as written: sign-in stops on its error page');
  registered(c.silentCallbackUrl, 'GATEWAY_SILENT_CALLBACK_URL', redirects, 'sign-in redirect URI', c.refresh ? 'warning' : 'error',
    'silent renewal (prompt=none) comes back there; without it sessions cannot renew without refresh tokens');
  registered(c.postLogoutUrl, 'GATEWAY_POST_LOGOUT_URL', postLogout, 'sign-out redirect URI', 'error',
    'the provider refuses to send the browser back after sign-out, so logout ends on its error page');

  const method = app.credentials?.oauthClient?.token_endpoint_auth_method;
  if (method && method !== c.clientAuthMethod) {
    out.push(finding('error', 'auth-method-mismatch', `OIDC_CLIENT_AUTH_METHOD=${c.clientAuthMethod} but ${label} authenticates with ${method}`,
      'the token endpoint rejects a client that authenticates another way with invalid_client, after the user signed in',
      `set OIDC_CLIENT_AUTH_METHOD=${method}`));
  }
  if (!grants.includes('authorization_code')) {
    out.push(finding('error', 'grant-not-allowed', `${label} does not allow the authorization_code grant [${grants.join(', ')}]`,
      'the gateway signs users in with the authorization code flow', 'add authorization_code to the app\'s grant types'));
  }
  if (c.refresh && c.scopes.includes('offline_access') && !grants.includes('refresh_token')) {
    out.push(finding('error', 'refresh-grant-not-allowed', `${label} does not allow the refresh_token grant while OIDC_SCOPE asks for offline_access`,
      'Gatehouse (like Okta) refuses offline_access to an app without the Refresh Token grant: invalid_scope on every sign-in',
      'add refresh_token to the app\'s grant types, or set GATEWAY_REFRESH=false and remove offline_access'));
  }

  // --- the authorization server: audience, and (with a user) policy, rule and assignment
  const servers = await api('/api/v1/authorizationServers');
  const server = Array.isArray(servers.body) ? (servers.body as Json[]).find((x) => x.issuer === m.issuer) : undefined;
  if (server) {
    const audiences: string[] = server.audiences ?? [];
    if (!audiences.includes(g.audience)) {
      out.push(finding('error', 'audience-mismatch',
        `authorization server "${server.name}" mints access tokens for [${audiences.join(', ')}], but the app checks the audience ${g.audience}`,
        'the app refuses every access token whose aud is not its own, so API calls fail right after sign-in',
        `add ${g.audience} to the authorization server's audiences, or set the app's expected audience (AUTHENTICATION_AUDIENCE) to ${audiences[0] ?? 'the server audience'}`));
    } else {
      out.push(ok('audience', `authorization server "${server.name}" mints access tokens for ${g.audience}`));
    }
    if (g.user) out.push(...(await preview(api, server.id, c, app, g)));
  } else if (g.user) {
    out.push(finding('info', 'preview-org-server', 'the issuer is the org authorization server', 'token preview covers custom authorization servers', 'nothing to change'));
  }
  return out;
}

async function preview(api: (p: string, i?: RequestInit) => Promise<{ status: number; body: Json }>, serverId: string, c: GatewayConfig, app: Json, g: GatehouseContext): Promise<DoctorResult[]> {
  const r = await api(`/api/v1/authorizationServers/${encodeURIComponent(serverId)}/tokenPreview`, {
    method: 'POST', body: JSON.stringify({ clientId: c.clientId, grantType: 'authorization_code', userId: g.user, scopes: c.scopes }),
  });
  if (r.status === 404 && /tokenPreview/.test(String(r.body?.errorSummary ?? r.body))) {
    return [finding('info', 'preview-unavailable', 'this Gatehouse has no token preview', 'assignment, policy and rule were not checked', 'upgrade Gatehouse')];
  }
  if (r.status !== 200) {
    return [finding('error', 'preview-refused', `token preview for user ${g.user} answered HTTP ${r.status}: ${r.body?.errorSummary ?? JSON.stringify(r.body)}`,
      'the user cannot sign in if Gatehouse does not know them', `check the login (--user) and that the user exists in the org`)];
  }
  const p = r.body;
  if (p.result === 'DENY') {
    return [finding('error', `preview-deny-${p.reason?.type ?? 'unknown'}`, `user ${g.user} would be refused: ${p.error}: ${p.error_description}`,
      'this is what the provider answers at sign-in', p.reason?.detail ?? 'check the app assignment, access policy and rules')];
  }
  const out: DoctorResult[] = [ok('policy', `user ${g.user} is assigned to app "${app.label}" and matches policy "${p.policy?.name}", rule "${p.rule?.name}" (scopes ${(p.scopes ?? []).join(' ')})`)];
  const aud = p.tokens?.access_token?.payload?.aud;
  const auds: string[] = Array.isArray(aud) ? aud : aud ? [aud] : [];
  if (auds.length && !auds.includes(g.audience)) {
    out.push(finding('error', 'audience-mismatch', `the access token minted for ${g.user} has aud [${auds.join(', ')}], not ${g.audience}`,
      'the app refuses every access token whose aud is not its own', `add ${g.audience} to the authorization server's audiences`));
  }
  if (c.refresh && p.tokens?.refresh_token && p.tokens.refresh_token.present === false) {
    out.push(finding('error', 'no-refresh-token', `no refresh token would be issued: ${p.tokens.refresh_token.reason}`,
      'the session ends when the first access token expires', 'grant offline_access (OIDC_SCOPE and the rule\'s scopes) and the Refresh Token grant'));
  }
  return out;
}

/** `✓ passing check` or `✗ problem — why — fix: fix` (⚠ for warnings, ℹ for notes). */
export function formatResult(r: DoctorResult): string {
  if (r.severity === 'ok') return `✓ ${r.problem}`;
  const mark = r.severity === 'error' ? '✗' : r.severity === 'warning' ? '⚠' : 'ℹ';
  return `${mark} ${r.problem} — ${r.why} — fix: ${r.fix}`;
}
