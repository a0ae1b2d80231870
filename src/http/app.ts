/**
 * Builds the Fastify application: plugins, then every route module. No logic lives here.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Container } from '../container.js';
import { newId, ID_PREFIX } from '../crypto/ids.js';
import { registerAdminAudit } from './plugins/admin-audit.js';
import { registerBodyParsers } from './plugins/body-parsers.js';
import { registerCors } from './plugins/cors.js';
import { registerErrorHandler } from './plugins/error-handler.js';
import { registerHsts } from './plugins/hsts.js';
import { registerRequestId } from './plugins/request-id.js';
import { healthRoutes } from './routes/health.js';
import { registerRoutes } from './routes/index.js';

export async function buildApp(c: Container): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: c.log as FastifyBaseLogger,
    genReqId: () => newId(ID_PREFIX.requestId),
    trustProxy: process.env.GATEHOUSE_TRUST_PROXY === 'true',
    // Per-request log lines cost more than the work of a token request; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1048576,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
  });
  registerRequestId(app);
  registerHsts(app, c.config);
  registerBodyParsers(app);
  registerErrorHandler(app);
  registerCors(app, c);
  registerAdminAudit(app, c);
  healthRoutes(app, c);
  await registerRoutes(app, c);
  return app;
}
