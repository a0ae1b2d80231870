/** Every response carries X-Okta-Request-Id (Okta's SDKs echo it into X-Okta-Retry-For). */
import type { FastifyInstance } from 'fastify';

export function registerRequestId(app: FastifyInstance): void {
  // Callback style: an async hook would cost a promise and a microtask hop on every request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Okta-Request-Id', request.id);
    reply.header('X-Content-Type-Options', 'nosniff');
    done();
  });
}
