/**
 * Okta's `okta_post_message` response mode: a page loaded in a hidden iframe (or popup) that hands
 * the authorization response to the app with `postMessage`, addressed to the redirect URI's origin
 * only. It is the one page that may be framed, and only by that origin.
 */
import { escapeHtml, layout, scriptJson, scriptNonce, securityHeaders, type HtmlPage } from './html.js';

export function renderPostMessagePage(targetOrigin: string, params: Record<string, string>): HtmlPage {
  const nonce = scriptNonce();
  const script = `(function () {
  var data = ${scriptJson(params)};
  var origin = ${scriptJson(targetOrigin)};
  var target = window.parent !== window ? window.parent : window.opener;
  if (target) target.postMessage(data, origin);
})();`;
  const content = `<h1>Signing in…</h1>
<p class="muted">This window returns the result to ${escapeHtml(targetOrigin)}.</p>
<script nonce="${nonce}">${script}</script>`;
  return {
    status: 200,
    headers: securityHeaders({ scriptNonce: nonce, frameAncestors: [targetOrigin] }),
    body: layout('Signing in', content),
  };
}
