/**
 * Checks on the configuration alone (no network): what is missing or contradictory, whether the
 * callback is served by this gateway, whether refresh can work with the requested scopes.
 */
import { GATEWAY_PATHS, SUPPORTED_AUTH_METHODS, SUPPORTED_JWS, type ConfigReading } from '../config.js';
import { finding, type Finding } from '../findings.js';

const COLON_HINT = ' (in an env file write KEY=value, not KEY: value)';

export function checkConfig({ config: c, invalid }: Pick<ConfigReading, 'config' | 'invalid'>): Finding[] {
  const out: Finding[] = [];
  const missing = (name: string) => !invalid.has(name);

  if (['basic', 'ldap', 'saml'].includes(c.provider)) {
    out.push(finding('error', 'provider-not-oidc', `AUTHENTICATION_PROVIDER=${c.provider}`,
      'the gateway signs users in with OpenID Connect', 'set AUTHENTICATION_PROVIDER=okta (or custom-oidc) for an OIDC provider'));
  }
  if (c.clientType !== 'confidential') {
    out.push(finding('error', 'client-type', `AUTHENTICATION_CLIENT_TYPE=${c.clientType}`,
      'the gateway is a confidential client: it keeps the client secret and the tokens on the server',
      'set AUTHENTICATION_CLIENT_TYPE=confidential and use a "Web application" app integration with a client secret'));
  }
  if (!c.clientId && missing('OIDC_CLIENT_ID')) {
    out.push(finding('error', 'missing-client-id', 'OIDC_CLIENT_ID is not set',
      'the provider cannot tell which application is signing in ("Client ID and Client Secret is required")',
      `set OIDC_CLIENT_ID to the app integration's Client ID${COLON_HINT}`));
  }
  if (c.clientId && c.authenticationClientId && c.authenticationClientId !== c.clientId) {
    out.push(finding('error', 'client-id-mismatch',
      `AUTHENTICATION_CLIENT_ID="${c.authenticationClientId}" differs from OIDC_CLIENT_ID="${c.clientId}"`,
      "ID tokens are issued to OIDC_CLIENT_ID, so their audience would not be the client the rest of the setup expects",
      'set both to the same Client ID'));
  }
  if (!c.clientSecret && missing('OIDC_CLIENT_SECRET')) {
    out.push(finding('error', 'missing-client-secret', 'OIDC_CLIENT_SECRET is not set',
      'a confidential client authenticates to the token endpoint with its secret; without it every code exchange fails with invalid_client',
      `set OIDC_CLIENT_SECRET to the app integration's Client secret${COLON_HINT}`));
  }
  if (!c.authority && missing('AUTHENTICATION_AUTHORITY')) {
    out.push(finding('error', 'missing-authority', 'AUTHENTICATION_AUTHORITY is not set',
      "the gateway must know the issuer it trusts, to compare it with discovery and with every ID token's iss",
      `set AUTHENTICATION_AUTHORITY to the issuer, e.g. https://{yourOktaDomain}/oauth2/default${COLON_HINT}`));
  }
  if (!c.discoveryUri && missing('OIDC_DISCOVERY_URI') && missing('AUTHENTICATION_AUTHORITY') && c.authority) {
    out.push(finding('error', 'missing-discovery-uri', 'OIDC_DISCOVERY_URI is not set',
      'endpoints and keys are read from the discovery document', `set OIDC_DISCOVERY_URI=${c.authority}/.well-known/openid-configuration`));
  }
  if (c.discoveryUri && !/\/\.well-known\/(openid-configuration|oauth-authorization-server)$/.test(new URL(c.discoveryUri).pathname)) {
    out.push(finding('warning', 'discovery-uri-path', `OIDC_DISCOVERY_URI="${c.discoveryUri}" does not end in /.well-known/openid-configuration`,
      'most providers publish discovery only there', `use ${c.authority || '{issuer}'}/.well-known/openid-configuration`));
  }
  if (!c.upstreamUrl && missing('GATEWAY_UPSTREAM_URL')) {
    out.push(finding('error', 'missing-upstream', 'GATEWAY_UPSTREAM_URL is not set',
      'the gateway has no application to put behind sign-in', 'set GATEWAY_UPSTREAM_URL to the app, e.g. http://openmetadata:8585'));
  }
  if (!SUPPORTED_AUTH_METHODS.includes(c.clientAuthMethod as never)) {
    out.push(finding('error', 'auth-method-unsupported', `OIDC_CLIENT_AUTH_METHOD=${c.clientAuthMethod}`,
      `the gateway authenticates with ${SUPPORTED_AUTH_METHODS.join(' or ')}`,
      'set OIDC_CLIENT_AUTH_METHOD=client_secret_post (or client_secret_basic) and choose the same in the app integration'));
  }
  if (c.responseType !== 'code') {
    out.push(finding('error', 'response-type', `OIDC_RESPONSE_TYPE=${c.responseType}`,
      'the gateway uses the authorization code flow; tokens never travel through the browser',
      'set OIDC_RESPONSE_TYPE=code (or remove it)'));
  }
  if (!SUPPORTED_JWS.includes(c.preferredJws as never)) {
    out.push(finding('error', 'jws-unsupported', `OIDC_PREFERRED_JWS=${c.preferredJws}`,
      `ID tokens are verified with the provider's public keys; supported algorithms are ${SUPPORTED_JWS.join(', ')}`,
      'set OIDC_PREFERRED_JWS=RS256'));
  }
  if (!c.scopes.includes('openid')) {
    out.push(finding('error', 'scope-openid', `OIDC_SCOPE="${c.scopes.join(' ')}" lacks openid`,
      'without openid the provider issues no ID token, so nobody can be signed in', `set OIDC_SCOPE=openid ${c.scopes.join(' ')}`.trim()));
  }
  if (c.refresh && c.oidcType !== 'google' && !c.scopes.includes('offline_access')) {
    out.push(finding('error', 'refresh-without-offline-access', `OIDC_SCOPE="${c.scopes.join(' ')}" lacks offline_access while GATEWAY_REFRESH=true`,
      'Okta (and most providers) issue a refresh token only for offline_access, so sessions would end when the first token expires (OpenMetadata #16062, #20125)',
      `set OIDC_SCOPE=${[...c.scopes, 'offline_access'].join(' ')} and allow the Refresh Token grant on the app, or set GATEWAY_REFRESH=false to renew silently through /silent-callback`));
  }
  if (!c.pkce && !c.useNonce) {
    out.push(finding('warning', 'no-pkce-no-nonce', 'OIDC_DISABLE_PKCE=true and OIDC_USE_NONCE=false',
      'nothing then binds an authorization code or ID token to the sign-in that asked for it (code injection, RFC 9700 §4.5)',
      'remove OIDC_DISABLE_PKCE (PKCE is on by default) or set OIDC_USE_NONCE=true'));
  }
  if (c.maxAge === 0) {
    out.push(finding('warning', 'max-age-zero', 'OIDC_MAX_AGE=0',
      'every sign-in then asks for the password again, even with a live provider session (OpenMetadata #16062)',
      'remove OIDC_MAX_AGE, or set it to the longest acceptable age of a password entry in seconds'));
  }
  if (c.prompt && !c.prompt.split(/\s+/).every((p) => ['none', 'login', 'consent', 'select_account'].includes(p))) {
    out.push(finding('error', 'bad-prompt', `OIDC_PROMPT_TYPE=${c.prompt}`,
      'the provider rejects unknown prompt values', 'use login, consent, select_account, or leave it empty'));
  } else if (c.prompt?.split(/\s+/).includes('none')) {
    out.push(finding('warning', 'prompt-none', 'OIDC_PROMPT_TYPE=none',
      'a user without a provider session can then never sign in interactively', 'remove OIDC_PROMPT_TYPE'));
  }
  if (c.enforcePrincipalDomain && !c.principalDomain) {
    out.push(finding('error', 'enforce-without-domain', 'AUTHORIZER_ENFORCE_PRINCIPAL_DOMAIN=true but AUTHORIZER_PRINCIPAL_DOMAIN is empty',
      'there is no domain to enforce, so nobody could be let in', 'set AUTHORIZER_PRINCIPAL_DOMAIN=example.com'));
  }
  out.push(...checkCallbacks(c));
  return out;
}

