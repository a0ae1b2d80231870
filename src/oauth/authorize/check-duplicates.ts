/** RFC 6749 §3.1: a parameter included more than once makes the request invalid. */
import { OAuthError, invalidRequest } from '../../errors/oauth-error.js';
import type { AuthorizeStep } from './context.js';

export const checkDuplicates: AuthorizeStep = (ctx) => {
  if (ctx.params.duplicates.size > 0) throw OAuthError.of('duplicate_oauth_params');
  const [tooLong] = ctx.params.oversized;
  if (tooLong !== undefined) throw invalidRequest(`The '${tooLong}' parameter is too long.`);
};
