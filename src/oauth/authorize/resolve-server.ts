/** Which authorization server the request addresses; an unknown or inactive one is an error page. */
import { resolveServer } from '../server-context.js';
import type { AuthorizeStep } from './context.js';

export const resolveAuthServer: AuthorizeStep = async (ctx, c) => {
  ctx.server = await resolveServer(c, ctx.input.authServerId, ctx.input.origin);
};
