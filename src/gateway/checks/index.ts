/**
 * All start-up checks in order: configuration, discovery, issuer, capabilities, redirect URIs.
 * Each check is a pure function of what was read; the two network reads (discovery and one
 * authorization request) are done here, so `gatehouse doctor` can call `checkSetup` as the gateway does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readGatewayConfig, type ConfigReading } from '../config.js';
import type { Env } from '../env-values.js';
import { hasErrors, type Finding } from '../findings.js';
import { describeNetworkError, fetchDiscovery, type ProviderMetadata } from '../oidc/metadata.js';
import { checkConfig } from './config.js';
import { checkDiscovery } from './discovery.js';
import { checkIssuer } from './issuer.js';
import { checkProviderCapabilities } from './provider.js';
import { checkRedirectRegistration, type AuthorizeProbe } from './redirect.js';

export { checkConfig, checkCallbacks } from './config.js';
export { checkDiscovery } from './discovery.js';
export { checkIssuer } from './issuer.js';
export { checkProviderCapabilities } from './provider.js';
export { checkRedirectRegistration, describeAuthorizeError } from './redirect.js';

export interface SetupCheck extends ConfigReading {
  metadata?: ProviderMetadata;
  /** Every finding, configuration ones first. */
  findings: Finding[];
}

export interface CheckOptions {
  /** Send test authorization requests for the redirect URIs (default true). */
  probeRedirects?: boolean;
  timeoutMs?: number;
}

export async function checkSetup(env: Env, opts: CheckOptions = {}): Promise<SetupCheck> {
  const reading = readGatewayConfig(env);
  const findings = [...reading.findings, ...checkConfig(reading)];
  const { config } = reading;
  if (!config.discoveryUri) return { ...reading, findings };

  const discovery = checkDiscovery(await fetchDiscovery(config.discoveryUri, opts.timeoutMs));
  findings.push(...discovery.findings);
  const metadata = discovery.metadata;
  if (!metadata) return { ...reading, findings };

  findings.push(...checkIssuer(config.authority, metadata.issuer));
  findings.push(...checkProviderCapabilities(config, metadata));

  if (opts.probeRedirects !== false && config.clientId && !hasErrors(findings)) {
    const probe = (redirectUri: string, variable: string) =>
      probeAuthorize(metadata.authorization_endpoint, config.clientId, redirectUri, variable, config.scopes.join(' '), opts.timeoutMs);
    findings.push(...checkRedirectRegistration(await probe(config.callbackUrl, 'OIDC_CALLBACK')));
    findings.push(...checkRedirectRegistration(await probe(config.silentCallbackUrl, 'GATEWAY_SILENT_CALLBACK_URL'),
      config.refresh ? 'warning' : 'error'));
  }
  return { ...reading, metadata, findings };
}

/** One authorization request the gateway never completes: only the first response is read. */
export async function probeAuthorize(endpoint: string, clientId: string, redirectUri: string, variable: string, scope = 'openid', timeoutMs = 10_000): Promise<AuthorizeProbe> {
  const url = new URL(endpoint);
  const verifier = randomBytes(32).toString('base64url');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('response_mode', 'query');
  url.searchParams.set('scope', scope);
  url.searchParams.set('state', randomBytes(16).toString('base64url'));
  url.searchParams.set('nonce', randomBytes(16).toString('base64url'));
  url.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
  url.searchParams.set('code_challenge_method', 'S256');
  try {
    const res = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' }, signal: AbortSignal.timeout(timeoutMs) });
    const body = res.status >= 400 ? (await res.text()).slice(0, 4000) : (await res.body?.cancel(), '');
    return { redirectUri, variable, status: res.status, location: res.headers.get('location') ?? undefined, body };
  } catch (err) {
    return { redirectUri, variable, networkError: describeNetworkError(err) };
  }
}
