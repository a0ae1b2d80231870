/**
 * response_mode: one of query, fragment, form_post, okta_post_message. `query` cannot carry tokens.
 * okta_post_message is allowed with a code as well (okta-auth-js renews PKCE codes that way) but
 * needs a web origin to address the message to.
 */
import { OAuthError } from '../../errors/oauth-error.js';
import { need, type AuthorizeStep } from './context.js';
import { RESPONSE_MODES, webRedirectUri } from './select-response-mode.js';

export const checkResponseMode: AuthorizeStep = (ctx) => {
  const requested = ctx.params.get('response_mode');
  if (requested === undefined) return;
  if (!RESPONSE_MODES.some((m) => m === requested)) throw OAuthError.of('unsupported_response_mode');
  if (requested === 'query' && ctx.returnsTokens()) throw OAuthError.of('unsupported_response_mode_query_with_tokens');
  if (requested === 'okta_post_message' && !webRedirectUri(need(ctx.redirectUri, 'redirect_uri'))) {
    throw OAuthError.of('unsupported_response_mode');
  }
};
