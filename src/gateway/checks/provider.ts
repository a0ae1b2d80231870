/** Checks of the provider's advertised capabilities against what the configuration will ask for. */
import type { GatewayConfig } from '../config.js';
import { finding, type Finding } from '../findings.js';
import type { ProviderMetadata } from '../oidc/metadata.js';

export function checkProviderCapabilities(c: GatewayConfig, m: ProviderMetadata): Finding[] {
  const out: Finding[] = [];
  // RFC 8414 §2: absent token_endpoint_auth_methods_supported means client_secret_basic only.
  const methods = m.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  if (!methods.includes(c.clientAuthMethod)) {
    const alt = ['client_secret_post', 'client_secret_basic'].find((x) => methods.includes(x));
    out.push(finding('error', 'auth-method-not-advertised',
      `OIDC_CLIENT_AUTH_METHOD=${c.clientAuthMethod} is not in the provider's token_endpoint_auth_methods_supported [${methods.join(', ')}]`,
      'the token endpoint would reject the code exchange with invalid_client',
      alt ? `set OIDC_CLIENT_AUTH_METHOD=${alt} and the same "Client authentication" method in the app integration` : 'the provider supports no client-secret method the gateway can use'));
  }
  if (c.pkce && !(m.code_challenge_methods_supported ?? []).includes('S256')) {
    out.push(finding('error', 'pkce-s256-not-advertised',
      `PKCE is on but the provider does not advertise S256 in code_challenge_methods_supported [${(m.code_challenge_methods_supported ?? []).join(', ')}]`,
      'a provider without S256 would ignore or reject the code challenge', 'use a provider with PKCE S256, or (only if it truly lacks PKCE) set OIDC_DISABLE_PKCE=true'));
  }
  if (m.id_token_signing_alg_values_supported && !m.id_token_signing_alg_values_supported.includes(c.preferredJws)) {
    out.push(finding('error', 'jws-not-advertised',
      `OIDC_PREFERRED_JWS=${c.preferredJws} is not in id_token_signing_alg_values_supported [${m.id_token_signing_alg_values_supported.join(', ')}]`,
      'ID tokens signed with another algorithm are refused', `set OIDC_PREFERRED_JWS=${m.id_token_signing_alg_values_supported.find((a) => a !== 'none') ?? 'RS256'}`));
  }
  if (m.response_types_supported && !m.response_types_supported.includes('code')) {
    out.push(finding('error', 'code-flow-unsupported', 'the provider does not list "code" in response_types_supported',
      'the gateway needs the authorization code flow', 'use an OpenID provider that supports the authorization code flow'));
  }
  if (m.response_modes_supported && !m.response_modes_supported.includes('query')) {
    out.push(finding('error', 'response-mode-query', 'the provider does not list "query" in response_modes_supported',
      'the gateway receives the code in the query of its callback', 'use a provider that supports response_mode=query'));
  }
  if (c.refresh && m.grant_types_supported && !m.grant_types_supported.includes('refresh_token')) {
    out.push(finding('error', 'refresh-grant-unsupported', 'GATEWAY_REFRESH=true but the provider does not list refresh_token in grant_types_supported',
      'sessions could not be renewed with refresh tokens', 'set GATEWAY_REFRESH=false to renew silently through /silent-callback'));
  }
  if (c.refresh && c.scopes.includes('offline_access') && m.scopes_supported && !m.scopes_supported.includes('offline_access')) {
    out.push(finding('warning', 'offline-access-not-advertised', 'OIDC_SCOPE asks for offline_access, which the provider does not list in scopes_supported',
      'the provider may refuse the scope or issue no refresh token', 'check the provider\'s documentation for refresh tokens'));
  }
  if (!m.end_session_endpoint) {
    out.push(finding('warning', 'no-end-session', 'the provider has no end_session_endpoint',
      'sign-out ends the gateway session only; the provider session survives and the next sign-in is silent (OpenMetadata #21181)',
      'nothing to change in the gateway; end the provider session from the provider if needed'));
  }
  if (!m.revocation_endpoint && c.refresh) {
    out.push(finding('info', 'no-revocation', 'the provider has no revocation_endpoint',
      'refresh tokens cannot be revoked at sign-out and stay valid until they expire', 'nothing to change'));
  }
  return out;
}
