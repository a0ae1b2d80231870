/**
 * HTTP glue for the token side of the protocol, on the org server (`/oauth2/v1/*`, discovery at the
 * root) and every custom server (`/oauth2/{id}/v1/*`, discovery under the server and at the RFC 8414
 * location). Each route turns the request into a ProtocolRequest, calls the endpoint and sends what
 * it returns; errors go to the shared error handler.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Container } from '../../../container.js';
import type { ProtocolRequest, ProtocolResponse } from '../../../oauth/client-auth/request.js';
import { discoveryEndpoint, type MetadataKind } from '../../../oauth/endpoints/discovery.js';
import { introspectEndpoint } from '../../../oauth/endpoints/introspect.js';
import { keysEndpoint } from '../../../oauth/endpoints/keys.js';
import { revokeEndpoint } from '../../../oauth/endpoints/revoke.js';
import { userinfoEndpoint } from '../../../oauth/endpoints/userinfo.js';
import { tokenEndpoint } from '../../../oauth/token/token-endpoint.js';

type Params = { authServerId?: string };

function protocolRequest(req: FastifyRequest): ProtocolRequest {
  return {
    body: req.body,
    query: req.query,
    headers: req.headers,
    origin: { protocol: req.protocol, host: req.host },
    authServerId: (req.params as Params).authServerId,
    request: req,
  };
}

function send(reply: FastifyReply, res: ProtocolResponse): FastifyReply {
  reply.status(res.status).headers(res.headers);
  return res.body === undefined ? reply.send() : reply.type('application/json').send(res.body);
}

/** CORS preflight: trusted origins are not configured yet, so the answer grants nothing (but exists). */
function preflight(_req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(204).header('Vary', 'Origin').send();
}

export function tokenRoutes(app: FastifyInstance, c: Container): void {
  for (const base of ['/oauth2', '/oauth2/:authServerId']) {
    app.post(`${base}/v1/token`, async (req, reply) => send(reply, await tokenEndpoint(c, protocolRequest(req))));
    app.post(`${base}/v1/introspect`, async (req, reply) => send(reply, await introspectEndpoint(c, protocolRequest(req))));
    app.post(`${base}/v1/revoke`, async (req, reply) => send(reply, await revokeEndpoint(c, protocolRequest(req))));
    app.get(`${base}/v1/userinfo`, async (req, reply) => send(reply, await userinfoEndpoint(c, protocolRequest(req), 'GET')));
    app.post(`${base}/v1/userinfo`, async (req, reply) => send(reply, await userinfoEndpoint(c, protocolRequest(req), 'POST')));
    app.get(`${base}/v1/keys`, async (req, reply) => send(reply, await keysEndpoint(c, protocolRequest(req))));
    for (const endpoint of ['token', 'introspect', 'revoke', 'userinfo', 'keys']) app.options(`${base}/v1/${endpoint}`, preflight);
  }

  const discovery = (kind: MetadataKind) => async (req: FastifyRequest, reply: FastifyReply) =>
    send(reply, await discoveryEndpoint(c, protocolRequest(req), kind));
  for (const kind of ['openid-configuration', 'oauth-authorization-server'] as const) {
    for (const path of [`/.well-known/${kind}`, `/oauth2/:authServerId/.well-known/${kind}`, `/.well-known/${kind}/oauth2/:authServerId`]) {
      app.get(path, discovery(kind));
      app.options(path, preflight);
    }
  }
}
