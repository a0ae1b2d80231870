/**
 * The consent page behind /login/consent. /authorize sends the browser here (303) with the request
 * sealed together with the user and the scopes to ask about. GET renders the page for the signed-in
 * user it was meant for; POST checks the anti-CSRF token (double submit, plus the Origin check of the
 * sign-in form) and resumes the authorize request with the answer, so the browser goes straight back
 * to the client: Allow with the code or tokens (the grants remembered), Deny with `access_denied`.
 * A page whose session has changed meanwhile sends the browser back through /authorize, which asks
 * again as needed.
 */
import { appTarget, recordEvent, userActor, type RequestInfo } from '../../audit/system-log.js';
import type { Container } from '../../container.js';
import { ORG_AUTH_SERVER_ID } from '../../domain/model.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { renderConsentPage } from '../../pages/consent-page.js';
import { errorPageFor } from '../../pages/error-page.js';
import { cspSourceFor, type HtmlPage } from '../../pages/html.js';
import { AuthorizeParams } from '../authorize/params.js';
import { runAuthorize, type AuthorizeResult } from '../authorize/pipeline.js';
import { authorizePath, openTransaction, paramOf, type AuthorizeTransaction } from '../authorize/transaction.js';
import { isRegisteredRedirectUri } from '../redirect-uris.js';
import { resolveServer, type RequestOrigin } from '../server-context.js';
import { csrfTokenMatches, newCsrfToken, originAllowed } from '../sessions/csrf.js';
import { csrfCookie } from '../sessions/session-cookie.js';
import { findSession } from '../sessions/sessions.js';
import { scopeDetails } from './consent.js';

export type ConsentResult = AuthorizeResult;

const page = (p: HtmlPage, setCookies: string[] = []): ConsentResult => ({ kind: 'page', page: p, setCookies });
const expired = (): ConsentResult => page(errorPageFor(OAuthError.of('request_expired')));

function serverIdParam(tx: AuthorizeTransaction): string | undefined {
  return tx.serverId === ORG_AUTH_SERVER_ID ? undefined : tx.serverId;
}

/** Back through /authorize with the original request (it asks again for whatever is still needed). */
function restart(tx: AuthorizeTransaction, sealed: string): ConsentResult {
  return { kind: 'redirect', status: 303, location: `${authorizePath(tx.serverId)}?tx=${encodeURIComponent(sealed)}`, setCookies: [] };
}

export interface ShowConsentInput {
  tx: unknown;
  csrfCookie: string | undefined;
  sessionCookie: string | undefined;
  origin: RequestOrigin;
}

export async function showConsent(c: Container, input: ShowConsentInput): Promise<ConsentResult> {
  const tx = openTransaction(c, input.tx);
  if (!tx?.consent) return expired();
  const current = await findSession(c, input.sessionCookie);
  if (!current || current.user.id !== tx.consent.userId) return restart(tx, input.tx as string);

  const clientId = paramOf(tx, 'client_id');
  const app = clientId ? (await c.cache.client(clientId))?.app : undefined;
  if (!app || app.status !== 'ACTIVE') return page(errorPageFor(OAuthError.of('invalid_client_id')));
  let server;
  try {
    server = await resolveServer(c, serverIdParam(tx), input.origin);
  } catch (err) {
    return page(errorPageFor(err));
  }
  const redirectUri = paramOf(tx, 'redirect_uri');
  const registered = redirectUri !== undefined && isRegisteredRedirectUri(app, app.body.settings.oauthClient.redirect_uris ?? [], redirectUri);
  const source = registered ? cspSourceFor(redirectUri) : undefined;

  const csrf = input.csrfCookie ?? newCsrfToken();
  const setCookies = input.csrfCookie ? [] : [csrfCookie(csrf, c.config.secureCookies)];
  return page(renderConsentPage({
    csrf,
    tx: input.tx as string,
    appLabel: app.body.label,
    userLogin: current.user.profile.login,
    scopes: scopeDetails(server, tx.consent.scopes),
    redirectSources: source ? [source] : [],
  }), setCookies);
}

export interface SubmitConsentInput {
  form: Record<string, unknown>;
  csrfCookie: string | undefined;
  sessionCookie: string | undefined;
  /** The Origin header, if the browser sent one. */
  originHeader: string | undefined;
  /** The origin the request arrived on. */
  origin: RequestOrigin;
  request?: RequestInfo | undefined;
}

export async function submitConsent(c: Container, input: SubmitConsentInput): Promise<ConsentResult> {
  const { form } = input;
  const here = `${input.origin.protocol}://${input.origin.host}`;
  if (!csrfTokenMatches(input.csrfCookie, form.csrf) || !originAllowed(input.originHeader, [new URL(c.config.orgUrl).origin, here])) {
    return page(errorPageFor(new OAuthError(403, 'invalid_request', 'The consent form could not be verified. Reload the page and try again.')));
  }
  const sealed = typeof form.tx === 'string' ? form.tx : undefined;
  const tx = openTransaction(c, sealed);
  if (!tx?.consent || sealed === undefined) return expired();
  const decision = form.decision;
  if (decision !== 'allow' && decision !== 'deny') {
    return page(errorPageFor(new OAuthError(400, 'invalid_request', 'The consent form must be answered with Allow or Deny.')));
  }

  const result = await runAuthorize(c, {
    authServerId: serverIdParam(tx),
    params: AuthorizeParams.fromEntries(tx.params),
    method: 'POST',
    origin: input.origin,
    sessionCookie: input.sessionCookie,
    startedAt: tx.iat,
    consent: { userId: tx.consent.userId, scopes: tx.consent.scopes, decision },
    request: input.request,
  });

  const current = await findSession(c, input.sessionCookie);
  const app = (await c.cache.client(paramOf(tx, 'client_id') ?? ''))?.app;
  if (current && app && current.user.id === tx.consent.userId) {
    recordEvent(c, {
      eventType: 'app.oauth2.as.consent.grant',
      actor: userActor(current.user),
      target: [appTarget(app)],
      clientId: app.clientId,
      outcome: decision === 'allow' ? { result: 'SUCCESS' } : { result: 'DENY', reason: 'User denied consent' },
      ...(input.request ? { request: input.request } : {}),
      debugData: { scopes: tx.consent.scopes.join(' '), authorizationServer: tx.serverId },
    });
  }
  return result;
}
