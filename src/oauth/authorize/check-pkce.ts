/**
 * PKCE (RFC 7636) for requests that return a code: S256 only (a missing method means `plain`, which
 * is refused: RFC 9700 §2.1.1, ASVS 10.4.6); the challenge is a base64url SHA-256, 43 characters.
 * Required when the app says so and for public clients (token_endpoint_auth_method `none`).
 */
import { OAuthError } from '../../errors/oauth-error.js';
import { need, type AuthorizeStep } from './context.js';

const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export const checkPkce: AuthorizeStep = (ctx) => {
  if (!ctx.responseTypes.has('code')) return;
  const credentials = need(ctx.client, 'client').body.credentials.oauthClient;
  const required = credentials.pkce_required === true || credentials.token_endpoint_auth_method === 'none';
  const challenge = ctx.params.get('code_challenge');
  const method = ctx.params.get('code_challenge_method');
  if (challenge === undefined) {
    if (required) throw OAuthError.of('pkce_missing_challenge');
    return;
  }
  if (method !== 'S256') throw OAuthError.of('pkce_unsupported_code_challenge_method', 'S256');
  if (!S256_CHALLENGE.test(challenge)) throw OAuthError.of('pkce_invalid_challenge');
  ctx.codeChallenge = challenge;
  ctx.codeChallengeMethod = method;
};
