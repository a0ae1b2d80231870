/**
 * Picks how the response (including an error about the request itself) travels back: the requested
 * `response_mode` when it is one we support and can carry the response, else the default for the
 * response type: `query` for a code, `fragment` as soon as tokens are returned (OAuth 2.0 Multiple
 * Response Types §5). Never fails; check-response-mode reports what was wrong.
 */
import { need, type AuthorizeStep, type ResponseMode } from './context.js';

export const RESPONSE_MODES: readonly ResponseMode[] = ['query', 'fragment', 'form_post', 'okta_post_message'];

export function requestsTokens(rawResponseType: string | undefined): boolean {
  const words = (rawResponseType ?? '').split(' ');
  return words.includes('token') || words.includes('id_token');
}

/** okta_post_message addresses the message to the redirect URI's origin: it needs a web URI. */
export function webRedirectUri(uri: string): boolean {
  return /^https?:\/\//i.test(uri);
}

export const selectResponseMode: AuthorizeStep = (ctx) => {
  const requested = ctx.params.get('response_mode');
  const tokens = requestsTokens(ctx.params.get('response_type'));
  const known = RESPONSE_MODES.find((m) => m === requested);
  const usable = known !== undefined
    && !(known === 'query' && tokens)
    && !(known === 'okta_post_message' && !webRedirectUri(need(ctx.redirectUri, 'redirect_uri')));
  ctx.responseMode = usable ? known : tokens ? 'fragment' : 'query';
};
