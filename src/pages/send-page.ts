/** Fastify glue of the pages: write a rendered page or a redirect, and the browser endpoints' error handler. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../errors/oauth-error.js';
import { toOAuthError } from '../http/plugins/error-handler.js';
import { errorPageFor } from './error-page.js';
import type { HtmlPage } from './html.js';

export function sendPage(reply: FastifyReply, page: HtmlPage, setCookies: string[] = []): FastifyReply {
  if (setCookies.length > 0) reply.header('set-cookie', setCookies);
  return reply.status(page.status).headers(page.headers).send(page.body);
}

/** A redirect that leaks nothing through caches or the Referer header. */
export function sendRedirect(reply: FastifyReply, status: number, location: string, setCookies: string[] = []): FastifyReply {
  if (setCookies.length > 0) reply.header('set-cookie', setCookies);
  return reply
    .status(status)
    .header('location', location)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .header('referrer-policy', 'no-referrer')
    .send();
}

/** Route-level error handler of browser endpoints: the HTML error page, never JSON or a stack trace. */
export function pageErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (!(err instanceof OAuthError) && !(typeof err.statusCode === 'number' && err.statusCode < 500)) {
    req.log.error({ err }, 'browser endpoint failed');
  }
  return sendPage(reply, errorPageFor(toOAuthError(err)));
}
