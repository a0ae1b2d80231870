/** The org session from the `sid` cookie (live, its user ACTIVE), unless a sessionToken just made one. */
import { findSession, touchSession } from '../sessions/sessions.js';
import type { AuthorizeStep } from './context.js';

export const loadSession: AuthorizeStep = async (ctx, c) => {
  if (ctx.session) return;
  const found = await findSession(c, ctx.input.sessionCookie);
  if (!found) return;
  ctx.session = { ...found, session: await touchSession(c, found.session) };
  const startedAt = ctx.input.startedAt;
  if (startedAt !== undefined && found.session.authTime >= startedAt) ctx.freshAuthentication = true;
};
