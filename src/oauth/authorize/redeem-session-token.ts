/**
 * `sessionToken` (from /api/v1/authn): redeemed once, it establishes a new org session (new cookie,
 * the old one revoked) and counts as authentication for this request. An unusable token is ignored:
 * the request goes on as if it had none.
 */
import { sessionCookie } from '../sessions/session-cookie.js';
import { redeemSessionToken } from '../sessions/session-token.js';
import { createSession } from '../sessions/sessions.js';
import type { AuthorizeStep } from './context.js';

export const redeemSessionTokenStep: AuthorizeStep = async (ctx, c) => {
  const payload = await redeemSessionToken(c, ctx.params.get('sessionToken'));
  if (!payload) return;
  const user = await c.store.users.get(payload.userId);
  if (!user || user.status !== 'ACTIVE') return;
  const created = await createSession(c, {
    userId: user.id, authTime: payload.authTime, amr: payload.amr, replaces: ctx.input.sessionCookie,
  });
  ctx.setCookies.push(sessionCookie(created.cookieValue, c.config.secureCookies));
  ctx.session = { session: created.session, user };
  ctx.freshAuthentication = true;
};
