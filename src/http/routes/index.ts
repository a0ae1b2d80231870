/** Registers every route module. One line per concern, so the whole surface is visible here. */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../container.js';
import { appsRoutes } from './api-v1/apps.js';
import { groupsRoutes } from './api-v1/groups.js';
import { usersRoutes } from './api-v1/users.js';

export async function registerRoutes(app: FastifyInstance, c: Container): Promise<void> {
  // Route modules are added here as they are written.
  await app.register(async (s) => usersRoutes(s, c), { prefix: '/api/v1' });
  await app.register(async (s) => groupsRoutes(s, c), { prefix: '/api/v1' });
  await app.register(async (s) => appsRoutes(s, c), { prefix: '/api/v1' });
}
