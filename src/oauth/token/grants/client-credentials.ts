/**
 * grant_type=client_credentials (RFC 6749 §4.4): a service's own token, custom servers only. Scopes
 * default to the server's default scopes; OpenID scopes make no sense without a user and scopes that
 * require consent cannot be granted (FLEXIBLE ones are granted: there is no user to ask). The token's
 * `sub` is the client_id and it carries no `uid`; custom RESOURCE claims are evaluated without a user.
 * Nothing is written: after warm-up the client, server and keys all come from memory.
 */
import { SYSTEM_SCOPES } from '../../../domain/defaults.js';
import { OAuthError } from '../../../errors/oauth-error.js';
import { claimApp, customClaims } from '../../claims/custom-claims.js';
import { evaluatePolicy } from '../../policy/evaluate-policy.js';
import { parseScopeParam, resolveScopes } from '../../scopes.js';
import { mintAccessToken } from '../../tokens/mint.js';
import type { TokenResponseBody } from '../issue-tokens.js';
import type { GrantContext, GrantHandler } from '../token-endpoint.js';

const OIDC_SCOPES = new Set(SYSTEM_SCOPES.map((s) => s.name));

async function handle(ctx: GrantContext): Promise<TokenResponseBody> {
  const { c, server, client, params } = ctx;
  if (server.isOrg) throw OAuthError.of('unsupported_grant_type_client_creds_org_as');
  if (client.isPublic) throw OAuthError.of('confidential_client_required');
  if (parseScopeParam(params.scope).some((s) => OIDC_SCOPES.has(s))) throw OAuthError.of('openid_not_allowed_client_creds');
  const scopes = resolveScopes(server, params.scope);
  if (scopes.some((s) => OIDC_SCOPES.has(s))) throw OAuthError.of('openid_not_allowed_client_creds');
  const needConsent = scopes.filter((name) => server.config?.scopes.find((s) => s.name === name)?.consent === 'REQUIRED');
  if (needConsent.length) throw OAuthError.of('consent_required_client_credentials', needConsent.join(', '));
  const { lifetimes } = evaluatePolicy(server, { clientId: client.clientId, grantType: 'client_credentials', scopes });
  const access = await mintAccessToken(c, {
    server,
    clientId: client.clientId,
    scopes,
    lifetimeSeconds: lifetimes.accessTokenSeconds,
    // No user: only app- and scope-based RESOURCE claims can have a value.
    extra: customClaims(server, 'access_token', { app: claimApp(client.app), scopes, groups: [] }),
  });
  return { token_type: 'Bearer', expires_in: access.expiresIn, access_token: access.token, scope: scopes.join(' ') };
}

export const clientCredentialsGrant: GrantHandler = {
  grantType: 'client_credentials',
  parameters: ['scope'],
  handle,
};
