/**
 * POST /v1/revoke (RFC 7009). The client authenticates as at the token endpoint, a public client also
 * with okta-auth-js's `Authorization: Basic base64(client_id)`. "A client may only revoke its own
 * tokens": another client's token is left alone, and the answer is 200 for that, for unknown and for
 * already-revoked tokens alike (RFC 7009 §2.2).
 *
 * A refresh token takes its whole grant with it, the access tokens of the grant included (RFC 7009
 * §2.1); an access token is revoked by its `jti` until it would have expired anyway. Every
 * authenticated request is logged (app.oauth2.as.token.revoke, with what it revoked).
 */
import type { Container } from '../../container.js';
import { sha256 } from '../../crypto/ids.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { auditRevoke } from '../audit.js';
import { authenticateClient, CLIENT_AUTH_PARAMS } from '../client-auth/authenticate-client.js';
import { NO_STORE, readForm, type ProtocolRequest, type ProtocolResponse } from '../client-auth/request.js';
import { resolveServer } from '../server-context.js';
import { revokeGrant } from '../token/issue-tokens.js';
import { looksLikeJwt, verifyAccessToken } from './introspect.js';

const PARAMS: ReadonlySet<string> = new Set(['token', 'token_type_hint', ...CLIENT_AUTH_PARAMS]);

export async function revokeEndpoint(c: Container, req: ProtocolRequest): Promise<ProtocolResponse> {
  const server = await resolveServer(c, req.authServerId, req.origin);
  const params = readForm(req, PARAMS);
  const client = await authenticateClient(c, server, req, params, { endpointUrl: `${server.endpointBase}/v1/revoke` });
  const token = params.token;
  if (token === undefined || token === '') throw OAuthError.of('request_missing_token');

  let revoked: 'access_token' | 'refresh_token' | undefined;
  if (looksLikeJwt(token)) {
    const claims = await verifyAccessToken(c, server, token);
    if (claims && claims.cid === client.clientId) {
      await c.store.revocations.add(`jti:${claims.jti}`, claims.exp * 1000);
      revoked = 'access_token';
    }
  } else if (token.length <= 512) {
    const id = sha256(token);
    const record = await c.store.refreshTokens.get(id);
    if (record && record.clientId === client.clientId && record.authServerId === server.id && record.revokedAt === null) {
      await c.store.refreshTokens.revoke(id, c.clock.now());
      await revokeGrant(c, record.grantId);
      revoked = 'refresh_token';
    }
  }
  auditRevoke(c, { app: client.app, server, tokenTypeHint: params.token_type_hint, revoked, request: req.request });
  return { status: 200, headers: { ...NO_STORE }, body: undefined };
}
