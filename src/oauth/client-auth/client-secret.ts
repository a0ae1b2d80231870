/**
 * client_secret_basic and client_secret_post (RFC 6749 §2.3.1). Secrets are stored only as SHA-256
 * hashes and compared in constant time against every ACTIVE secret (an app may have two during
 * rotation). Okta treats the two methods as one credential: an app registered with either may
 * present its secret in the header or in the body (okta-auth-js posts it, openid-client sends Basic).
 */
import { safeEqual } from '../../crypto/compare.js';
import { sha256 } from '../../crypto/ids.js';
import type { ClientRecord } from '../config-cache.js';

export interface BasicCredentials {
  clientId: string;
  /** Undefined for `Basic base64(client_id)` with no colon, as okta-auth-js sends for public clients. */
  secret: string | undefined;
}

/** RFC 6749 §2.3.1 form-encodes id and secret before base64; raw values are accepted too. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

export function candidates(value: string): string[] {
  const decoded = formDecode(value);
  return decoded === value ? [value] : [value, decoded];
}

/**
 * Parses `Authorization: Basic …`. Returns undefined when the header uses another scheme, null when
 * it is Basic but malformed.
 */
export function parseBasic(authorization: string | undefined): BasicCredentials | null | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Basic(?:\s+(.*))?$/i.exec(authorization.trim());
  if (!match) return undefined;
  const encoded = (match[1] ?? '').trim();
  if (!/^[A-Za-z0-9+/\-_]+=*$/.test(encoded) || encoded.length > 8192) return null;
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  const clientId = colon === -1 ? text : text.slice(0, colon);
  if (clientId === '') return null;
  return { clientId, secret: colon === -1 ? undefined : text.slice(colon + 1) };
}

/** True when the presented secret matches one of the client's ACTIVE secrets. */
export function secretMatches(record: ClientRecord, presented: string): boolean {
  const hashes = candidates(presented).map(sha256);
  let ok = false;
  for (const s of record.secrets) for (const h of hashes) ok = safeEqual(h, s.secretHash) || ok;
  return ok;
}
