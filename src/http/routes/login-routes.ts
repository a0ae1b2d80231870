/**
 * The hosted sign-in (/login/login.htm, GET and POST) and /login/sessionCookieRedirect. Thin glue:
 * cookies and form in, the flow in oauth/sessions, page or redirect out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Container } from '../../container.js';
import { requestOrigin } from '../../oauth/server-context.js';
import { submitSignIn, showSignIn, type SignInResult } from '../../oauth/sessions/hosted-sign-in.js';
import { sessionCookieRedirect } from '../../oauth/sessions/session-cookie-redirect.js';
import { csrfCookieName, SESSION_COOKIE, tokenCookie } from '../../oauth/sessions/session-cookie.js';
import { SIGN_IN_PATH } from '../../pages/sign-in-page.js';
import { pageErrorHandler, sendPage, sendRedirect } from '../../pages/send-page.js';

type Query = Record<string, string | string[] | undefined>;

const single = (v: string | string[] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

function send(reply: FastifyReply, r: SignInResult): FastifyReply {
  return r.kind === 'page' ? sendPage(reply, r.page, r.setCookies) : sendRedirect(reply, r.status, r.location, r.setCookies);
}

export function loginRoutes(app: FastifyInstance, c: Container): void {
  const csrfName = csrfCookieName(c.config.secureCookies);
  const errorHandler = pageErrorHandler;

  app.get<{ Querystring: Query }>(SIGN_IN_PATH, { errorHandler }, async (req, reply) => {
    const tx = req.query.tx;
    return send(reply, await showSignIn(c, { tx: Array.isArray(tx) ? '' : tx, csrfCookie: tokenCookie(req.headers.cookie, csrfName) }));
  });

  app.post(SIGN_IN_PATH, { errorHandler }, async (req: FastifyRequest, reply) => {
    const form = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    return send(reply, await submitSignIn(c, {
      form,
      csrfCookie: tokenCookie(req.headers.cookie, csrfName),
      sessionCookie: tokenCookie(req.headers.cookie, SESSION_COOKIE),
      origin: single(req.headers.origin),
      requestOrigin: requestOrigin(req),
      request: req,
    }));
  });

  // No HEAD route: a HEAD must not spend the one-time token.
  app.get<{ Querystring: Query }>('/login/sessionCookieRedirect', { errorHandler, exposeHeadRoute: false }, async (req, reply) => {
    return send(reply, await sessionCookieRedirect(c, {
      token: single(req.query.token),
      redirectUrl: single(req.query.redirectUrl),
      sessionCookie: tokenCookie(req.headers.cookie, SESSION_COOKIE),
      requestOrigin: requestOrigin(req),
    }));
  });
}
