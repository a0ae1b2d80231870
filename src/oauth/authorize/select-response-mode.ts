/**
 * Picks how the response (including an error about the request itself) travels back: the requested
 * `response_mode` when it is one we support and can carry the response, else the default for the
 * response type: `query` for a code, `fragment` as soon as tokens are returned (OAuth 2.0 Multiple
 * Response Types §5). Never fails; check-response-mode reports what was wrong.
 */
import type { AuthorizeStep, ResponseMode } from './context.js';

export const RESPONSE_MODES: readonly ResponseMode[] = ['query', 'fragment', 'form_post', 'okta_post_message'];

export function requestsTokens(rawResponseType: string | undefined): boolean {
  const words = (rawResponseType ?? '').split(' ');
  return words.includes('token') || words.includes('id_token');
}

export const selectResponseMode: AuthorizeStep = (ctx) => {
  const requested = ctx.params.get('response_mode');
  const tokens = requestsTokens(ctx.params.get('response_type'));
  const known = RESPONSE_MODES.find((m) => m === requested);
  ctx.responseMode = known && !(known === 'query' && tokens) ? known : tokens ? 'fragment' : 'query';
};
