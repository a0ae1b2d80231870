/**
 * The issuer in discovery must equal AUTHENTICATION_AUTHORITY exactly: every ID token's `iss` is
 * compared with it, and the RFC 9207 `iss` response parameter too. Okta's usual mismatches get a
 * precise explanation (okta-api-model.md §6 #1).
 */
import { finding, type Finding } from '../findings.js';

export function checkIssuer(authority: string, discoveryIssuer: string): Finding[] {
  if (!authority || authority === discoveryIssuer) return [];
  const problem = `the discovery document's issuer "${discoveryIssuer}" is not AUTHENTICATION_AUTHORITY "${authority}"`;
  const fix = `set AUTHENTICATION_AUTHORITY=${discoveryIssuer}`;
  const err = (why: string, f = fix) => [finding('error', 'issuer-mismatch', problem, why, f)];
  const strip = (s: string) => s.replace(/\/+$/, '');
  if (strip(authority) === strip(discoveryIssuer)) {
    return err('they differ only by a trailing slash, and issuers are compared character for character, so every ID token would be refused');
  }
  let a: URL, d: URL;
  try {
    a = new URL(authority);
    d = new URL(discoveryIssuer);
  } catch {
    return err('ID tokens carry the discovery issuer, so every one would be refused');
  }
  if (a.host === d.host && a.protocol !== d.protocol) {
    return err(`the schemes differ (${a.protocol} vs ${d.protocol}); behind a TLS-terminating proxy the provider must know its public https URL`);
  }
  const aPath = strip(a.pathname);
  const dPath = strip(d.pathname);
  if (a.host === d.host) {
    if (aPath === '/oauth2' || dPath === '/oauth2') {
      return err('"/oauth2" without a server id is not an issuer: the org authorization server\'s issuer is the bare domain, a custom one\'s is /oauth2/{id} (e.g. /oauth2/default)');
    }
    if (!aPath || !dPath) {
      return err('one is the org authorization server (issuer = bare domain) and the other a custom authorization server (/oauth2/{id}); they issue different tokens with different keys',
        `use one server consistently: set AUTHENTICATION_AUTHORITY=${discoveryIssuer} and OIDC_DISCOVERY_URI=${discoveryIssuer}/.well-known/openid-configuration`);
    }
    return err('they name different authorization servers on the same domain', `set AUTHENTICATION_AUTHORITY and OIDC_DISCOVERY_URI to the same server's issuer (${discoveryIssuer})`);
  }
  if (aPath === dPath) {
    return err(`the host differs (${a.host} vs ${d.host}): with a custom domain, Okta's "Dynamic" issuer mode answers with the domain the request used, so discovery fetched on one domain names the other`,
      `fetch discovery and sign in through the same domain, or set the authorization server's Issuer to the "Okta URL" and AUTHENTICATION_AUTHORITY=${discoveryIssuer}`);
  }
  return err('ID tokens carry the discovery issuer, so every one would be refused (or OIDC_DISCOVERY_URI points at a different provider)');
}
