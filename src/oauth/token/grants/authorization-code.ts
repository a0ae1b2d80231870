/**
 * grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636, RFC 9700 §2.1.1, §4.5, §4.8).
 *
 * The code is consumed first, in one conditional UPDATE, so of concurrent redemptions exactly one
 * proceeds. A second redemption revokes everything the first issued (RFC 6749 §4.1.2, ASVS 10.4.2).
 * The code is bound to the server, the client, the redirect URI and its PKCE challenge; the access
 * policy was evaluated at /authorize, so the lifetimes come from the code.
 */
import { createHash } from 'node:crypto';
import { safeEqual } from '../../../crypto/compare.js';
import { OAuthError } from '../../../errors/oauth-error.js';
import { assertUserMayUseApp } from '../../assignment.js';
import { auditReuse } from '../../audit.js';
import { consumeAuthorizationCode, type AuthorizationCodePayload } from '../../authorization-code.js';
import { createRefreshToken, issueUserTokens, revokeGrant } from '../issue-tokens.js';
import type { GrantContext, GrantHandler } from '../token-endpoint.js';

// RFC 7636 §4.1: code-verifier = 43*128unreserved
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

function checkPkce(ctx: GrantContext, code: AuthorizationCodePayload, verifier: string | undefined): void {
  if (code.codeChallenge === undefined) {
    // RFC 9700 §4.8.2: a verifier without a challenge is a PKCE downgrade attempt.
    if (verifier !== undefined) throw OAuthError.of('pkce_missing_challenge_verifier_present');
    if (ctx.client.isPublic || ctx.client.app.body.credentials.oauthClient.pkce_required) throw OAuthError.of('pkce_missing_challenge');
    return;
  }
  if (verifier === undefined || verifier === '') throw OAuthError.of('pkce_missing_verifier');
  if (code.codeChallengeMethod !== 'S256' || !VERIFIER.test(verifier)) throw OAuthError.of('pkce_verification_failed');
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  if (!safeEqual(computed, code.codeChallenge)) throw OAuthError.of('pkce_verification_failed');
}

async function handle(ctx: GrantContext) {
  const { c, server, client, params } = ctx;
  const codeValue = params.code;
  if (codeValue === undefined || codeValue === '') throw OAuthError.of('missing_token_request_parameter', 'code');
  if (params.redirect_uri === undefined || params.redirect_uri === '') throw OAuthError.of('missing_token_request_parameter', 'redirect_uri');
  if (codeValue.length > 512) throw OAuthError.of('invalid_authorization_code');

  const consumed = await consumeAuthorizationCode(c, codeValue);
  if (consumed.status === 'reused') {
    await revokeGrant(c, consumed.payload.grantId);
    auditReuse(c, { app: client.app, userId: consumed.payload.userId, grantId: consumed.payload.grantId, artifact: 'authorization_code', request: ctx.request });
    throw OAuthError.of('invalid_authorization_code');
  }
  if (consumed.status !== 'ok') throw OAuthError.of('invalid_authorization_code');
  const code = consumed.payload;

  if (code.serverId !== server.id) throw OAuthError.of('mismatched_authorization_server');
  if (code.clientId !== client.clientId) throw OAuthError.of('mismatched_client');
  if (params.redirect_uri !== code.redirectUri) throw OAuthError.of('mismatched_redirect_uri');
  checkPkce(ctx, code, params.code_verifier);

  // Both need only the user id: read together, one round trip fewer on PostgreSQL.
  const [user, userGroups] = await Promise.all([c.store.users.get(code.userId), c.store.groups.groupRefsOfUser(code.userId)]);
  if (!user || user.status !== 'ACTIVE') throw OAuthError.of('invalid_authorization_code');
  const { groups } = await assertUserMayUseApp(c, client.app, user, userGroups);

  let refreshToken: string | undefined;
  if (code.scopes.includes('offline_access') && client.grantTypes.includes('refresh_token')) {
    const { lifetimes } = code;
    refreshToken = await createRefreshToken(c, {
      grantId: code.grantId,
      clientId: client.clientId,
      userId: user.id,
      authServerId: server.id,
      payload: {
        scopes: code.scopes,
        authTime: code.authTime,
        amr: code.amr,
        ...(code.sessionId !== undefined ? { sessionId: code.sessionId } : {}),
        accessTokenLifetimeSeconds: lifetimes.accessTokenSeconds,
        refreshTokenWindowSeconds: lifetimes.refreshWindowSeconds,
        idTokenIssuer: code.idTokenIssuer,
      },
      expiresAt: lifetimes.refreshTokenSeconds === null ? null : c.clock.now() + lifetimes.refreshTokenSeconds * 1000,
      windowSeconds: lifetimes.refreshWindowSeconds,
    });
  }
  return issueUserTokens(c, {
    server,
    client,
    user,
    groups,
    scopes: code.scopes,
    authTime: code.authTime,
    amr: code.amr,
    grantId: code.grantId,
    accessTokenSeconds: code.lifetimes.accessTokenSeconds,
    nonce: code.nonce,
    idTokenIssuer: code.idTokenIssuer,
    refreshToken,
  });
}

export const authorizationCodeGrant: GrantHandler = {
  grantType: 'authorization_code',
  parameters: ['code', 'redirect_uri', 'code_verifier'],
  handle,
};
