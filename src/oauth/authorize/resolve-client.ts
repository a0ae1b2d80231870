/**
 * The client: `client_id` must name an ACTIVE OIDC app. Failing that there is nobody to redirect to
 * (RFC 6749 §4.1.2.1), so the user sees an error page.
 */
import { OAuthError, invalidRequest } from '../../errors/oauth-error.js';
import type { AuthorizeStep } from './context.js';

export const resolveClient: AuthorizeStep = async (ctx, c) => {
  const clientId = ctx.params.get('client_id');
  if (clientId === undefined) throw invalidRequest('A client_id must be provided in the request.');
  const record = await c.cache.client(clientId);
  const app = record?.app;
  if (!app || app.status !== 'ACTIVE' || !app.body.settings?.oauthClient) throw OAuthError.of('invalid_client_id');
  ctx.client = app;
};
