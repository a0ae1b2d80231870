/**
 * POST /api/v1/authorizationServers/{authServerId}/tokenPreview (SSWS): Gatehouse's token preview.
 * Okta's admin console has this feature, but Okta's public API has no such path; this one is ours
 * (docs/token-preview.md). Body:
 *
 *   {"clientId": "0oa…", "grantType": "authorization_code" | "implicit" | "client_credentials" | "refresh_token",
 *    "userId": "00u… or a login" (all but client_credentials), "scopes": ["openid", …] (optional),
 *    "responseTypes": ["token", "id_token"] (implicit only, optional)}
 *
 * 200 {"result": "ALLOW", policy, rule, scopes, lifetimes, tokens: {access_token: {header, payload},
 * id_token: {header, payload}, refresh_token: {present, …}}} with the decoded claims of the tokens the
 * real flow would mint (never signed: nothing usable is issued), or 200 {"result": "DENY", error,
 * error_description (Okta's exact text), reason: {type, detail}}. An unknown server, client or user is
 * 404 E0000007; a bad body 400 E0000001 (E0000003 when it is not a JSON object). Nothing is written,
 * and the request is not logged: it changes nothing.
 */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../../container.js';
import { previewTokens } from '../../../domain/token-preview/preview.js';
import { requireApiToken } from '../../plugins/api-auth.js';
import { rejectNulCharacters } from './input-guard.js';

export async function tokenPreviewRoutes(app: FastifyInstance, c: Container): Promise<void> {
  requireApiToken(app, c);
  rejectNulCharacters(app);
  app.post<{ Params: { authServerId: string } }>('/authorizationServers/:authServerId/tokenPreview', async (req, reply) => {
    const result = await previewTokens(c, req.params.authServerId, req.body, { protocol: req.protocol, host: req.host });
    return reply.header('cache-control', 'no-store').send(result);
  });
}
