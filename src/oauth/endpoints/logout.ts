/**
 * RP-initiated logout (/v1/logout, OIDC RP-Initiated Logout 1.0 as Okta does it). The request is
 * validated before anything changes: an id_token_hint must be one of this server's ID tokens
 * (expired is fine), and a post_logout_redirect_uri must be one of the hinted app's registered
 * Logout redirect URIs, exactly (or by the app's SUBDOMAIN wildcard, ../redirect-uris.ts). Then the
 * org session ends (System Log user.session.end) and the cookie is cleared. Only a request
 * carrying a valid hint is redirected back (no open redirect, no unverified bounce; ASVS 10.6.2);
 * otherwise the user sees the signed-out page.
 */
import type { RequestInfo } from '../../audit/system-log.js';
import type { Container } from '../../container.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { errorPageFor } from '../../pages/error-page.js';
import { renderLoggedOutPage } from '../../pages/logged-out-page.js';
import { verifyIdTokenHint, type VerifiedIdTokenHint } from '../authorize/id-token-hint.js';
import type { AuthorizeParams } from '../authorize/params.js';
import { appendQuery, type BrowserResult } from '../authorize/respond.js';
import { auditSessionEnd } from '../audit.js';
import { isRegisteredRedirectUri } from '../redirect-uris.js';
import { resolveServer, type RequestOrigin } from '../server-context.js';
import { findSession, revokeSessionByCookie } from '../sessions/sessions.js';

export interface LogoutInput {
  authServerId: string | undefined;
  params: AuthorizeParams;
  method: 'GET' | 'POST';
  origin: RequestOrigin;
  sessionCookie: string | undefined;
  /** The HTTP request, for the System Log. */
  request?: RequestInfo | undefined;
}

export type LogoutResult = BrowserResult & { clearCookie: boolean };

type Deps = Pick<Container, 'config' | 'cache' | 'keys' | 'store' | 'clock' | 'log'>;

export async function runLogout(c: Deps, input: LogoutInput): Promise<LogoutResult> {
  let target: string | undefined;
  let hint: VerifiedIdTokenHint | undefined;
  try {
    const server = await resolveServer(c, input.authServerId, input.origin);
    if (input.params.duplicates.size > 0) throw OAuthError.of('duplicate_oauth_params');
    const rawHint = input.params.get('id_token_hint');
    if (rawHint !== undefined) hint = await verifyIdTokenHint(c, server, rawHint, input.origin);
    const postLogout = input.params.get('post_logout_redirect_uri');
    if (postLogout !== undefined && hint !== undefined) target = await registeredLogoutUri(c, hint, postLogout);
  } catch (err) {
    if (!(err instanceof OAuthError)) c.log.error({ err }, 'logout request failed');
    return { kind: 'page', page: errorPageFor(err), clearCookie: false };
  }

  const current = await findSession(c, input.sessionCookie);
  // A hint for someone else does not end this browser's session.
  const endSession = !current || hint === undefined || hint.sub === current.user.id;
  if (endSession) await revokeSessionByCookie(c, input.sessionCookie);
  if (endSession && current) auditSessionEnd(c, current.user, 'logout', input.request, hint?.audience[0]);
  const clearCookie = endSession && input.sessionCookie !== undefined;

  if (target === undefined) return { kind: 'page', page: renderLoggedOutPage(), clearCookie };
  const state = input.params.get('state');
  const location = appendQuery(target, state !== undefined && state.length <= 2048 ? { state } : {});
  return { kind: 'redirect', status: input.method === 'POST' ? 303 : 302, location, clearCookie };
}

async function registeredLogoutUri(c: Deps, hint: VerifiedIdTokenHint, uri: string): Promise<string> {
  for (const clientId of hint.audience) {
    const app = (await c.cache.client(clientId))?.app;
    const registered = app?.body.settings?.oauthClient?.post_logout_redirect_uris ?? [];
    if (app && app.status === 'ACTIVE' && isRegisteredRedirectUri(app, registered, uri)) return uri;
  }
  throw OAuthError.of('illegal_post_logout_redirect_uri');
}
