/**
 * What went wrong in a sign-in, for the person in front of the browser and the operator reading the
 * page: a title, a plain explanation, and (when it is a setup problem) what to change. Rendered as an
 * HTML page or as JSON; never a stack trace.
 */
import type { ProviderError } from './oidc/client.js';
import type { IdTokenError } from './oidc/id-token.js';

export class GatewayError extends Error {
  override name = 'GatewayError';
  constructor(
    readonly status: number,
    /** Stable code, e.g. "invalid_state", also the JSON `error`. */
    readonly code: string,
    readonly title: string,
    message: string,
    /** What the operator should change, when the cause is configuration. */
    readonly fix?: string,
    /** Offer a "Sign in again" link. */
    readonly retry = true,
  ) {
    super(message);
  }
}

export function providerAuthorizeError(error: string, description: string, variable: string, redirectUri: string): GatewayError {
  const d = description ? ` The provider said: "${description}".` : '';
  if (error === 'invalid_request' && /redirect/i.test(description)) {
    return new GatewayError(400, 'redirect_uri_not_registered', 'The sign-in redirect URI is not registered',
      `The provider refused ${redirectUri} as a redirect URI.${d}`, `Add ${redirectUri} exactly (scheme, host, port, path) to the app integration's sign-in redirect URIs, or correct ${variable}.`);
  }
  if (error === 'access_denied') {
    return new GatewayError(403, 'access_denied', 'Access was denied', `The provider did not let this account into the application.${d}`,
      'Assign the user (or one of their groups) to the app integration, and check that an access policy rule matches this client, grant and scope.');
  }
  if (error === 'login_required' || error === 'interaction_required' || error === 'consent_required') {
    return new GatewayError(401, error, 'Sign-in is required', `The provider needs you to sign in again.${d}`);
  }
  if (error === 'invalid_scope') {
    return new GatewayError(400, error, 'The requested scopes were refused', `The provider refused the scopes in OIDC_SCOPE.${d}`,
      'Remove unknown scopes from OIDC_SCOPE; for offline_access, allow the Refresh Token grant on the app integration.');
  }
  if (error === 'unauthorized_client') {
    return new GatewayError(400, error, 'This application may not sign users in this way', `The provider does not allow this client the authorization code flow.${d}`,
      'Enable the Authorization Code grant type on the app integration.');
  }
  return new GatewayError(400, error, 'The provider refused the sign-in', `The provider answered "${error}".${d}`,
    'Check the app integration and the OIDC_* settings; `gatehouse doctor` lists known problems.');
}

export function codeExchangeError(e: ProviderError): GatewayError {
  const d = e.description ? ` The provider said: "${e.description}".` : '';
  switch (e.error) {
    case 'invalid_grant':
      return new GatewayError(400, 'invalid_grant', 'This sign-in link was already used or has expired',
        `The provider refused the authorization code: it was already redeemed (a reloaded or replayed callback), it expired, or the PKCE verifier or redirect URI did not match.${d}`);
    case 'invalid_client':
    case 'unauthorized_client':
      return new GatewayError(502, e.error, 'The gateway could not authenticate to the provider',
        `The token endpoint refused the client credentials.${d}`,
        'Check OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, and that OIDC_CLIENT_AUTH_METHOD matches the app integration\'s client authentication (client_secret_post or client_secret_basic).', false);
    case 'network_error':
      return new GatewayError(502, 'provider_unreachable', 'The identity provider could not be reached', `The token endpoint did not answer: ${e.description}.`,
        'Check that the gateway can reach the provider\'s token endpoint.');
    default:
      return new GatewayError(502, e.error, 'The identity provider refused the code exchange', `The token endpoint answered "${e.error}".${d}`);
  }
}

export function idTokenError(e: IdTokenError, issuer: string, skew: number): GatewayError {
  const title = 'The identity token could not be trusted';
  switch (e.problem) {
    case 'issuer':
      return new GatewayError(502, 'issuer_mismatch', 'The identity token comes from an unexpected issuer', `${e.message}.`,
        `AUTHENTICATION_AUTHORITY must equal the issuer exactly (${issuer}): check trailing slashes, org vs custom authorization server, and Okta's Dynamic vs Okta-URL issuer setting.`, false);
    case 'expired':
    case 'issued-in-future':
    case 'not-yet-valid':
      return new GatewayError(502, 'clock_skew', 'The identity token\'s time is off', `${e.message}.`,
        `Synchronise the clocks of the gateway host and the provider (NTP), or raise OIDC_MAX_CLOCK_SKEW (now ${skew} s).`);
    case 'signature':
    case 'unknown-key':
    case 'alg':
      return new GatewayError(502, 'bad_signature', title, `${e.message}.`,
        'Check OIDC_PREFERRED_JWS and AUTHENTICATION_PUBLIC_KEYS: for an Okta custom authorization server the keys are at {issuer}/v1/keys, for the org server at https://{domain}/oauth2/v1/keys.', false);
    case 'keys-unavailable':
      return new GatewayError(502, 'keys_unavailable', 'The provider\'s signing keys could not be fetched', `${e.message}.`, 'Check that the gateway can reach the jwks_uri.');
    case 'nonce':
      return new GatewayError(400, 'invalid_nonce', title, `${e.message}: the token was not issued for this sign-in.`);
    case 'audience':
    case 'azp':
      return new GatewayError(502, 'invalid_audience', title, `${e.message}.`, 'OIDC_CLIENT_ID must be the Client ID of the app integration that issued the token.', false);
    default:
      return new GatewayError(502, 'invalid_id_token', title, `${e.message}.`);
  }
}
