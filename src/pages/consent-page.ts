/**
 * The consent page: which app asks, and for each scope needing consent its display name and
 * description; Allow and Deny post back with the anti-CSRF token and the sealed authorize request.
 * `form-action` also admits the app's redirect origin, because browsers apply it to the redirect
 * that answers the POST (consent → redirect_uri). Never framed.
 */
import { escapeHtml, layout, securityHeaders, type HtmlPage } from './html.js';

export const CONSENT_PATH = '/login/consent';

export interface ConsentPageInput {
  csrf: string;
  /** The sealed authorize transaction (with the consent request). */
  tx: string;
  appLabel: string;
  /** Who is asked (their login), so a shared browser shows whose data it is. */
  userLogin: string;
  scopes: { name: string; displayName: string | null; description: string | null }[];
  /** CSP sources of the redirect that follows the answer. */
  redirectSources: string[];
}

export function renderConsentPage(input: ConsentPageInput): HtmlPage {
  const heading = `${input.appLabel} would like to access your account`;
  const items = input.scopes.map((s) => {
    const title = s.displayName && s.displayName !== '' ? s.displayName : s.name;
    const description = s.description ? `<br><span class="muted">${escapeHtml(s.description)}</span>` : '';
    return `<li data-scope="${escapeHtml(s.name)}"><strong>${escapeHtml(title)}</strong>${description}</li>`;
  }).join('\n');
  const content = `<h1>${escapeHtml(heading)}</h1>
<p>Signed in as <strong>${escapeHtml(input.userLogin)}</strong>. <strong>${escapeHtml(input.appLabel)}</strong> is asking for permission to:</p>
<ul>
${items}
</ul>
<form method="post" action="${CONSENT_PATH}">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<input type="hidden" name="tx" value="${escapeHtml(input.tx)}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`;
  return {
    status: 200,
    headers: securityHeaders({ formAction: input.redirectSources }),
    body: layout(heading, content),
  };
}
