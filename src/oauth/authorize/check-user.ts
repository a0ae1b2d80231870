/** The signed-in user must be assigned to the app, directly or through a group (Everyone included). */
import { assertUserMayUseApp } from '../assignment.js';
import { need, type AuthorizeStep } from './context.js';

export const checkUser: AuthorizeStep = async (ctx, c) => {
  const { user } = need(ctx.session, 'session');
  ctx.access = await assertUserMayUseApp(c, need(ctx.client, 'client'), user);
};
