/** The parts of an OpenID Provider's discovery document the gateway uses (OpenID Connect Discovery 1.0 §3). */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  revocation_endpoint?: string;
  end_session_endpoint?: string;
  scopes_supported?: string[];
  response_types_supported?: string[];
  response_modes_supported?: string[];
  grant_types_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  revocation_endpoint_auth_methods_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
  code_challenge_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
}

/** What fetching the discovery document gave: the raw material for checks/discovery.ts. */
export interface DiscoveryFetch {
  url: string;
  /** Set when no HTTP response arrived (DNS, refused, TLS, timeout). */
  networkError?: string;
  status?: number;
  contentType?: string;
  body?: string;
}

export async function fetchDiscovery(url: string, timeoutMs = 10_000): Promise<DiscoveryFetch> {
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return { url, status: res.status, contentType: res.headers.get('content-type') ?? '', body };
  } catch (err) {
    return { url, networkError: describeNetworkError(err) };
  }
}

/** fetch() hides the reason in `cause`; surface ENOTFOUND / ECONNREFUSED / certificate errors. */
export function describeNetworkError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  const cause = e?.cause;
  if (cause?.code) return `${cause.code}${cause.message && !cause.message.includes(cause.code) ? ` (${cause.message})` : cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ?? e?.message ?? String(err);
}
