/**
 * OAuth 2.0 Form Post Response Mode: an auto-submitting form that POSTs the authorization response
 * to the redirect URI. `form-action` admits only the redirect target; the script runs by nonce.
 */
import { cspSourceFor, escapeHtml, layout, scriptNonce, securityHeaders, type HtmlPage } from './html.js';

export function renderFormPostPage(redirectUri: string, params: Record<string, string>): HtmlPage {
  const nonce = scriptNonce();
  const target = cspSourceFor(redirectUri);
  const inputs = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const content = `<h1>Signing in…</h1>
<form method="post" action="${escapeHtml(redirectUri)}">
${inputs}
<noscript><p>JavaScript is disabled. Select Continue to return to the application.</p><button type="submit">Continue</button></noscript>
</form>
<script nonce="${nonce}">document.forms[0].submit();</script>`;
  return {
    status: 200,
    headers: securityHeaders({ scriptNonce: nonce, formAction: target ? [target] : [] }),
    body: layout('Signing in', content),
  };
}
