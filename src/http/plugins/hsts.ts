/**
 * HTTP Strict Transport Security (RFC 6797) on every response when the org URL is https, so a
 * browser that has reached Gatehouse once never again sends its session cookie or a sign-in form
 * over plain http (RFC 9700 §4.2, ASVS 3.4.1). Browsers ignore the header on http responses, so it
 * is safe to send from behind a TLS-terminating proxy. No includeSubDomains: sibling hosts of the
 * org domain are not ours to pin.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.js';

const ONE_YEAR_SECONDS = 31_536_000;

export function registerHsts(app: FastifyInstance, config: Pick<Config, 'orgUrl'>): void {
  if (!config.orgUrl.startsWith('https:')) return;
  const value = `max-age=${ONE_YEAR_SECONDS}`;
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('Strict-Transport-Security', value);
  });
}
