/**
 * Scopes: resolved against the server (defaults when none are named on a custom server, unknown ones
 * refused). An ID token needs `openid`, and so do the OIDC profile scopes (Okta's
 * openid_scope_required).
 */
import { OAuthError } from '../../errors/oauth-error.js';
import { resolveScopes } from '../scopes.js';
import { need, type AuthorizeStep } from './context.js';

const OIDC_SCOPES = ['profile', 'email', 'address', 'phone'];

export const checkScope: AuthorizeStep = (ctx) => {
  const scopes = resolveScopes(need(ctx.server, 'server'), ctx.params.get('scope'));
  const openid = scopes.includes('openid');
  if (!openid && (ctx.responseTypes.has('id_token') || scopes.some((s) => OIDC_SCOPES.includes(s)))) {
    throw OAuthError.of('openid_scope_required');
  }
  ctx.scopes = scopes;
};
