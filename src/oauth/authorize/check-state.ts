/** `state` is required, as Okta requires it (CSRF protection for the client); it is echoed back. */
import { OAuthError } from '../../errors/oauth-error.js';
import type { AuthorizeStep } from './context.js';

const MAX_STATE = 2048;

export const checkState: AuthorizeStep = (ctx) => {
  const state = ctx.params.get('state');
  if (state === undefined || state.length > MAX_STATE) throw OAuthError.of('invalid_state');
  ctx.state = state;
};
