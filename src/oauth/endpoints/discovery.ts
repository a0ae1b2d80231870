/**
 * Discovery: OpenID Provider Metadata (OIDC Discovery §3) and OAuth Authorization Server Metadata
 * (RFC 8414), shaped as Okta's (oauth.yaml `OrgASOidcMetadata`, `CustomASOidcMetadata`). Only what
 * Gatehouse implements is advertised: no client_secret_jwt, no request objects, no device or PAR
 * endpoints, client_credentials only on custom servers. An unknown or inactive server is a 404 with
 * the OAuth error body.
 */
import type { Container } from '../../container.js';
import { SYSTEM_SCOPES } from '../../domain/defaults.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { CLIENT_ASSERTION_ALGORITHMS } from '../client-auth/private-key-jwt.js';
import type { ProtocolRequest, ProtocolResponse } from '../client-auth/request.js';
import type { ServerConfig } from '../config-cache.js';
import { resolveServer, type ServerContext } from '../server-context.js';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];

const CLAIMS = [
  'iss', 'ver', 'sub', 'aud', 'iat', 'exp', 'jti', 'auth_time', 'amr', 'idp', 'nonce', 'name', 'nickname',
  'preferred_username', 'given_name', 'middle_name', 'family_name', 'email', 'email_verified', 'profile',
  'zoneinfo', 'locale', 'address', 'phone_number', 'picture', 'website', 'gender', 'birthdate', 'updated_at',
  'at_hash', 'c_hash',
];

const RESPONSE_TYPES = ['code', 'id_token', 'code id_token', 'code token', 'id_token token', 'code id_token token'];

export type MetadataKind = 'openid-configuration' | 'oauth-authorization-server';

function scopesSupported(server: ServerContext): string[] {
  if (!server.config) return SYSTEM_SCOPES.map((s) => s.name);
  return server.config.scopes.filter((s) => s.metadataPublish === 'ALL_CLIENTS').map((s) => s.name);
}

export function serverMetadata(server: ServerContext, kind: MetadataKind): Record<string, unknown> {
  const base = `${server.endpointBase}/v1`;
  const oidc = kind === 'openid-configuration';
  const doc: Record<string, unknown> = {
    issuer: server.issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
  };
  if (oidc) doc.userinfo_endpoint = `${base}/userinfo`;
  doc.jwks_uri = `${base}/keys`;
  doc.response_types_supported = RESPONSE_TYPES;
  doc.response_modes_supported = ['query', 'fragment', 'form_post', 'okta_post_message'];
  doc.grant_types_supported = server.isOrg
    ? ['authorization_code', 'implicit', 'refresh_token']
    : ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'];
  if (oidc) {
    doc.subject_types_supported = ['public'];
    doc.id_token_signing_alg_values_supported = ['RS256'];
  }
  doc.scopes_supported = scopesSupported(server);
  doc.token_endpoint_auth_methods_supported = AUTH_METHODS;
  doc.token_endpoint_auth_signing_alg_values_supported = CLIENT_ASSERTION_ALGORITHMS;
  doc.claims_supported = CLAIMS;
  doc.code_challenge_methods_supported = ['S256'];
  doc.introspection_endpoint = `${base}/introspect`;
  doc.introspection_endpoint_auth_methods_supported = AUTH_METHODS;
  doc.introspection_endpoint_auth_signing_alg_values_supported = CLIENT_ASSERTION_ALGORITHMS;
  doc.revocation_endpoint = `${base}/revoke`;
  doc.revocation_endpoint_auth_methods_supported = AUTH_METHODS;
  doc.revocation_endpoint_auth_signing_alg_values_supported = CLIENT_ASSERTION_ALGORITHMS;
  doc.end_session_endpoint = `${base}/logout`;
  doc.request_parameter_supported = false;
  doc.authorization_response_iss_parameter_supported = true;
  return doc;
}

/*
 * Why: the document is the same for every request to one server until its configuration changes,
 * so it is serialized once and served as a string instead of being built and stringified each time.
 * What it depends on is the key: the kind, the issuer (which, for a DYNAMIC server, comes from the
 * request's origin, and which also fixes the endpoint URLs) and, for a custom server, the
 * ServerConfig object the config cache hands out: a configuration change or reload is a new object,
 * so its documents are built anew and the old ones go with the old object. The org server's
 * document depends on nothing else.
 */
const orgDocuments = new Map<string, string>();
const customDocuments = new WeakMap<ServerConfig, Map<string, string>>();
/** Per server: a DYNAMIC issuer follows the Host header, so the variants kept are bounded. */
const MAX_DOCUMENTS_PER_SERVER = 32;

function serializedMetadata(server: ServerContext, kind: MetadataKind): string {
  let documents = orgDocuments;
  if (server.config) {
    let forServer = customDocuments.get(server.config);
    if (!forServer) customDocuments.set(server.config, (forServer = new Map()));
    documents = forServer;
  }
  const key = `${kind} ${server.issuer}`;
  let document = documents.get(key);
  if (document === undefined) {
    if (documents.size >= MAX_DOCUMENTS_PER_SERVER) documents.clear();
    document = JSON.stringify(serverMetadata(server, kind));
    documents.set(key, document);
  }
  return document;
}

const DISCOVERY_HEADERS = { 'Cache-Control': 'max-age=3600, must-revalidate', Vary: 'Origin' } as const;

/** The body is the document already serialized (a JSON string, sent as is). */
export async function discoveryEndpoint(c: Container, req: ProtocolRequest, kind: MetadataKind): Promise<ProtocolResponse> {
  let server: ServerContext;
  try {
    server = await resolveServer(c, req.authServerId, req.origin);
  } catch (err) {
    throw err instanceof OAuthError ? err.withStatus(404) : err;
  }
  return { status: 200, headers: { ...DISCOVERY_HEADERS }, body: serializedMetadata(server, kind) };
}
