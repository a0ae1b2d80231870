/**
 * The hosted sign-in page. The form posts back to itself with the anti-CSRF token and the sealed
 * authorize transaction; `form-action` also admits the app's redirect origin, because browsers
 * apply it to the redirects that follow the POST (login → /authorize → redirect_uri).
 */
import { escapeHtml, layout, securityHeaders, type HtmlPage } from './html.js';

export const SIGN_IN_PATH = '/login/login.htm';

export interface SignInPageInput {
  csrf: string;
  /** The sealed authorize transaction, when the sign-in serves an /authorize request. */
  tx?: string | undefined;
  username?: string | undefined;
  /** Name of the app the user is signing in to. */
  appLabel?: string | undefined;
  /** CSP sources of the redirects that may follow a successful sign-in. */
  redirectSources?: string[] | undefined;
  failed?: boolean | undefined;
  status?: number | undefined;
}

export function renderSignInPage(input: SignInPageInput): HtmlPage {
  const heading = input.appLabel ? `Sign in to ${input.appLabel}` : 'Sign in';
  const alert = input.failed
    ? '<p class="error" role="alert" id="signin-error">Unable to sign in</p>\n'
    : '';
  const describedBy = input.failed ? ' aria-describedby="signin-error" aria-invalid="true"' : '';
  const tx = input.tx ? `<input type="hidden" name="tx" value="${escapeHtml(input.tx)}">\n` : '';
  const content = `<h1>${escapeHtml(heading)}</h1>
${alert}<form method="post" action="${SIGN_IN_PATH}" novalidate>
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
${tx}<label for="username">Username</label>
<input type="text" id="username" name="username" value="${escapeHtml(input.username ?? '')}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus${describedBy}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${describedBy}>
<button type="submit">Sign in</button>
</form>`;
  return {
    status: input.status ?? 200,
    headers: securityHeaders({ formAction: input.redirectSources }),
    body: layout(heading, content),
  };
}
