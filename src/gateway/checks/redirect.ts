/**
 * Whether the provider accepts the gateway's redirect URIs. A provider must not redirect to an
 * unregistered redirect_uri: it shows its own error page instead, where the gateway can no longer
 * explain anything. So the gateway asks once at start (an authorization request it never completes)
 * and reads the answer: a redirect to a sign-in page is fine, a 400 page naming redirect_uri is not.
 */
import { finding, type Finding } from '../findings.js';

export interface AuthorizeProbe {
  /** Which redirect URI was tried, and the variable it came from. */
  redirectUri: string;
  variable: string;
  networkError?: string;
  status?: number;
  location?: string;
  body?: string;
}

export function checkRedirectRegistration(p: AuthorizeProbe, severity: 'error' | 'warning' = 'error'): Finding[] {
  if (p.networkError !== undefined) {
    return [finding('warning', 'authorize-unreachable', `the authorization endpoint could not be reached: ${p.networkError}`,
      'browsers are sent there to sign in', 'check that authorization_endpoint in discovery is reachable from users\' browsers')];
  }
  const status = p.status ?? 0;
  if (status >= 300 && status < 400 && p.location) {
    let loc: URL;
    try {
      loc = new URL(p.location, 'http://relative.invalid');
    } catch {
      return [];
    }
    const error = loc.searchParams.get('error');
    if (error && `${loc.origin}${loc.pathname}` === p.redirectUri) {
      const desc = loc.searchParams.get('error_description') ?? '';
      return [describeAuthorizeError(error, desc, p.variable)];
    }
    return [];
  }
  if (status >= 200 && status < 300) return [];
  const text = (p.body ?? '').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  const excerpt = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  if (/redirect[_ ]?ur[il]/i.test(text)) {
    return [finding(severity, 'redirect-uri-not-registered', `the provider refuses ${p.variable}=${p.redirectUri} as a redirect URI (HTTP ${status}: "${excerpt}")`,
      'a provider only sends the browser back to redirect URIs registered for the app, exactly as written (scheme, host, port, path)',
      `add ${p.redirectUri} to the app integration's ${p.variable === 'OIDC_CALLBACK' ? 'Sign-in redirect URIs' : 'Sign-in redirect URIs (it is used for silent renewal)'}`)];
  }
  if (/client/i.test(text) && status >= 400 && status < 500) {
    return [finding('error', 'client-unknown', `the provider refuses the client (HTTP ${status}: "${excerpt}")`,
      'OIDC_CLIENT_ID does not name an active app integration of this authorization server',
      'copy the Client ID from the app integration again, and check that the app is active')];
  }
  return [finding('warning', 'authorize-probe', `the authorization endpoint answered HTTP ${status} to a test request for ${p.variable} ("${excerpt}")`,
    'sign-in may fail at the provider', 'open the authorization URL from the gateway\'s login in a browser to see the provider\'s message')];
}

export function describeAuthorizeError(error: string, description: string, variable = 'OIDC_CALLBACK'): Finding {
  const d = description ? ` ("${description}")` : '';
  switch (error) {
    case 'invalid_scope':
      return finding('error', 'scope-refused', `the provider refuses the requested scopes: ${error}${d}`,
        'an unknown scope, or offline_access without the Refresh Token grant, fails every sign-in',
        'allow the Refresh Token grant on the app (for offline_access), or remove the scope from OIDC_SCOPE');
    case 'unauthorized_client':
      return finding('error', 'grant-not-allowed', `the provider does not allow this client the authorization code flow: ${error}${d}`,
        'the app integration is not allowed the Authorization Code grant', 'enable the Authorization Code grant type on the app integration');
    case 'invalid_request':
      return finding('error', 'authorize-invalid-request', `the provider refuses the authorization request: ${error}${d}`,
        /pkce|code_challenge/i.test(description) ? 'the app requires (or forbids) PKCE' : 'a parameter is wrong for this app',
        /pkce|code_challenge/i.test(description) ? 'remove OIDC_DISABLE_PKCE so PKCE is used' : `check ${variable}, OIDC_CUSTOM_PARAMS and the app's settings`);
    case 'access_denied':
      return finding('info', 'authorize-access-denied', `the provider answered ${error}${d} to a test request`, 'users may not be assigned or no policy matches', 'assign users to the app and check the access policy');
    default:
      return finding('warning', 'authorize-error', `the provider answered ${error}${d} to a test authorization request`,
        'sign-in may fail', `check the app integration and ${variable}`);
  }
}
