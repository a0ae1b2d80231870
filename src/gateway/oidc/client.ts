/**
 * The gateway as an OAuth client: building the authorization request, and calling the token,
 * revocation and userinfo endpoints with the configured client authentication.
 */
import { createHash } from 'node:crypto';
import type { ClientAuthMethod } from '../config.js';
import { describeNetworkError, type ProviderMetadata } from './metadata.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  authMethod: ClientAuthMethod;
}

/** An error answer from the provider (RFC 6749 §5.2) or the lack of any usable answer. */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    /** The OAuth error code, or "network_error" / "invalid_response" when there was no OAuth answer. */
    readonly error: string,
    readonly description: string,
    readonly status?: number,
  ) {
    super(`${error}${description ? `: ${description}` : ''}`);
  }
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** application/x-www-form-urlencoded encoding, as RFC 6749 §2.3.1 requires inside Basic credentials. */
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');

function authenticate(creds: ClientCredentials, body: URLSearchParams, headers: Record<string, string>): void {
  if (creds.authMethod === 'client_secret_basic') {
    headers.authorization = `Basic ${Buffer.from(`${formEncode(creds.clientId)}:${formEncode(creds.clientSecret)}`).toString('base64')}`;
  } else {
    body.set('client_id', creds.clientId);
    body.set('client_secret', creds.clientSecret);
  }
}

async function post(url: string, creds: ClientCredentials, params: Record<string, string>, timeoutMs: number): Promise<{ status: number; json: unknown; text: string }> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  authenticate(creds, body, headers);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new ProviderError('network_error', `${url}: ${describeNetworkError(err)}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

function oauthError(status: number, json: unknown, text: string): ProviderError {
  const j = (json ?? {}) as { error?: unknown; error_description?: unknown };
  if (typeof j.error === 'string') return new ProviderError(j.error, typeof j.error_description === 'string' ? j.error_description : '', status);
  return new ProviderError('invalid_response', `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`, status);
}

export async function tokenRequest(m: ProviderMetadata, creds: ClientCredentials, params: Record<string, string>, timeoutMs = 10_000): Promise<TokenResponse> {
  const { status, json, text } = await post(m.token_endpoint, creds, params, timeoutMs);
  if (status !== 200) throw oauthError(status, json, text);
  const t = json as Partial<TokenResponse> | undefined;
  if (!t || typeof t.access_token !== 'string' || typeof t.token_type !== 'string') {
    throw new ProviderError('invalid_response', 'the token response has no access_token or token_type', status);
  }
  if (t.token_type.toLowerCase() !== 'bearer') throw new ProviderError('invalid_response', `unsupported token_type ${t.token_type}`, status);
  if (t.expires_in !== undefined && (typeof t.expires_in !== 'number' || !(t.expires_in >= 0))) {
    throw new ProviderError('invalid_response', 'expires_in is not a number', status);
  }
  return t as TokenResponse;
}

/** RFC 7009. Providers answer 200 even for unknown tokens; errors are returned, not thrown. */
export async function revokeToken(m: ProviderMetadata, creds: ClientCredentials, token: string, hint: 'refresh_token' | 'access_token', timeoutMs = 5_000): Promise<ProviderError | undefined> {
  if (!m.revocation_endpoint) return undefined;
  try {
    const { status, json, text } = await post(m.revocation_endpoint, creds, { token, token_type_hint: hint }, timeoutMs);
    return status === 200 ? undefined : oauthError(status, json, text);
  } catch (err) {
    return err as ProviderError;
  }
}

export async function fetchUserinfo(m: ProviderMetadata, accessToken: string, timeoutMs = 5_000): Promise<Record<string, unknown> | undefined> {
  if (!m.userinfo_endpoint) return undefined;
  const res = await fetch(m.userinfo_endpoint, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status !== 200 || !(res.headers.get('content-type') ?? '').includes('json')) {
    await res.body?.cancel();
    return undefined;
  }
  const body = (await res.json()) as unknown;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}
