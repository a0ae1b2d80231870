/**
 * POST /v1/token: read the allow-listed form parameters (duplicates rejected), require grant_type,
 * authenticate the client, check the grant type is supported and allowed for the app, then hand over
 * to the grant's handler. Each grant is `{grantType, parameters, handle}`; a handler sees only the
 * common parameters and its own.
 */
import type { RequestInfo } from '../../audit/system-log.js';
import type { Container } from '../../container.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { auditTokenFailure, auditTokenGrant, type TokenAudit } from '../audit.js';
import { authenticateClient, CLIENT_AUTH_PARAMS, type AuthenticatedClient } from '../client-auth/authenticate-client.js';
import { parseBasic } from '../client-auth/client-secret.js';
import { NO_STORE, readForm, type Params, type ProtocolRequest, type ProtocolResponse } from '../client-auth/request.js';
import { resolveServer, type ServerContext } from '../server-context.js';
import { authorizationCodeGrant } from './grants/authorization-code.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { refreshTokenGrant } from './grants/refresh-token.js';
import type { TokenResponseBody } from './issue-tokens.js';

export interface GrantContext {
  c: Container;
  server: ServerContext;
  client: AuthenticatedClient;
  /** The common parameters and the grant's own; nothing else. */
  params: Params;
  /** The HTTP request, for the System Log. */
  request?: RequestInfo | undefined;
}

export interface GrantHandler {
  grantType: string;
  parameters: readonly string[];
  handle(ctx: GrantContext): Promise<TokenResponseBody>;
}

const GRANTS = new Map<string, GrantHandler>(
  [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant].map((g) => [g.grantType, g]),
);
const COMMON = ['grant_type', ...CLIENT_AUTH_PARAMS];
const ALL_PARAMS: ReadonlySet<string> = new Set([...COMMON, ...[...GRANTS.values()].flatMap((g) => g.parameters)]);

function only(params: Params, names: readonly string[]): Params {
  const out: Params = {};
  for (const n of names) if (params[n] !== undefined) out[n] = params[n];
  return out;
}

/** Every request, granted or refused, is one System Log event (../audit.ts), plus one per token issued. */
export async function tokenEndpoint(c: Container, req: ProtocolRequest): Promise<ProtocolResponse> {
  const audit: TokenAudit = { request: req.request };
  try {
    const server = await resolveServer(c, req.authServerId, req.origin);
    audit.server = server;
    const params = readForm(req, ALL_PARAMS);
    const grantType = params.grant_type;
    Object.assign(audit, { grantType, requestedScopes: params.scope, clientIdParam: params.client_id || undefined });
    if (grantType === undefined || grantType === '') {
      throw OAuthError.of('token_request_missing_grant_type', [...GRANTS.keys()].filter((g) => !server.isOrg || g !== 'client_credentials').join(', '));
    }
    const endpointUrl = `${server.endpointBase}/v1/token`;
    const client = await authenticateClient(c, server, req, params, { endpointUrl });
    audit.app = client.app;
    const handler = GRANTS.get(grantType);
    if (!handler) throw OAuthError.of('unsupported_grant_type', client.grantTypes.join(', '));
    if (grantType === 'client_credentials' && server.isOrg) throw OAuthError.of('unsupported_grant_type_client_creds_org_as');
    if (!client.grantTypes.includes(grantType)) throw OAuthError.of('unauthorized_client', client.grantTypes.join(', '));
    const body = await handler.handle({ c, server, client, params: only(params, [...COMMON, ...handler.parameters]), request: req.request });
    auditTokenGrant(c, { ...audit, app: client.app }, body);
    return { status: 200, headers: { ...NO_STORE }, body };
  } catch (err) {
    if (!audit.app) audit.clientIdParam ??= basicClientId(req);
    auditTokenFailure(c, audit, err);
    throw err;
  }
}

function basicClientId(req: ProtocolRequest): string | undefined {
  const authorization = req.headers.authorization;
  const basic = parseBasic(Array.isArray(authorization) ? authorization[0] : authorization);
  return basic ? basic.clientId : undefined;
}
