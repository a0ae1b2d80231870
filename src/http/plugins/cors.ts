/**
 * CORS as Okta does it (okta-api-model.md §1, §4, pain point 6). A browser origin gets CORS headers
 * only on the endpoints browser SDKs call, and only when it is allowed there:
 *
 * - /api/v1/authn*, /api/v1/sessions/me*, /api/v1/users/me*: ACTIVE trusted origins with the CORS scope.
 * - discovery (/.well-known/*, /oauth2/…/.well-known/*) and /oauth2[/{id}]/v1/{token,revoke,introspect,
 *   keys,userinfo}: those, plus the origin of any redirect URI of an ACTIVE app (Okta's per-client
 *   rule for /token, widened to the org: see CorsAllowList).
 *
 * An allowed origin is echoed exactly (never `*`) with `Access-Control-Allow-Credentials: true`,
 * because okta-auth-js fetches with `credentials: 'include'`. Matching is exact on
 * scheme://host[:port] (host case-insensitive, default port implied); `https://a.example/` (a path)
 * or `null` never match. Every response of these endpoints carries `Vary: Origin`.
 * Preflights (OPTIONS with Access-Control-Request-Method) are answered here, before routing and
 * authentication: 204, with the CORS headers only when allowed. Other OPTIONS requests reach the
 * route's own handler or the catch-all, never a 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Container } from '../../container.js';
import { corsAllowList, type CorsAllowList } from '../../domain/trusted-origins/cors-allow-list.js';
import { canonicalOrigin } from '../../domain/trusted-origins/origin.js';

/** Which origins an endpoint admits: trusted origins only, or also app redirect-URI origins. */
export type CorsEndpointKind = 'api' | 'oauth';

interface CorsEndpoint {
  kind: CorsEndpointKind;
  methods: string;
}

const ENDPOINTS: [RegExp, CorsEndpoint][] = [
  [/^\/api\/v1\/authn(?:\/.*)?$/, { kind: 'api', methods: 'GET, POST, OPTIONS' }],
  [/^\/api\/v1\/sessions\/me(?:\/.*)?$/, { kind: 'api', methods: 'GET, POST, DELETE, OPTIONS' }],
  [/^\/api\/v1\/users\/me(?:\/.*)?$/, { kind: 'api', methods: 'GET, POST, PUT, DELETE, OPTIONS' }],
  [/^(?:\/oauth2(?:\/[^/]+)*)?\/\.well-known\/.+$/, { kind: 'oauth', methods: 'GET, OPTIONS' }],
  [/^\/oauth2(?:\/[^/]+)?\/v1\/(?:token|revoke|introspect)$/, { kind: 'oauth', methods: 'POST, OPTIONS' }],
  [/^\/oauth2(?:\/[^/]+)?\/v1\/keys$/, { kind: 'oauth', methods: 'GET, OPTIONS' }],
  [/^\/oauth2(?:\/[^/]+)?\/v1\/userinfo$/, { kind: 'oauth', methods: 'GET, POST, OPTIONS' }],
];

const ALLOW_HEADERS = 'Accept, Content-Type, Authorization, X-Okta-User-Agent-Extended, DPoP, X-Requested-With';
const EXPOSE_HEADERS = 'X-Okta-Request-Id, X-Rate-Limit-Limit, X-Rate-Limit-Remaining, X-Rate-Limit-Reset, Link, WWW-Authenticate, DPoP-Nonce';
const MAX_AGE = '3600';

// Why: every request is classified twice (onRequest, onSend) by up to seven regular expressions,
// but real traffic uses a handful of paths: the answer is remembered per path (bounded).
const endpointByPath = new Map<string, CorsEndpoint | null>();
const MAX_REMEMBERED_PATHS = 1000;

