/** Registers every route module. One line per concern, so the whole surface is visible here. */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../container.js';

export async function registerRoutes(_app: FastifyInstance, _c: Container): Promise<void> {
  // Route modules are added here as they are written.
}
