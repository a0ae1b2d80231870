/**
 * grant_type=refresh_token (RFC 6749 §6, RFC 9700 §4.14), with Okta's rotation settings from the
 * app's `settings.oauthClient.refresh_token`:
 *
 * - ROTATE: every use marks the token rotated (one conditional UPDATE, so of concurrent uses exactly
 *   one wins) and returns a new token of the same family, which inherits the absolute expiry. A
 *   rotated token presented again within `leeway` seconds still works (a client retrying after a lost
 *   response); after that it is a replay: the whole grant is revoked (System Log
 *   app.oauth2.as.token.detect_reuse).
 * - STATIC: the same token is returned and its idle window moves forward.
 *
 * Every dead token gets exactly Okta's `invalid_grant` "The refresh token is invalid or expired.",
 * the one body okta-auth-js treats as "drop the stored token". The access policy is evaluated again,
 * as the grant that started the family (authorization_code), and the user must still be ACTIVE and
 * assigned.
 */
import { sha256 } from '../../../crypto/ids.js';
import type { App, RefreshTokenRecord } from '../../../domain/model.js';
import { OAuthError } from '../../../errors/oauth-error.js';
import { assertUserMayUseApp } from '../../assignment.js';
import { auditReuse } from '../../audit.js';
import { evaluatePolicy } from '../../policy/evaluate-policy.js';
import { parseScopeParam } from '../../scopes.js';
import { createRefreshToken, issueUserTokens, revokeGrant, type RefreshPayload } from '../issue-tokens.js';
import type { GrantContext, GrantHandler } from '../token-endpoint.js';

export interface RotationSettings {
  rotate: boolean;
  leewayMs: number;
}

/** The app's rotation settings; Okta's defaults are ROTATE for SPAs, STATIC otherwise, leeway 30 s. */
export function rotationOf(app: App): RotationSettings {
  const settings = app.body.settings.oauthClient;
  const rt = settings.refresh_token;
  const rotate = rt?.rotation_type ? rt.rotation_type === 'ROTATE' : settings.application_type === 'browser';
  const leeway = typeof rt?.leeway === 'number' && rt.leeway >= 0 && rt.leeway <= 60 ? rt.leeway : 30;
  return { rotate, leewayMs: leeway * 1000 };
}

const dead = (): OAuthError => OAuthError.of('invalid_refresh_token');

/** Whether the token can still be used at `now`, ignoring rotation. */
export function isLive(record: RefreshTokenRecord, now: number): boolean {
  return record.revokedAt === null
    && (record.expiresAt === null || record.expiresAt > now)
    && (record.idleExpiresAt === null || record.idleExpiresAt > now);
}

async function handle(ctx: GrantContext) {
  const { c, server, client, params } = ctx;
  const value = params.refresh_token;
  if (value === undefined || value === '') throw OAuthError.of('missing_token_request_parameter', 'refresh_token');
  if (value.length > 512) throw dead();
  const now = c.clock.now();
  const id = sha256(value);
  const record = await c.store.refreshTokens.get(id);
  if (!record || record.authServerId !== server.id || record.clientId !== client.clientId || !isLive(record, now)) throw dead();

  const { rotate, leewayMs } = rotationOf(client.app);
  // A rotated token is only a grace-period retry; past the leeway it is a replay (RFC 9700 §4.14.2).
  // Another request's clock may be ahead of ours, hence the floor at 0: with leeway 0 any reuse is a replay.
  const replay = async (rotatedAt: number): Promise<void> => {
    if (Math.max(0, now - rotatedAt) < leewayMs) return;
    await revokeGrant(c, record.grantId);
    auditReuse(c, { app: client.app, userId: record.userId, grantId: record.grantId, artifact: 'refresh_token', request: ctx.request });
    throw dead();
  };
  if (record.rotatedAt !== null) await replay(record.rotatedAt);

  const original = record.payload as RefreshPayload;
  const requested = parseScopeParam(params.scope);
  const denied = requested.filter((s) => !original.scopes.includes(s));
  if (denied.length) throw OAuthError.of('refresh_scopes_denied', `[${denied.join(', ')}]`);
  const scopes = requested.length ? requested : original.scopes;

  // Both need only the user id: read together, one round trip fewer on PostgreSQL.
  const [user, userGroups] = await Promise.all([c.store.users.get(record.userId), c.store.groups.groupRefsOfUser(record.userId)]);
  if (!user || user.status !== 'ACTIVE') throw dead();
  const { groupIds, groups } = await assertUserMayUseApp(c, client.app, user, userGroups);
  const { lifetimes } = evaluatePolicy(server, {
    clientId: client.clientId,
    grantType: 'authorization_code',
    user: { id: user.id, groupIds },
    scopes,
  });

  let refreshToken = value;
  if (rotate || record.rotatedAt !== null) {
    if (record.rotatedAt === null && !(await c.store.refreshTokens.markRotated(id, now))) {
      // Another request rotated it first, or it died meanwhile.
      const current = await c.store.refreshTokens.get(id);
      if (!current || current.rotatedAt === null || !isLive(current, now)) throw dead();
      await replay(current.rotatedAt);
    }
    refreshToken = await createRefreshToken(c, {
      grantId: record.grantId,
      clientId: client.clientId,
      userId: user.id,
      authServerId: server.id,
      payload: { ...original, accessTokenLifetimeSeconds: lifetimes.accessTokenSeconds, refreshTokenWindowSeconds: lifetimes.refreshWindowSeconds },
      expiresAt: record.expiresAt,
      windowSeconds: lifetimes.refreshWindowSeconds,
    });
  } else if (lifetimes.refreshWindowSeconds !== null) {
    await c.store.refreshTokens.touch(id, now + lifetimes.refreshWindowSeconds * 1000);
  }

  return issueUserTokens(c, {
    server,
    client,
    user,
    groups,
    scopes,
    authTime: original.authTime,
    amr: original.amr,
    grantId: record.grantId,
    accessTokenSeconds: lifetimes.accessTokenSeconds,
    idTokenIssuer: original.idTokenIssuer,
    refreshToken,
  });
}

export const refreshTokenGrant: GrantHandler = {
  grantType: 'refresh_token',
  parameters: ['refresh_token', 'scope'],
  handle,
};
