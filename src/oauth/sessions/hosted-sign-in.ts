/**
 * The hosted sign-in flow behind /login/login.htm. GET renders the form (with the anti-CSRF token and
 * the sealed authorize request); POST checks the token, authenticates, and on success starts a new
 * session (new cookie, the old session revoked: no fixation) and sends the browser back to /authorize
 * with a 303 (RFC 9700 §4.12). Every failure reads "Unable to sign in", whatever the cause.
 */
import type { RequestInfo } from '../../audit/system-log.js';
import type { Container } from '../../container.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { errorPageFor } from '../../pages/error-page.js';
import { cspSourceFor, type HtmlPage } from '../../pages/html.js';
import { renderSignedInPage } from '../../pages/logged-out-page.js';
import { renderSignInPage } from '../../pages/sign-in-page.js';
import { isRegisteredRedirectUri } from '../redirect-uris.js';
import { authorizePath, openTransaction, paramOf, type AuthorizeTransaction } from '../authorize/transaction.js';
import type { BrowserResult } from '../authorize/respond.js';
import { csrfTokenMatches, newCsrfToken, originAllowed } from './csrf.js';
import { csrfCookie, sessionCookie } from './session-cookie.js';
import { passwordSignIn } from './password-sign-in.js';
import { createSession } from './sessions.js';

type Deps = Pick<Container, 'config' | 'store' | 'cache' | 'clock' | 'box' | 'log'>;

export type SignInResult = BrowserResult & { setCookies: string[] };

interface TxView {
  appLabel?: string | undefined;
  redirectSources: string[];
  loginHint?: string | undefined;
}

async function describe(c: Deps, tx: AuthorizeTransaction | undefined): Promise<TxView> {
  if (!tx) return { redirectSources: [] };
  const clientId = paramOf(tx, 'client_id');
  const app = clientId ? (await c.cache.client(clientId))?.app : undefined;
  const redirectUri = paramOf(tx, 'redirect_uri');
  const registered = redirectUri !== undefined && app !== undefined
    && isRegisteredRedirectUri(app, app.body.settings.oauthClient.redirect_uris ?? [], redirectUri);
  const source = registered ? cspSourceFor(redirectUri) : undefined;
  return { appLabel: app?.body.label, redirectSources: source ? [source] : [], loginHint: paramOf(tx, 'login_hint') };
}

const page = (p: HtmlPage, setCookies: string[] = []): SignInResult => ({ kind: 'page', page: p, setCookies });

export async function showSignIn(c: Deps, input: { tx: unknown; csrfCookie: string | undefined }): Promise<SignInResult> {
  const tx = input.tx === undefined ? undefined : openTransaction(c, input.tx);
  if (input.tx !== undefined && !tx) return page(errorPageFor(OAuthError.of('request_expired')));
  const csrf = input.csrfCookie ?? newCsrfToken();
  const setCookies = input.csrfCookie ? [] : [csrfCookie(csrf, c.config.secureCookies)];
  const view = await describe(c, tx);
  const username = view.loginHint !== undefined && view.loginHint.length <= 256 ? view.loginHint : undefined;
  return page(renderSignInPage({
    csrf, tx: tx ? (input.tx as string) : undefined, username, appLabel: view.appLabel, redirectSources: view.redirectSources,
  }), setCookies);
}

export interface SignInSubmission {
  form: Record<string, unknown>;
  csrfCookie: string | undefined;
  sessionCookie: string | undefined;
  /** The Origin header, if the browser sent one. */
  origin: string | undefined;
  /** The origin the request arrived on. */
  requestOrigin: string;
  /** The HTTP request, for the System Log. */
  request?: RequestInfo | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export async function submitSignIn(c: Deps, input: SignInSubmission): Promise<SignInResult> {
  const { form } = input;
  const trustedOrigins = [new URL(c.config.orgUrl).origin, input.requestOrigin];
  if (!csrfTokenMatches(input.csrfCookie, form.csrf) || !originAllowed(input.origin, trustedOrigins)) {
    return page(errorPageFor(new OAuthError(403, 'invalid_request', 'The sign-in form could not be verified. Reload the page and try again.')));
  }
  const txValue = str(form.tx);
  const tx = txValue === undefined || txValue === '' ? undefined : openTransaction(c, txValue);
  if (txValue && !tx) return page(errorPageFor(OAuthError.of('request_expired')));

  const username = str(form.username)?.trim() ?? '';
  const result = await passwordSignIn(c, username, str(form.password) ?? '', 'hosted_sign_in', input.request);
  if (result.kind !== 'success') {
    const view = await describe(c, tx);
    return page(renderSignInPage({
      csrf: input.csrfCookie!, tx: tx ? txValue : undefined, username: username.slice(0, 256), appLabel: view.appLabel,
      redirectSources: view.redirectSources, failed: true, status: 401,
    }));
  }

  const created = await createSession(c, {
    userId: result.user.id, authTime: c.clock.now(), amr: ['pwd'], replaces: input.sessionCookie,
  });
  const setCookies = [sessionCookie(created.cookieValue, c.config.secureCookies)];
  if (!tx) return page(renderSignedInPage(), setCookies);
  return { kind: 'redirect', status: 303, location: `${authorizePath(tx.serverId)}?tx=${encodeURIComponent(txValue!)}`, setCookies };
}
