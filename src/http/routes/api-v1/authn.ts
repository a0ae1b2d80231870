/** POST /api/v1/authn: Okta's classic primary authentication (end-user endpoint, no API token). */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../../container.js';
import { authenticate } from '../../../oauth/sessions/authn.js';

export async function authnRoutes(app: FastifyInstance, c: Container): Promise<void> {
  app.post('/authn', async (req, reply) => {
    const body = await authenticate(c, req.body, req);
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(body);
  });
}
