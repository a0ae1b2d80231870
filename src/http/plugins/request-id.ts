/** Every response carries X-Okta-Request-Id (Okta's SDKs echo it into X-Okta-Retry-For). */
import type { FastifyInstance } from 'fastify';

export function registerRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Okta-Request-Id', request.id);
    reply.header('X-Content-Type-Options', 'nosniff');
  });
}
