/**
 * Access policy: a code is evaluated as the authorization_code grant, tokens returned by /authorize
 * as implicit; a hybrid request needs both to match. The decisions carry the token lifetimes.
 */
import { evaluatePolicy } from '../policy/evaluate-policy.js';
import { need, type AuthorizeStep } from './context.js';

export const checkPolicy: AuthorizeStep = (ctx) => {
  const server = need(ctx.server, 'server');
  const client = need(ctx.client, 'client');
  const user = { id: need(ctx.session, 'session').user.id, groupIds: need(ctx.access, 'assignment').groupIds };
  const grants = [
    ...(ctx.responseTypes.has('code') ? ['authorization_code'] : []),
    ...(ctx.returnsTokens() ? ['implicit'] : []),
  ];
  for (const grantType of grants) {
    ctx.decisions.set(grantType, evaluatePolicy(server, { clientId: client.clientId, grantType, user, scopes: ctx.scopes }));
  }
};
