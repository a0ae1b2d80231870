/**
 * Whether a redirect URI (Login or Logout) is one of an app's registered ones. Exact, character for
 * character, by default: no normalisation of case, trailing slashes, ports, queries or encodings
 * (RFC 9700 §2.1, §4.1; ASVS 10.4.1).
 *
 * With `wildcard_redirect: SUBDOMAIN`, a registered URI with one `*` in the lowest-level label of its
 * host (as the apps API accepts them: `https://*.example.com/cb`, `https://app-*.example.com/cb`)
 * also matches a URI whose host has exactly one label there, the `*` standing for one or more
 * letters, digits or hyphens (never a dot), and whose every other character is the same: scheme,
 * the rest of the host (compared case-insensitively, as host names are), port, path and query. This is the same pattern the CORS allow-list
 * derives from such URIs (src/domain/trusted-origins/cors-allow-list.ts).
 */
import type { App } from '../domain/model.js';

const LABEL_CHARS = /^[a-z0-9-]*$/;

interface WildcardUri {
  /** `https://` */
  prefix: string;
  /** Text of the lowest label before and after the `*`. */
  before: string;
  after: string;
  /** The rest of the host after that label, dot included: `.example.com`. */
  parent: string;
  /** Everything after the host: port, path, query. */
  rest: string;
}

/** Splits `scheme://host` + rest without normalising anything; undefined for anything unusual. */
function split(uri: string): { prefix: string; host: string; rest: string } | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#:@\\]*)(.*)$/i.exec(uri);
  if (!m) return undefined;
  const [, prefix = '', rawHost = '', rest = ''] = m;
  // Host names are case-insensitive (the apps API and the CORS allow-list lowercase them too).
  const host = rawHost.toLowerCase();
  // Userinfo or backslashes anywhere before the path would make the "host" ambiguous.
  if (/^[^/?#]*[@\\]/.test(rest)) return undefined;
  return { prefix, host, rest };
}

function parseWildcard(registered: string): WildcardUri | undefined {
  if ((registered.match(/\*/g) ?? []).length !== 1) return undefined;
  const parts = split(registered);
  if (!parts) return undefined;
  const dot = parts.host.indexOf('.');
  if (dot <= 0) return undefined;
  const label = parts.host.slice(0, dot);
  const parent = parts.host.slice(dot);
  if (!label.includes('*') || parent.includes('*') || parent.split('.').filter(Boolean).length < 2) return undefined;
  const [before = '', after = ''] = label.split('*');
  if (!LABEL_CHARS.test(before) || !LABEL_CHARS.test(after)) return undefined;
  return { prefix: parts.prefix, before, after, parent, rest: parts.rest };
}

/** True when `uri` matches the wildcard URI `registered` (see the module comment). */
export function matchesWildcardRedirect(registered: string, uri: string): boolean {
  const pattern = parseWildcard(registered);
  const parts = split(uri);
  if (!pattern || !parts || parts.prefix.toLowerCase() !== pattern.prefix.toLowerCase() || parts.rest !== pattern.rest) return false;
  const dot = parts.host.indexOf('.');
  if (dot <= 0 || parts.host.slice(dot) !== pattern.parent) return false;
  const label = parts.host.slice(0, dot);
  const middle = label.slice(pattern.before.length, label.length - pattern.after.length);
  return label.length > pattern.before.length + pattern.after.length
    && label.startsWith(pattern.before) && label.endsWith(pattern.after)
    && /^[a-z0-9-]+$/.test(middle);
}

/** True when `uri` is one of `registered` for this app, exactly or (SUBDOMAIN apps) by wildcard. */
export function isRegisteredRedirectUri(app: Pick<App, 'body'>, registered: readonly string[], uri: string): boolean {
  // A registered URI with a `*` is a pattern (the apps API accepts `*` nowhere else), never a target.
  if (registered.some((r) => r === uri && !r.includes('*'))) return true;
  if (app.body.settings.oauthClient.wildcard_redirect !== 'SUBDOMAIN') return false;
  return registered.some((r) => r.includes('*') && matchesWildcardRedirect(r, uri));
}
