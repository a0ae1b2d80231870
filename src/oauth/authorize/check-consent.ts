/**
 * Consent (../consent/consent.ts has Okta's truth table). Runs once the user, the assignment and the
 * access policy are settled. A request resumed from the consent page carries the user's answer:
 * Deny is `access_denied` to the client; Allow records a grant per listed scope. Whatever still lacks
 * consent is asked on the consent page, or with prompt=none refused with `consent_required`.
 */
import { OAuthError } from '../../errors/oauth-error.js';
import { consentCandidates, rememberConsent, rememberedScopes } from '../consent/consent.js';
import { need, type AuthorizeStep } from './context.js';

export const checkConsent: AuthorizeStep = async (ctx, c) => {
  const server = need(ctx.server, 'server');
  const client = need(ctx.client, 'client');
  const { user } = need(ctx.session, 'session');
  const candidates = consentCandidates(server, client, ctx.scopes, ctx.prompt);
  if (candidates.length === 0) return;

  // An answer counts only for the user it was asked of.
  const answer = ctx.input.consent?.userId === user.id ? ctx.input.consent : undefined;
  if (answer?.decision === 'deny') throw OAuthError.of('access_denied');
  const given = new Set(answer?.scopes ?? []);
  const consented = candidates.filter((s) => given.has(s));
  if (consented.length > 0) {
    await rememberConsent(c, { userId: user.id, clientId: client.clientId, authServerId: server.id, scopes: consented });
  }

  let needed = candidates.filter((s) => !given.has(s));
  // prompt=consent asks again whatever was granted before; otherwise remembered grants count.
  if (needed.length > 0 && !ctx.prompt.has('consent')) {
    const remembered = await rememberedScopes(c, user.id, client.clientId, server.id);
    needed = needed.filter((s) => !remembered.has(s));
  }
  if (needed.length === 0) return;
  if (ctx.prompt.has('none')) throw OAuthError.of('consent_required', needed.join(', '));
  return { kind: 'consent', scopes: needed };
};
