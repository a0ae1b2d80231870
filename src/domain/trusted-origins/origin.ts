/**
 * Origins as browsers serialise them (RFC 6454 §6.1): `scheme://host[:port]`, no path, query,
 * fragment or credentials; scheme and host case-insensitive; a scheme's default port omitted.
 * A trailing slash is a path, so `https://a.example/` is not an origin (Okta pain point 6).
 */

/** Schemes Okta accepts for trusted origins: web, plus FTP, Ionic 2 and Capacitor apps. */
export const ORIGIN_SCHEMES = ['http', 'https', 'ftp', 'ionic', 'capacitor'] as const;

const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443', ftp: '21' };

// host: a DNS name / IPv4 (letters, digits, '-', '.') or a bracketed IPv6 literal.
const ORIGIN = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;

export interface ParsedOrigin {
  scheme: string;
  host: string;
  /** Undefined when absent or the scheme's default. */
  port: string | undefined;
}

/** Parses a serialised origin, or returns undefined when `value` is not exactly one. */
export function parseOrigin(value: string): ParsedOrigin | undefined {
  const m = ORIGIN.exec(value);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!.toLowerCase();
  const rawPort = m[3];
  if (rawPort !== undefined && Number(rawPort) > 65535) return undefined;
  const port = rawPort === undefined ? undefined : String(Number(rawPort));
  return { scheme, host, port: port === DEFAULT_PORTS[scheme] ? undefined : port };
}

/** The comparison key of an origin: lower-cased scheme and host, default port dropped. */
export function canonicalOrigin(value: string): string | undefined {
  const p = parseOrigin(value);
  return p && `${p.scheme}://${p.host}${p.port === undefined ? '' : `:${p.port}`}`;
}

/**
 * The origin of an absolute http(s) URL such as a redirect URI, or undefined (custom schemes like
 * `com.example.app:/callback` have no web origin and can never be a CORS caller).
 */
export function originOfUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  return canonicalOrigin(parsed.origin);
}
