/**
 * Okta's classic Authentication API (end-user endpoints, no API token): POST /api/v1/authn, and the
 * expired-password transaction it can start: /authn/credentials/change_password and /authn/cancel.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Container } from '../../../container.js';
import { authenticate, cancelTransaction, changeExpiredPassword } from '../../../oauth/sessions/authn.js';

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store').header('pragma', 'no-cache');

export async function authnRoutes(app: FastifyInstance, c: Container): Promise<void> {
  app.post('/authn', async (req, reply) => noStore(reply).send(await authenticate(c, req.body, req)));
  app.post('/authn/credentials/change_password', async (req, reply) => noStore(reply).send(await changeExpiredPassword(c, req.body, req)));
  app.post('/authn/cancel', async (req, reply) => noStore(reply).send(await cancelTransaction(c, req.body)));
}
