/**
 * The consent page (/login/consent, GET and POST). Thin glue: cookies and form in, the flow in
 * oauth/consent, page or redirect out. No automatic HEAD route.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Container } from '../../container.js';
import { showConsent, submitConsent, type ConsentResult } from '../../oauth/consent/consent-flow.js';
import { csrfCookieName, SESSION_COOKIE, tokenCookie } from '../../oauth/sessions/session-cookie.js';
import { CONSENT_PATH } from '../../pages/consent-page.js';
import { pageErrorHandler, sendPage, sendRedirect } from '../../pages/send-page.js';

type Query = Record<string, string | string[] | undefined>;

function send(reply: FastifyReply, r: ConsentResult): FastifyReply {
  return r.kind === 'page' ? sendPage(reply, r.page, r.setCookies) : sendRedirect(reply, r.status, r.location, r.setCookies);
}

export function consentRoutes(app: FastifyInstance, c: Container): void {
  const csrfName = csrfCookieName(c.config.secureCookies);
  const errorHandler = pageErrorHandler;

  app.get<{ Querystring: Query }>(CONSENT_PATH, { errorHandler, exposeHeadRoute: false }, async (req, reply) => {
    const tx = req.query.tx;
    return send(reply, await showConsent(c, {
      tx: typeof tx === 'string' ? tx : undefined,
      csrfCookie: tokenCookie(req.headers.cookie, csrfName),
      sessionCookie: tokenCookie(req.headers.cookie, SESSION_COOKIE),
      origin: { protocol: req.protocol, host: req.host },
    }));
  });

  app.post(CONSENT_PATH, { errorHandler }, async (req: FastifyRequest, reply) => {
    const form = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    const origin = req.headers.origin;
    return send(reply, await submitConsent(c, {
      form,
      csrfCookie: tokenCookie(req.headers.cookie, csrfName),
      sessionCookie: tokenCookie(req.headers.cookie, SESSION_COOKIE),
      originHeader: typeof origin === 'string' ? origin : undefined,
      origin: { protocol: req.protocol, host: req.host },
      request: req,
    }));
  });
}
