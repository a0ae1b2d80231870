/**
 * Renders every error in the shape its caller expects: Okta error objects under /api/v1, OAuth
 * {error, error_description} elsewhere. Unknown errors become a logged 500 without internals.
 * (Browser-facing endpoints render HTML themselves via pages/error-page.ts before reaching here.)
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.js';
import { OAuthError } from '../../errors/oauth-error.js';

function isApiPath(url: string): boolean {
  return url.startsWith('/api/');
}

export function toApiError(err: FastifyError | Error): ApiError {
  if (err instanceof ApiError) return err;
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return ApiError.of('E0000003');
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && fe.statusCode === 400)) {
    return ApiError.of('E0000003');
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError(413, 'E0000003', 'The request body was not well-formed.');
  if (fe.validation) return ApiError.of('E0000001', [fe.message], [fe.message]);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ApiError(fe.statusCode, 'E0000003', 'The request body was not well-formed.');
  }
  return ApiError.of('E0000009', [], []);
}

export function toOAuthError(err: FastifyError | Error): OAuthError {
  if (err instanceof OAuthError) return err;
  const fe = err as FastifyError;
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new OAuthError(fe.statusCode === 415 ? 400 : fe.statusCode, 'invalid_request', 'The request is malformed.');
  }
  return OAuthError.of('server_error');
}

/**
 * The methods each OAuth endpoint answers. Any other method there (GET to /token, PUT to /authorize,
 * TRACE anywhere) is 405 with `Allow` (RFC 9110 §15.5.6), so a client learns it used the wrong
 * method rather than a wrong URL; nothing of the request is read or echoed.
 */
const PROTOCOL_METHODS: [RegExp, string][] = [
  [/^\/oauth2(?:\/[^/]+)?\/v1\/(?:authorize|logout|userinfo)$/, 'GET, POST, OPTIONS'],
  [/^\/oauth2(?:\/[^/]+)?\/v1\/(?:token|introspect|revoke)$/, 'POST, OPTIONS'],
  [/^\/oauth2(?:\/[^/]+)?\/v1\/keys$/, 'GET, HEAD, OPTIONS'],
];

function allowedMethods(url: string): string | undefined {
  const path = url.split('?', 1)[0] ?? '';
  return PROTOCOL_METHODS.find(([pattern]) => pattern.test(path))?.[1];
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = err instanceof ApiError || err instanceof OAuthError || (typeof err.statusCode === 'number' && err.statusCode < 500);
    if (!known) request.log.error({ err }, 'unhandled error');
    if (isApiPath(request.url) && !(err instanceof OAuthError)) {
      const apiErr = toApiError(err);
      return reply.status(apiErr.status).type('application/json').send(apiErr.toJSON());
    }
    const oauthErr = toOAuthError(err);
    reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    for (const [k, v] of Object.entries(oauthErr.headers)) reply.header(k, v);
    return reply.status(oauthErr.status).type('application/json').send(oauthErr.toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    if (isApiPath(request.url)) {
      const e = ApiError.of('E0000007', [`Resource not found: ${request.url.split('?')[0]} (path)`]);
      return reply.status(404).send(e.toJSON());
    }
    const allow = allowedMethods(request.url);
    if (allow) {
      return reply.status(405).header('Allow', allow).header('Cache-Control', 'no-store')
        .send({ error: 'invalid_request', error_description: `The ${allow.split(',')[0]} method is required for this endpoint.` });
    }
    return reply.status(404).send({ error: 'not_found', error_description: 'The requested resource was not found.' });
  });
}
