/**
 * response_type: a non-empty set of `code`, `token`, `id_token` (any order, each once; OAuth 2.0
 * Multiple Response Types §3), each one the app allows (its response_types); anything else is
 * unsupported_response_type naming the configured types, as Okta answers an SPA asking for tokens
 * from a code-only app. The app must also hold the grant each implies (authorization_code for a
 * code, implicit for tokens from /authorize), else it is unauthorized_client.
 */
import { OAuthError, invalidRequest } from '../../errors/oauth-error.js';
import { need, type AuthorizeStep, type ResponseTypeValue } from './context.js';

const VALUES: readonly ResponseTypeValue[] = ['code', 'token', 'id_token'];

export const checkResponseType: AuthorizeStep = (ctx) => {
  const settings = need(ctx.client, 'client').body.settings.oauthClient;
  const configured = settings.response_types ?? [];
  const raw = ctx.params.get('response_type');
  if (raw === undefined) throw invalidRequest("The 'response_type' parameter is required.");
  const words = raw.split(' ');
  const types = new Set<ResponseTypeValue>();
  for (const w of words) {
    const v = VALUES.find((x) => x === w);
    if (!v || types.has(v) || !configured.includes(v)) throw OAuthError.of('unsupported_response_type', configured.join(', '));
    types.add(v);
  }
  const grants = settings.grant_types ?? [];
  const needsCode = types.has('code');
  const needsImplicit = types.has('token') || types.has('id_token');
  if ((needsCode && !grants.includes('authorization_code')) || (needsImplicit && !grants.includes('implicit'))) {
    throw OAuthError.of('unauthorized_client', grants.join(', '));
  }
  ctx.responseTypes = types;
};
