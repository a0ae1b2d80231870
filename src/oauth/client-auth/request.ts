/**
 * The protocol-level view of an HTTP request to a form-posting OAuth endpoint (token, introspect,
 * revoke, userinfo), free of Fastify: the route glue builds it, the endpoints read it.
 *
 * Parameters come only from an `application/x-www-form-urlencoded` body. Each endpoint reads its own
 * allow-list: unknown parameters are ignored (RFC 6749 §3.2), a known one sent twice is rejected
 * (RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once").
 */
import type { RequestInfo } from '../../audit/system-log.js';
import { OAuthError, invalidRequest } from '../../errors/oauth-error.js';
import type { RequestOrigin } from '../server-context.js';

export interface ProtocolRequest {
  /** The parsed body: a FormBody for form posts, anything (or undefined) otherwise. */
  body: unknown;
  query: unknown;
  /** Lower-cased header names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  origin: RequestOrigin;
  /** The custom server id from the path; undefined for the org server. */
  authServerId: string | undefined;
  /** The HTTP request, for the System Log (client IP, user agent, request id). */
  request?: RequestInfo | undefined;
}

export interface ProtocolResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type Params = Record<string, string | undefined>;

/** RFC 6749 §5.1: token responses (and anything carrying tokens) must not be cached. */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function header(req: ProtocolRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function mediaType(req: ProtocolRequest): string | undefined {
  return header(req, 'content-type')?.split(';')[0]?.trim().toLowerCase();
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The allowed parameters of a form post. A request without a body reads as no parameters (so the
 * endpoint reports what is missing); a body of any other media type is an invalid request.
 */
export function readForm(req: ProtocolRequest, allowed: ReadonlySet<string>): Params {
  if (req.body === undefined || req.body === null || req.body === '') return {};
  if (mediaType(req) !== 'application/x-www-form-urlencoded' || !isRecord(req.body)) {
    throw invalidRequest('The request body must be sent with Content-Type application/x-www-form-urlencoded.');
  }
  const out: Params = {};
  const repeated: string[] = [];
  for (const name of allowed) {
    const value = req.body[name];
    if (Array.isArray(value)) repeated.push(name);
    else if (typeof value === 'string') out[name] = value;
  }
  if (repeated.length) throw OAuthError.of('illegal_duplicated_parameters', repeated.join(', '));
  return out;
}

/** One query parameter, if sent exactly once as a string. */
export function queryParam(req: ProtocolRequest, name: string): string | undefined {
  if (!isRecord(req.query)) return undefined;
  const v = req.query[name];
  if (Array.isArray(v)) throw OAuthError.of('illegal_duplicated_parameters', name);
  return typeof v === 'string' ? v : undefined;
}
