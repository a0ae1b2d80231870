/** Liveness (/healthz: the process answers) and readiness (/readyz: database reachable, migrations done). */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../container.js';

export function healthRoutes(app: FastifyInstance, c: Pick<Container, 'store' | 'ready'>): void {
  app.get('/healthz', async (_req, reply) => reply.header('Cache-Control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ok = c.ready.value && (await c.store.ping());
    return reply.header('Cache-Control', 'no-store').status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable' });
  });
}
