/**
 * GET/POST /v1/userinfo (OIDC Core §5.3). The access token comes in `Authorization: Bearer` or, on
 * POST, as the form parameter `access_token` (RFC 6750 §2.2), never in the query (RFC 9700 §4.3.2).
 * The token must be valid at this server, carry `openid` and belong to a user who is still ACTIVE.
 * `sub` is the user id, equal to the ID token's `sub` (okta-auth-js compares them). The server's
 * IDENTITY claims whose scope conditions the token meets are added (those left out of ID tokens by
 * `alwaysIncludeInToken: false` included); the user's groups are read only when such claims exist.
 */
import type { Container } from '../../container.js';
import { OAuthError, invalidRequest } from '../../errors/oauth-error.js';
import { header, NO_STORE, queryParam, readForm, type ProtocolRequest, type ProtocolResponse } from '../client-auth/request.js';
import { applicableClaims, claimApp, evaluateClaims } from '../claims/custom-claims.js';
import { resolveServer } from '../server-context.js';
import { userClaims } from '../tokens/user-claims.js';
import { verifyAccessToken } from './introspect.js';

const invalidToken = (): OAuthError => OAuthError.of('access_token_invalid').withHeaders({
  'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The access token is invalid"',
});

const insufficientScope = (): OAuthError => OAuthError.of('access_token_insufficient_scopes').withHeaders({
  'WWW-Authenticate': 'Bearer error="insufficient_scope", error_description="The access token must provide access to at least one of these scopes - openid"',
});

const FORM: ReadonlySet<string> = new Set(['access_token']);

function bearerToken(req: ProtocolRequest): string | undefined {
  const auth = header(req, 'authorization');
  if (auth === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!match) throw invalidToken();
  return match[1];
}

export async function userinfoEndpoint(c: Container, req: ProtocolRequest, method: 'GET' | 'POST'): Promise<ProtocolResponse> {
  const server = await resolveServer(c, req.authServerId, req.origin);
  if (queryParam(req, 'access_token') !== undefined) throw invalidRequest('The access token must not be sent in the query string.');
  const fromHeader = bearerToken(req);
  const fromBody = method === 'POST' ? readForm(req, FORM).access_token : undefined;
  if (fromHeader !== undefined && fromBody !== undefined) throw OAuthError.of('access_token_duplicate');
  const token = fromHeader ?? fromBody;
  if (token === undefined || token === '') throw invalidToken();

  const claims = await verifyAccessToken(c, server, token);
  if (!claims) throw invalidToken();
  if (!claims.scp.includes('openid')) throw insufficientScope();
  if (claims.uid === undefined) throw invalidToken();
  const user = await c.store.users.get(claims.uid);
  if (!user || user.status !== 'ACTIVE') throw invalidToken();
  const body: Record<string, unknown> = { sub: user.id, ...userClaims(user, claims.scp) };
  const custom = applicableClaims(server, 'userinfo', claims.scp);
  if (custom.length > 0) {
    const app = (await c.cache.client(claims.cid))?.app;
    const groups = await c.store.groups.groupRefsOfUser(user.id);
    const subject = { app: app ? claimApp(app) : { id: '', clientId: claims.cid, label: '' }, scopes: claims.scp, user, groups };
    for (const [name, value] of Object.entries(evaluateClaims(custom, subject))) if (!Object.hasOwn(body, name)) body[name] = value;
  }
  return { status: 200, headers: { ...NO_STORE }, body };
}