/** The CORS endpoint a request path belongs to, if any (the query string is ignored). */
export function corsEndpoint(url: string): CorsEndpoint | undefined {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const known = endpointByPath.get(path);
  if (known !== undefined) return known ?? undefined;
  let found: CorsEndpoint | null = null;
  for (const [pattern, endpoint] of ENDPOINTS) {
    if (pattern.test(path)) {
      found = endpoint;
      break;
    }
  }
  if (endpointByPath.size >= MAX_REMEMBERED_PATHS) endpointByPath.clear();
  endpointByPath.set(path, found);
  return found ?? undefined;
}

async function allowed(list: CorsAllowList, originHeader: string, kind: CorsEndpointKind): Promise<boolean> {
  const origin = canonicalOrigin(originHeader);
  if (!origin) return false;
  if (await list.isTrusted(origin)) return true;
  return kind === 'oauth' && list.isAppRedirectOrigin(origin);
}

/**
 * Whether `originHeader` may make CORS requests to `kind` endpoints: for endpoint code that must
 * refuse browser requests outright (Okta's `illegal_origin_browser_request` on /token).
 */
export async function isCorsOriginAllowed(c: Pick<Container, 'store' | 'config' | 'clock' | 'log'>, originHeader: string, kind: CorsEndpointKind): Promise<boolean> {
  return allowed(corsAllowList(c), originHeader, kind);
}

function addVary(reply: FastifyReply, value: string): void {
  const current = reply.getHeader('vary');
  // Why: almost always there is no Vary yet, or exactly this one: no parsing then.
  if (current === undefined) {
    reply.header('Vary', value);
    return;
  }
  if (current === value) return;
  const raw = Array.isArray(current) ? current.join(',') : typeof current === 'string' ? current : '';
  const list = raw.split(',').map((v) => v.trim()).filter(Boolean);
  if (list.includes('*') || list.some((v) => v.toLowerCase() === value.toLowerCase())) return;
  reply.header('Vary', [...list, value].join(', '));
}

export function registerCors(app: FastifyInstance, c: Container): void {
  const list = corsAllowList(c);

  /** The CORS headers for a request to `endpoint`; answers a preflight itself (then true). */
  const answer = async (request: FastifyRequest, reply: FastifyReply, endpoint: CorsEndpoint): Promise<boolean> => {
    const origin = request.headers.origin;
    let ok = false;
    if (typeof origin === 'string' && origin !== '') {
      try {
        ok = await allowed(list, origin, endpoint.kind);
      } catch (err) {
        request.log.error({ err }, 'CORS allow-list unavailable; answering without CORS headers');
      }
    }
    if (ok) reply.header('Access-Control-Allow-Origin', origin).header('Access-Control-Allow-Credentials', 'true');
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (!preflight) {
      if (ok) reply.header('Access-Control-Expose-Headers', EXPOSE_HEADERS);
      return false;
    }
    if (ok) {
      reply.header('Access-Control-Allow-Methods', endpoint.methods)
        .header('Access-Control-Allow-Headers', ALLOW_HEADERS)
        .header('Access-Control-Max-Age', MAX_AGE);
    }
    await reply.code(204).send();
    return true;
  };

  // Callback-style hooks. Why: an async hook costs a promise and a microtask hop on every request;
  // the common case (no Origin header, not a preflight: server-side clients) needs neither.
  app.addHook('onRequest', (request, reply, done) => {
    const endpoint = corsEndpoint(request.url);
    if (!endpoint) return done();
    addVary(reply, 'Origin');
    const origin = request.headers.origin;
    // Without an Origin nothing is allowed, so only a preflight has anything left to do.
    if ((typeof origin !== 'string' || origin === '') && request.method !== 'OPTIONS') return done();
    answer(request, reply, endpoint).then((answered) => {
      if (!answered) done();
    }, done);
  });

  // Handlers may set Vary themselves; Origin must stay in it on CORS endpoints.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (corsEndpoint(request.url)) addVary(reply, 'Origin');
    done(null, payload);
  });

  // OPTIONS on any path without its own OPTIONS route: an empty 204 rather than a 404.
  app.options('*', async (_request, reply) => reply.code(204).send());
}
