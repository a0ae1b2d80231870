/**
 * /login/sessionCookieRedirect?token&redirectUrl (okta-auth-js `session.setCookieAndRedirect`):
 * exchanges a sessionToken for the session cookie, then redirects. The target must be on this
 * origin or be, exactly, a registered Login redirect URI of an active app: never an open redirect
 * (RFC 9700 §4.11). The target is checked before the token is spent.
 */
import type { Container } from '../../container.js';
import { OAuthError, invalidRequest } from '../../errors/oauth-error.js';
import { errorPageFor } from '../../pages/error-page.js';
import type { SignInResult } from './hosted-sign-in.js';
import { sessionCookie } from './session-cookie.js';
import { redeemSessionToken } from './session-token.js';
import { createSession } from './sessions.js';

type Deps = Pick<Container, 'config' | 'store' | 'clock'>;

export interface SessionCookieRedirectInput {
  token: string | undefined;
  redirectUrl: string | undefined;
  sessionCookie: string | undefined;
  requestOrigin: string;
}

async function isRegisteredRedirectUri(c: Deps, uri: string): Promise<boolean> {
  let after: string | undefined;
  for (;;) {
    const apps = await c.store.apps.list({ limit: 200, after, status: 'ACTIVE' });
    if (apps.some((a) => (a.body.settings?.oauthClient?.redirect_uris ?? []).includes(uri))) return true;
    if (apps.length < 200) return false;
    after = apps[apps.length - 1]!.id;
  }
}

/** The absolute URL to redirect to, or undefined when the target isn't trusted. */
export async function trustedRedirectTarget(c: Deps, raw: string, requestOrigin: string): Promise<string | undefined> {
  const orgOrigin = new URL(c.config.orgUrl).origin;
  let url: URL | undefined;
  try {
    url = new URL(raw, c.config.orgUrl);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password
    && (url.origin === orgOrigin || url.origin === requestOrigin)) {
    return url.href;
  }
  return (await isRegisteredRedirectUri(c, raw)) ? raw : undefined;
}

export async function sessionCookieRedirect(c: Deps, input: SessionCookieRedirectInput): Promise<SignInResult> {
  const fail = (e: OAuthError): SignInResult => ({ kind: 'page', page: errorPageFor(e), setCookies: [] });
  if (!input.redirectUrl || input.redirectUrl.length > 8192) return fail(invalidRequest("The 'redirectUrl' parameter is required."));
  const target = await trustedRedirectTarget(c, input.redirectUrl, input.requestOrigin);
  if (!target) return fail(invalidRequest("The 'redirectUrl' parameter is not a trusted redirect URL."));
  const payload = await redeemSessionToken(c, input.token);
  const user = payload ? await c.store.users.get(payload.userId) : undefined;
  if (!payload || !user || user.status !== 'ACTIVE') return fail(invalidRequest('The session token is invalid or has expired.'));
  const created = await createSession(c, {
    userId: user.id, authTime: payload.authTime, amr: payload.amr, replaces: input.sessionCookie,
  });
  return { kind: 'redirect', status: 302, location: target, setCookies: [sessionCookie(created.cookieValue, c.config.secureCookies)] };
}
