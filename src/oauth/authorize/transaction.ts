/**
 * The authorize request kept across the hosted sign-in: sealed (AES-256-GCM under the server's
 * secret key, so it is both confidential and tamper-proof) into one opaque value that travels in the
 * sign-in URL and form and finally back to /authorize. `iat` is when the request first arrived: a
 * session authenticated at or after it satisfies prompt=login and max_age.
 */
import type { Container } from '../../container.js';
import { ORG_AUTH_SERVER_ID } from '../../domain/model.js';

export const TRANSACTION_LIFETIME_MS = 30 * 60_000;
const KIND = 'gatehouse.authorize.v1';

export interface AuthorizeTransaction {
  /** Authorization server id ('org' for the org server). */
  serverId: string;
  params: [string, string][];
  iat: number;
  /** Set when the request waits for the user's consent: who is asked, and for which scopes. */
  consent?: { userId: string; scopes: string[] } | undefined;
}

interface Sealed extends AuthorizeTransaction {
  t: typeof KIND;
  exp: number;
}

type Deps = Pick<Container, 'box' | 'clock'>;

export function sealTransaction(c: Deps, tx: AuthorizeTransaction): string {
  const body: Sealed = { t: KIND, ...tx, exp: tx.iat + TRANSACTION_LIFETIME_MS };
  return c.box.seal(JSON.stringify(body));
}

/** The transaction, or undefined when the value is forged, corrupted or expired. */
export function openTransaction(c: Deps, sealed: unknown): AuthorizeTransaction | undefined {
  if (typeof sealed !== 'string' || sealed.length === 0 || sealed.length > 32768) return undefined;
  let body: Partial<Sealed>;
  try {
    body = JSON.parse(c.box.open(sealed)) as Partial<Sealed>;
  } catch {
    return undefined;
  }
  if (body.t !== KIND || typeof body.serverId !== 'string' || !Array.isArray(body.params)) return undefined;
  if (typeof body.iat !== 'number' || typeof body.exp !== 'number' || body.exp <= c.clock.now()) return undefined;
  const params = body.params.filter((p): p is [string, string] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string');
  const consent = body.consent;
  const validConsent = consent !== undefined && typeof consent === 'object' && consent !== null
    && typeof consent.userId === 'string' && Array.isArray(consent.scopes) && consent.scopes.every((x) => typeof x === 'string');
  return { serverId: body.serverId, params, iat: body.iat, ...(validConsent ? { consent: { userId: consent.userId, scopes: consent.scopes } } : {}) };
}

/** Path of the /authorize endpoint of a server (relative, so it works behind any host). */
export function authorizePath(serverId: string): string {
  return serverId === ORG_AUTH_SERVER_ID ? '/oauth2/v1/authorize' : `/oauth2/${encodeURIComponent(serverId)}/v1/authorize`;
}

export function paramOf(tx: AuthorizeTransaction, name: string): string | undefined {
  return tx.params.find(([k]) => k === name)?.[1];
}
