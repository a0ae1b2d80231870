/** Okta requires a `nonce` whenever /authorize itself returns an ID token or an access token. */
import { OAuthError } from '../../errors/oauth-error.js';
import type { AuthorizeStep } from './context.js';

export const checkNonce: AuthorizeStep = (ctx) => {
  const nonce = ctx.params.get('nonce');
  if (nonce === undefined && ctx.returnsTokens()) throw OAuthError.of('invalid_nonce');
  ctx.nonce = nonce;
};
