/**
 * Refuses NUL characters anywhere in a management request (path, query, JSON body). PostgreSQL text
 * cannot hold them, so without this a stray `%00` would surface as a 500 on one backend only.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../../errors/api-error.js';

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 64 || typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some((v) => hasNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v, depth + 1));
}

export function rejectNulCharacters(scope: FastifyInstance): void {
  scope.addHook('preHandler', async (request) => {
    if (hasNul(request.params)) {
      throw ApiError.of('E0000007', [`Resource not found: ${request.url.split('?')[0] ?? ''} (path)`]);
    }
    for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      if (hasNul(name) || hasNul(value)) throw ApiError.of('E0000001', ['request'], [`${name.replace(/\u0000/g, '')}: The value must not contain NUL characters`]);
    }
    if (hasNul(request.body)) throw ApiError.of('E0000003');
  });
}
