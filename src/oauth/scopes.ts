/**
 * Turns the `scope` parameter into the list of scopes a request asks for: defaults when none are
 * named (as Okta does, client credentials included), and an error for any scope the server doesn't
 * know. The org server knows only the OIDC system scopes.
 */
import { SYSTEM_SCOPES } from '../domain/defaults.js';
import { OAuthError, invalidRequest } from '../errors/oauth-error.js';
import type { ServerContext } from './server-context.js';

const ORG_SCOPES = new Set(SYSTEM_SCOPES.map((s) => s.name));
// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function parseScopeParam(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const scopes = [...new Set(raw.split(' ').filter((s) => s !== ''))];
  if (scopes.some((s) => !SCOPE_TOKEN.test(s))) throw OAuthError.of('invalid_scope');
  return scopes;
}

export function resolveScopes(server: ServerContext, raw: string | undefined): string[] {
  if (raw !== undefined && typeof raw !== 'string') throw invalidRequest("The 'scope' parameter is malformed.");
  const requested = parseScopeParam(raw);
  if (server.isOrg || !server.config) {
    if (requested.length === 0) throw OAuthError.of('missing_scopes');
    if (requested.some((s) => !ORG_SCOPES.has(s))) throw OAuthError.of('invalid_scope');
    return requested;
  }
  const known = new Set(server.config.scopes.map((s) => s.name));
  if (requested.length === 0) {
    const defaults = server.config.scopes.filter((s) => s.default).map((s) => s.name);
    if (defaults.length === 0) throw OAuthError.of('no_default_scopes');
    return defaults;
  }
  if (requested.some((s) => !known.has(s))) throw OAuthError.of('no_matching_scope');
  return requested;
}
