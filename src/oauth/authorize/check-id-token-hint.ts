/** id_token_hint: must be an ID token this server issued to this client; its `sub` is the expected user. */
import { OAuthError } from '../../errors/oauth-error.js';
import { need, type AuthorizeStep } from './context.js';
import { verifyIdTokenHint } from './id-token-hint.js';

export const checkIdTokenHint: AuthorizeStep = async (ctx, c) => {
  const hint = ctx.params.get('id_token_hint');
  if (hint === undefined) return;
  const verified = await verifyIdTokenHint(c, need(ctx.server, 'server'), hint, ctx.input.origin);
  if (!verified.audience.includes(need(ctx.client, 'client').clientId)) throw OAuthError.of('eam_id_token_hint_invalid_audience');
  ctx.hintSubject = verified.sub;
};
