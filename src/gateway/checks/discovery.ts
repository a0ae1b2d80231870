/** Whether the discovery document could be read and has what the gateway needs. */
import { finding, type Finding } from '../findings.js';
import type { DiscoveryFetch, ProviderMetadata } from '../oidc/metadata.js';

export interface DiscoveryCheck {
  metadata?: ProviderMetadata;
  findings: Finding[];
}

const REQUIRED = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;

export function checkDiscovery(r: DiscoveryFetch): DiscoveryCheck {
  const fix404 = 'use {issuer}/.well-known/openid-configuration: https://{domain}/oauth2/default/... for the default custom authorization server, https://{domain}/.well-known/... for the org server';
  if (r.networkError !== undefined) {
    return { findings: [finding('error', 'discovery-unreachable', `OIDC_DISCOVERY_URI ${r.url} cannot be reached: ${r.networkError}`,
      'endpoints and signing keys come from the discovery document',
      'check the host name and port as seen from where the gateway runs (inside a container, localhost is the container itself), and that the provider is running')] };
  }
  if (r.status !== 200) {
    return { findings: [finding('error', 'discovery-status', `OIDC_DISCOVERY_URI ${r.url} answered HTTP ${r.status}`,
      r.status === 404 ? 'there is no discovery document there, usually a wrong authorization server id or path' : 'the discovery document cannot be read',
      fix404)] };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(r.body ?? '');
  } catch {
    const looksHtml = /^\s*</.test(r.body ?? '');
    return { findings: [finding('error', 'discovery-not-json', `OIDC_DISCOVERY_URI ${r.url} did not return JSON (${r.contentType || 'no content type'}${looksHtml ? ', an HTML page' : ''})`,
      'the URL points at a web page (a sign-in page, a proxy or the app itself), not at the provider\'s discovery document', fix404)] };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    return { findings: [finding('error', 'discovery-not-json', `OIDC_DISCOVERY_URI ${r.url} returned JSON that is not an object`,
      'it is not a discovery document', fix404)] };
  }
  const m = doc as Record<string, unknown>;
  const absent = REQUIRED.filter((k) => typeof m[k] !== 'string' || !m[k]);
  if (absent.length) {
    return { findings: [finding('error', 'discovery-incomplete', `the discovery document at ${r.url} lacks ${absent.join(', ')}`,
      'the gateway cannot run the authorization code flow without them', 'point OIDC_DISCOVERY_URI at an OpenID Connect discovery document')] };
  }
  return { metadata: m as unknown as ProviderMetadata, findings: [] };
}
