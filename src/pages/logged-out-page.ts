/** Plain notice pages: "signed out" after /logout without a (trusted) redirect, "signed in" after a bare sign-in. */
import { escapeHtml, layout, securityHeaders, type HtmlPage } from './html.js';

function notice(title: string, message: string): HtmlPage {
  return {
    status: 200,
    headers: securityHeaders(),
    body: layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`),
  };
}

export function renderLoggedOutPage(): HtmlPage {
  return notice('Signed out', 'You have been signed out. You can close this window.');
}

export function renderSignedInPage(): HtmlPage {
  return notice('Signed in', 'You are signed in. Return to the application you came from to continue.');
}