/** The callbacks must be served by this gateway: same origin as OIDC_SERVER_URL, and not one of its API paths. */
export function checkCallbacks(c: { serverUrl: string; callbackUrl: string; authenticationCallbackUrl: string; silentCallbackUrl: string }): Finding[] {
  const out: Finding[] = [];
  if (!c.serverUrl) return out;
  if (c.authenticationCallbackUrl && c.callbackUrl && c.authenticationCallbackUrl !== c.callbackUrl) {
    out.push(finding('error', 'callback-mismatch',
      `AUTHENTICATION_CALLBACK_URL="${c.authenticationCallbackUrl}" differs from OIDC_CALLBACK="${c.callbackUrl}"`,
      'only one sign-in redirect URI is sent; the other would never be used and one of them is probably a typo',
      'set both to the same URL, registered as a sign-in redirect URI'));
  }
  for (const [name, value] of [['OIDC_CALLBACK', c.callbackUrl], ['GATEWAY_SILENT_CALLBACK_URL', c.silentCallbackUrl]] as const) {
    if (!value) continue;
    const url = new URL(value);
    if (url.origin !== c.serverUrl) {
      out.push(finding('error', 'callback-origin', `${name}="${value}" is not on OIDC_SERVER_URL (${c.serverUrl})`,
        "the provider sends the browser back to the callback, which only this gateway can answer, and the gateway's cookies belong to OIDC_SERVER_URL",
        `set ${name}=${c.serverUrl}${url.pathname} (and register it at the provider), or set OIDC_SERVER_URL to the public URL users open`));
    } else if (url.search || url.hash) {
      out.push(finding('error', 'callback-query', `${name}="${value}" has a query or fragment`,
        'the provider appends code and state to the redirect URI', `set ${name}=${c.serverUrl}${url.pathname}`));
    } else if (Object.values(GATEWAY_PATHS).includes(url.pathname as never) || url.pathname === '/') {
      out.push(finding('error', 'callback-path', `${name}="${value}" uses a path the gateway needs for something else`,
        'the callback needs its own path', `use ${c.serverUrl}/callback`));
    }
  }
  if (c.callbackUrl && c.callbackUrl === c.silentCallbackUrl) {
    out.push(finding('error', 'callback-path', 'OIDC_CALLBACK and GATEWAY_SILENT_CALLBACK_URL are the same URL',
      'the silent renewal answers inside a hidden frame and needs its own path', `use ${c.serverUrl}/silent-callback for the silent one`));
  }
  return out;
}
