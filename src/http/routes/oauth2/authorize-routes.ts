/**
 * Browser endpoints of every authorization server: /v1/authorize and /v1/logout, GET and POST (form),
 * for the org server (`/oauth2/v1/...`) and custom servers (`/oauth2/{id}/v1/...`). Any failure the
 * engine doesn't turn into a client response renders the HTML error page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Container } from '../../../container.js';
import { ORG_AUTH_SERVER_ID } from '../../../domain/model.js';
import { OAuthError } from '../../../errors/oauth-error.js';
import { AuthorizeParams } from '../../../oauth/authorize/params.js';
import { runAuthorize } from '../../../oauth/authorize/pipeline.js';
import { openTransaction } from '../../../oauth/authorize/transaction.js';
import { runLogout } from '../../../oauth/endpoints/logout.js';
import { clearSessionCookie, SESSION_COOKIE, tokenCookie } from '../../../oauth/sessions/session-cookie.js';
import { errorPageFor } from '../../../pages/error-page.js';
import { pageErrorHandler, sendPage, sendRedirect } from '../../../pages/send-page.js';

type ServerParams = { authServerId?: string };

function requestParams(req: FastifyRequest): AuthorizeParams {
  if (req.method !== 'POST') {
    const q = req.url.indexOf('?');
    return AuthorizeParams.fromQueryString(q < 0 ? '' : req.url.slice(q + 1));
  }
  if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthError(400, 'invalid_request', 'The request must be sent as application/x-www-form-urlencoded.');
  }
  return AuthorizeParams.fromForm(req.body);
}

export function authorizeRoutes(app: FastifyInstance, c: Container): void {
  const errorHandler = pageErrorHandler;

  async function authorize(req: FastifyRequest<{ Params: ServerParams }>, reply: FastifyReply) {
    const authServerId = req.params.authServerId;
    let params = requestParams(req);
    let startedAt: number | undefined;
    const resumed = params.get('tx');
    if (resumed !== undefined) {
      // Back from the hosted sign-in: the original request, as sealed before the sign-in.
      const tx = openTransaction(c, resumed);
      if (!tx || tx.serverId !== (authServerId ?? ORG_AUTH_SERVER_ID)) return sendPage(reply, errorPageFor(OAuthError.of('request_expired')));
      params = AuthorizeParams.fromEntries(tx.params);
      startedAt = tx.iat;
    }
    const result = await runAuthorize(c, {
      authServerId,
      params,
      method: req.method === 'POST' ? 'POST' : 'GET',
      origin: { protocol: req.protocol, host: req.host },
      sessionCookie: tokenCookie(req.headers.cookie, SESSION_COOKIE),
      startedAt,
      request: req,
    });
    if (result.kind === 'page') return sendPage(reply, result.page, result.setCookies);
    return sendRedirect(reply, result.status, result.location, result.setCookies);
  }

  async function logout(req: FastifyRequest<{ Params: ServerParams }>, reply: FastifyReply) {
    const result = await runLogout(c, {
      authServerId: req.params.authServerId,
      params: requestParams(req),
      method: req.method === 'POST' ? 'POST' : 'GET',
      origin: { protocol: req.protocol, host: req.host },
      sessionCookie: tokenCookie(req.headers.cookie, SESSION_COOKIE),
      request: req,
    });
    const cookies = result.clearCookie ? [clearSessionCookie(c.config.secureCookies)] : [];
    if (result.kind === 'page') return sendPage(reply, result.page, cookies);
    return sendRedirect(reply, result.status, result.location, cookies);
  }

  // No automatic HEAD routes: a HEAD (link scanners, prefetch) must not spend a sessionToken, issue a
  // code or end a session.
  for (const base of ['/oauth2', '/oauth2/:authServerId']) {
    for (const [endpoint, handler] of [['authorize', authorize], ['logout', logout]] as const) {
      app.route<{ Params: ServerParams }>({ method: ['GET', 'POST'], url: `${base}/v1/${endpoint}`, errorHandler, exposeHeadRoute: false, handler });
    }
  }
}
