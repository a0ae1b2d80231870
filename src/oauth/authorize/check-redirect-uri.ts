/**
 * redirect_uri must equal one of the app's registered Login redirect URIs, character for character:
 * no normalisation of case, trailing slashes, ports, queries or encodings (RFC 9700 §2.1, §4.1;
 * ASVS 10.4.1), or, for an app with wildcard_redirect SUBDOMAIN, match one of its wildcard URIs in
 * the lowest host label only (../redirect-uris.ts). A mismatch is an error page, never a redirect.
 */
import { OAuthError } from '../../errors/oauth-error.js';
import { isRegisteredRedirectUri } from '../redirect-uris.js';
import { need, type AuthorizeStep } from './context.js';

export const checkRedirectUri: AuthorizeStep = (ctx) => {
  const app = need(ctx.client, 'client');
  const uri = ctx.params.get('redirect_uri');
  const registered = app.body.settings.oauthClient.redirect_uris ?? [];
  if (uri === undefined || !isRegisteredRedirectUri(app, registered, uri)) throw OAuthError.of('illegal_redirect_uri');
  // A redirect URI must not carry a fragment (RFC 6749 §3.1.2); refuse one even if registered.
  if (uri.includes('#')) throw OAuthError.of('illegal_redirect_uri');
  ctx.redirectUri = uri;
};
