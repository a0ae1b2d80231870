/**
 * The error page of the browser endpoints (/authorize, /logout, sign-in): shown instead of a
 * redirect whenever the client or its redirect URI can't be trusted (RFC 6749 §4.1.2.1), and for any
 * other failure a browser lands on. Names Okta's error code and description; never a stack trace.
 */
import { OAuthError } from '../errors/oauth-error.js';
import { escapeHtml, layout, securityHeaders, type HtmlPage } from './html.js';

export interface ErrorPageInput {
  error: string;
  description: string;
  /** HTTP status; 400 unless the error is a server error. */
  status?: number | undefined;
}

export function renderErrorPage(input: ErrorPageInput): HtmlPage {
  const status = input.status ?? 400;
  const content = `<h1>Something went wrong</h1>
<p>The request could not be completed. If you followed a link from an application, go back to it and try again.</p>
<div class="error" role="alert">
<p><strong>Error code:</strong> <span class="code">${escapeHtml(input.error)}</span></p>
<p><strong>Description:</strong> ${escapeHtml(input.description)}</p>
</div>`;
  return { status, headers: securityHeaders(), body: layout('Error', content) };
}

/** The page for an OAuthError (or anything else, shown as Okta's generic server_error). */
export function errorPageFor(err: unknown): HtmlPage {
  const e = err instanceof OAuthError ? err : OAuthError.of('server_error');
  return renderErrorPage({ error: e.error, description: e.description, status: e.status >= 500 ? 500 : e.status === 403 ? 403 : 400 });
}
