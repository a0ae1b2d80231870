/**
 * Issues what the response type asks for: an authorization code (carrying the nonce, the PKCE
 * challenge and the policy lifetimes to the token endpoint), an access token, an ID token. The ID
 * token is thin when an access token comes with it, fat otherwise, and binds the code (c_hash) and
 * the access token (at_hash) it travels with (OIDC Core §3.3.2.11). Custom claims: RESOURCE ones in
 * the access token, IDENTITY ones in the ID token (less those not always included when an access
 * token comes with it). The ID token's `iss` follows the app's issuer_mode, and a code carries it to
 * the token endpoint.
 */
import { ID_PREFIX, newId } from '../../crypto/ids.js';
import { createAuthorizationCode } from '../authorization-code.js';
import { claimApp, customClaims, type ClaimSubject } from '../claims/custom-claims.js';
import { idTokenIssuerFor } from '../server-context.js';
import { orgId } from '../token/issue-tokens.js';
import { mintAccessToken, mintIdToken } from '../tokens/mint.js';
import { need, type AuthorizeStep } from './context.js';

export const issueResponse: AuthorizeStep = async (ctx, c) => {
  const server = need(ctx.server, 'server');
  const client = need(ctx.client, 'client');
  const { session, user } = need(ctx.session, 'session');
  const grantId = newId(ID_PREFIX.grant);
  const out: Record<string, string> = {};
  const idTokenIssuer = idTokenIssuerFor(c, server, client, ctx.input.origin);
  const subject: ClaimSubject = { app: claimApp(client), scopes: ctx.scopes, user, groups: need(ctx.access, 'assignment').groups };

  let code: string | undefined;
  if (ctx.responseTypes.has('code')) {
    code = await createAuthorizationCode(c, {
      serverId: server.id,
      clientId: client.clientId,
      redirectUri: need(ctx.redirectUri, 'redirect_uri'),
      scopes: ctx.scopes,
      userId: user.id,
      authTime: session.authTime,
      amr: session.amr,
      sessionId: session.id,
      nonce: ctx.nonce,
      codeChallenge: ctx.codeChallenge,
      codeChallengeMethod: ctx.codeChallengeMethod,
      grantId,
      lifetimes: need(ctx.decisions.get('authorization_code'), 'policy decision').lifetimes,
      // Custom servers speak with their own issuer at the token endpoint; the org server per app.
      idTokenIssuer: server.isOrg ? idTokenIssuer : undefined,
    });
    out.code = code;
  }

  let accessToken: string | undefined;
  if (ctx.responseTypes.has('token')) {
    const lifetimes = need(ctx.decisions.get('implicit'), 'policy decision').lifetimes;
    const minted = await mintAccessToken(c, {
      server, clientId: client.clientId, scopes: ctx.scopes, lifetimeSeconds: lifetimes.accessTokenSeconds,
      user, authTime: session.authTime, grantId, extra: customClaims(server, 'access_token', subject),
    });
    accessToken = minted.token;
    out.access_token = minted.token;
    out.token_type = 'Bearer';
    out.expires_in = String(minted.expiresIn);
    out.scope = ctx.scopes.join(' ');
  }

  if (ctx.responseTypes.has('id_token')) {
    out.id_token = await mintIdToken(c, {
      server,
      issuer: idTokenIssuer,
      clientId: client.clientId,
      user,
      scopes: ctx.scopes,
      authTime: session.authTime,
      amr: session.amr,
      orgId: await orgId(c),
      nonce: ctx.nonce,
      accessToken,
      code,
      thin: accessToken !== undefined,
      extra: customClaims(server, 'id_token', subject, accessToken !== undefined),
    });
  }
  return { kind: 'success', params: out };
};
