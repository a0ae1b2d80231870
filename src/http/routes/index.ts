/** Registers every route module. One line per concern, so the whole surface is visible here. */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../container.js';
import { appsRoutes } from './api-v1/apps.js';
import { authnRoutes } from './api-v1/authn.js';
import { authorizationServerRoutes } from './api-v1/authorization-servers.js';
import { grantsRoutes } from './api-v1/grants.js';
import { groupsRoutes } from './api-v1/groups.js';
import { logsRoutes } from './api-v1/logs.js';
import { tokenPreviewRoutes } from './api-v1/token-preview.js';
import { sessionsRoutes } from './api-v1/sessions.js';
import { trustedOriginsRoutes } from './api-v1/trusted-origins.js';
import { usersRoutes } from './api-v1/users.js';
import { tokenRoutes } from './oauth2/token-routes.js';
import { loginRoutes } from './login-routes.js';
import { consentRoutes } from './consent-routes.js';
import { authorizeRoutes } from './oauth2/authorize-routes.js';

export async function registerRoutes(app: FastifyInstance, c: Container): Promise<void> {
  // Route modules are added here as they are written.
  await app.register(async (s) => usersRoutes(s, c), { prefix: '/api/v1' });
  await app.register(async (s) => groupsRoutes(s, c), { prefix: '/api/v1' });
  await app.register(async (s) => appsRoutes(s, c), { prefix: '/api/v1' });
  await app.register(async (s) => authorizationServerRoutes(s, c), { prefix: '/api/v1' });
  tokenRoutes(app, c);
  await app.register(async (s) => authnRoutes(s, c), { prefix: '/api/v1' });
  await app.register(async (s) => sessionsRoutes(s, c), { prefix: '/api/v1' });
  authorizeRoutes(app, c);
  loginRoutes(app, c);
  consentRoutes(app, c);
  await app.register(async (s) => trustedOriginsRoutes(s, c), { prefix: '/api/v1' });
  await app.register(async (s) => logsRoutes(s, c), { prefix: '/api/v1' });
  await app.register(async (s) => tokenPreviewRoutes(s, c), { prefix: '/api/v1' });
  await app.register(async (s) => grantsRoutes(s, c), { prefix: '/api/v1' });
}
