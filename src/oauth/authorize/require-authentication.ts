/**
 * Decides whether the user must (re-)authenticate: no session; prompt=login; a session older than
 * max_age (0 = always); or a session of another user than the id_token_hint names. Authentication
 * that happened for this very request satisfies all of these. With prompt=none the answer is
 * login_required instead of a sign-in page.
 */
import { OAuthError } from '../../errors/oauth-error.js';
import type { AuthorizeStep } from './context.js';

export const requireAuthentication: AuthorizeStep = (ctx, c) => {
  const current = ctx.session;
  let needed = !current;
  if (current && !ctx.freshAuthentication) {
    const age = c.clock.now() - current.session.authTime;
    needed = ctx.prompt.has('login')
      || (ctx.maxAge !== undefined && (ctx.maxAge === 0 || age > ctx.maxAge * 1000))
      || (ctx.hintSubject !== undefined && ctx.hintSubject !== current.user.id);
  }
  if (!needed) return;
  if (ctx.prompt.has('none')) throw OAuthError.of('login_required');
  return { kind: 'interaction' };
};
