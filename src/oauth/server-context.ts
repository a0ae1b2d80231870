/**
 * Resolves which authorization server a protocol request addresses (`/oauth2/v1/*` is the org
 * server, `/oauth2/{id}/v1/*` a custom one) and the issuer it speaks as. The issuer follows the
 * server's issuerMode: ORG_URL and CUSTOM_URL use the configured org URL, DYNAMIC the origin the
 * request arrived on.
 */
import type { Container } from '../container.js';
import { ORG_AUTH_SERVER_ID, type App, type IssuerMode } from '../domain/model.js';
import { OAuthError } from '../errors/oauth-error.js';
import type { ServerConfig } from './config-cache.js';

export interface ServerContext {
  /** 'org' or the custom server's id. */
  id: string;
  isOrg: boolean;
  issuer: string;
  /** Base of the endpoints: `{origin}/oauth2` (org) or `{origin}/oauth2/{id}`. */
  endpointBase: string;
  /** Access-token audience. */
  audience: string;
  /** Custom servers only. */
  config: ServerConfig | undefined;
}

export interface RequestOrigin {
  protocol: string;
  host: string;
}

export function requestOrigin(req: RequestOrigin): string {
  return `${req.protocol}://${req.host}`;
}

function baseUrl(mode: IssuerMode, orgUrl: string, origin: RequestOrigin): string {
  return mode === 'DYNAMIC' ? requestOrigin(origin) : orgUrl;
}

export async function resolveServer(
  c: Pick<Container, 'config' | 'cache'>,
  authServerId: string | undefined,
  origin: RequestOrigin,
): Promise<ServerContext> {
  if (authServerId === undefined || authServerId === ORG_AUTH_SERVER_ID) {
    if (authServerId === ORG_AUTH_SERVER_ID) throw OAuthError.of('invalid_authorization_server');
    const base = c.config.orgUrl;
    return { id: ORG_AUTH_SERVER_ID, isOrg: true, issuer: base, endpointBase: `${base}/oauth2`, audience: base, config: undefined };
  }
  const config = await c.cache.server(authServerId);
  if (!config || config.server.status !== 'ACTIVE') throw OAuthError.of('invalid_authorization_server');
  const base = `${baseUrl(config.server.issuerMode, c.config.orgUrl, origin)}/oauth2/${config.server.id}`;
  return {
    id: config.server.id,
    isOrg: false,
    issuer: base,
    endpointBase: base,
    audience: config.server.audiences[0] ?? 'api://default',
    config,
  };
}

/**
 * The `iss` of the ID tokens an app gets, per its `issuer_mode` as Okta documents it: the setting
 * applies to the org authorization server (ORG_URL: the org URL; DYNAMIC: the origin the request
 * arrived on; CUSTOM_URL: the custom URL domain, which Gatehouse does not have, so the org URL).
 * A custom authorization server always speaks with its own issuer (its `issuerMode` decides), as in
 * Okta, where the app's setting "does not affect" custom servers.
 */
export function idTokenIssuerFor(
  c: Pick<Container, 'config'>,
  server: ServerContext,
  app: Pick<App, 'body'>,
  origin: RequestOrigin,
): string {
  if (!server.isOrg) return server.issuer;
  const mode = app.body.settings.oauthClient.issuer_mode;
  return mode === 'DYNAMIC' ? requestOrigin(origin) : c.config.orgUrl;
}

/**
 * The issuers an ID token of this server may carry: the server's own, and for the org server the
 * request's origin too (apps with issuer_mode DYNAMIC). Used to recognise our own ID tokens when they
 * come back (id_token_hint); the signature, by this server's key, is what proves them ours.
 */
export function acceptedIdTokenIssuers(server: ServerContext, origin: RequestOrigin | undefined): string[] {
  return server.isOrg && origin ? [server.issuer, requestOrigin(origin)] : [server.issuer];
}
