/**
 * The `filter` of GET /api/v1/trustedOrigins: `eq` on name, origin, status or type (a scope type),
 * combined with and/or and parentheses, e.g. `status eq "ACTIVE" and type eq "CORS"`.
 * Anything else is 400 E0000031 "Invalid search criteria.".
 */
import { FilterSyntaxError, parseFilterExpression, type FilterNode } from '../../lib/filter-expression.js';
import { ApiError } from '../../errors/api-error.js';
import type { TrustedOriginFilter } from '../../store/store.js';

const FIELDS = new Set(['name', 'origin', 'status', 'type']);

function toFilter(node: FilterNode): TrustedOriginFilter {
  if ('op' in node) {
    if (node.op === 'not') throw ApiError.of('E0000031');
    return { op: node.op, terms: node.terms.map(toFilter) };
  }
  if (!FIELDS.has(node.attribute) || node.cmp !== 'eq' || typeof node.value !== 'string') throw ApiError.of('E0000031');
  return { field: node.attribute as 'name' | 'origin' | 'status' | 'type', cmp: 'eq', value: node.value };
}

export function parseTrustedOriginFilter(expression: string): TrustedOriginFilter {
  try {
    return toFilter(parseFilterExpression(expression));
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw ApiError.of('E0000031');
    throw err;
  }
}
