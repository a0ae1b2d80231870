/**
 * Request objects (`request`, `request_uri`; OIDC Core §6) are not supported: say so rather than
 * silently ignore parameters the client believes it sent (OIDC Core §6.1, §6.2).
 */
import { OAuthError } from '../../errors/oauth-error.js';
import type { AuthorizeStep } from './context.js';

export const checkRequestObject: AuthorizeStep = (ctx) => {
  if (ctx.params.get('request') !== undefined) throw OAuthError.of('request_not_supported');
  if (ctx.params.get('request_uri') !== undefined) throw OAuthError.of('request_uri_not_supported');
};
