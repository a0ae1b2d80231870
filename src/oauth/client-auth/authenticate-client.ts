/**
 * Client authentication for the token, introspection and revocation endpoints. Exactly one kind of
 * credential may be presented (Basic header, `client_secret` in the body, or a `client_assertion`),
 * and it must be the kind the app is registered for:
 *
 * | app's token_endpoint_auth_method         | accepted credential                                  |
 * |------------------------------------------|------------------------------------------------------|
 * | client_secret_basic, client_secret_post  | the secret, in the Basic header or the body          |
 * | private_key_jwt                          | a client_assertion signed with a key from its JWKS   |
 * | none (public client)                     | its client_id only (body, Basic without a colon, or, where allowed, the query) |
 *
 * client_secret_jwt is not implemented, so such apps cannot authenticate. Any failure is Okta's 401
 * invalid_client (with `WWW-Authenticate: Basic` when the client tried Basic); an inactive app fails
 * the same way. Repeated wrong secrets for one client get 429 for a while (./secret-throttle.ts).
 */
import type { Container } from '../../container.js';
import type { App, TokenEndpointAuthMethod } from '../../domain/model.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { ClientRecord } from '../config-cache.js';
import type { ServerContext } from '../server-context.js';
import { candidates, parseBasic, secretMatches } from './client-secret.js';
import { verifyClientAssertion } from './private-key-jwt.js';
import { SecretThrottle } from './secret-throttle.js';
import { header, queryParam, type Params, type ProtocolRequest } from './request.js';

/** Body parameters every client-authenticating endpoint accepts. */
export const CLIENT_AUTH_PARAMS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const;

export interface AuthenticatedClient {
  clientId: string;
  app: App;
  record: ClientRecord;
  /** How the client authenticated: the secret methods are reported as the app's registered one. */
  method: TokenEndpointAuthMethod;
  /** A public client (`none`): it proved nothing but its client_id. */
  isPublic: boolean;
  grantTypes: string[];
}

export interface ClientAuthOptions {
  /** The URL of the endpoint invoked, an accepted client_assertion audience. */
  endpointUrl: string;
  /** Okta's /introspect lets a public client name itself in the query string. */
  allowClientIdInQuery?: boolean;
}

const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="oauth2"' };

function failure(usedBasic: boolean): OAuthError {
  const err = OAuthError.of('invalid_client');
  return usedBasic ? err.withHeaders(BASIC_CHALLENGE) : err;
}

function authenticated(record: ClientRecord, method: TokenEndpointAuthMethod): AuthenticatedClient {
  const { app } = record;
  return {
    clientId: app.clientId,
    app,
    record,
    method,
    isPublic: method === 'none',
    grantTypes: app.body.settings.oauthClient.grant_types ?? [],
  };
}

// One throttle per node (per container: tests run several nodes in one process).
const throttles = new WeakMap<object, SecretThrottle>();

function throttleOf(c: Pick<Container, 'cache'>): SecretThrottle {
  let t = throttles.get(c.cache);
  if (!t) throttles.set(c.cache, (t = new SecretThrottle()));
  return t;
}

async function lookup(c: Pick<Container, 'cache'>, clientId: string): Promise<ClientRecord | undefined> {
  for (const id of candidates(clientId)) {
    const record = await c.cache.client(id);
    if (record) return record;
  }
  return undefined;
}

export async function authenticateClient(
  c: Pick<Container, 'store' | 'cache' | 'clock'>,
  server: ServerContext,
  req: ProtocolRequest,
  params: Params,
  opts: ClientAuthOptions,
): Promise<AuthenticatedClient> {
  if (queryParam(req, 'client_secret') !== undefined || queryParam(req, 'client_assertion') !== undefined) {
    throw OAuthError.of('client_credentials_in_query');
  }
  const basic = parseBasic(header(req, 'authorization'));
  if (basic === null) throw failure(true);
  const usedBasic = basic !== undefined;
  const basicSecret = basic?.secret;
  const presented = [basicSecret, params.client_secret, params.client_assertion].filter((v) => v !== undefined);
  if (presented.length > 1) throw OAuthError.of('multiple_client_credentials');

  const bodyId = params.client_id === '' ? undefined : params.client_id;
  if (basic && bodyId !== undefined && !candidates(basic.clientId).includes(bodyId)) throw failure(true);

  if (params.client_assertion !== undefined) {
    const record = await verifyClientAssertion(c, {
      assertion: params.client_assertion,
      assertionType: params.client_assertion_type,
      clientId: bodyId,
      audiences: [opts.endpointUrl, `${server.endpointBase}/v1/token`, server.issuer],
    });
    return authenticated(record, 'private_key_jwt');
  }

  const queryId = opts.allowClientIdInQuery ? queryParam(req, 'client_id') : undefined;
  const clientId = basic?.clientId ?? bodyId ?? queryId;
  if (clientId === undefined || clientId.length > 256) throw failure(usedBasic);
  const record = await lookup(c, clientId);
  if (!record || record.app.status !== 'ACTIVE') throw failure(usedBasic);
  const registered = record.app.body.credentials.oauthClient.token_endpoint_auth_method;
  const secret = basicSecret ?? params.client_secret;

  if (registered === 'client_secret_basic' || registered === 'client_secret_post') {
    if (secret === undefined) throw failure(usedBasic);
    // OAuth 2.1 §2.4.1: secrets are protected against guessing, per client (./secret-throttle.ts).
    const throttle = throttleOf(c);
    const now = c.clock.now();
    throttle.assertNotBlocked(record.app.clientId, now);
    if (!secretMatches(record, secret)) {
      throttle.recordFailure(record.app.clientId, now);
      throw failure(usedBasic);
    }
    throttle.recordSuccess(record.app.clientId);
    return authenticated(record, registered);
  }
  if (registered === 'none' && secret === undefined) return authenticated(record, 'none');
  // private_key_jwt without an assertion, client_secret_jwt, or a public client sending a secret.
  throw failure(usedBasic);
}
