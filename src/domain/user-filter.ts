/**
 * Okta's user `filter` / `search` expressions (SCIM-style) parsed into the store's UserFilter:
 *
 *   status eq "ACTIVE" and (profile.login sw "ann" or lastUpdated gt "2024-01-01T00:00:00.000Z")
 *
 * The syntax is the shared one (../lib/filter-expression.ts); a user filter takes `and`, `or`,
 * parentheses and comparisons with quoted strings (dates as ISO 8601). Anything else is 400
 * E0000031 "Invalid search criteria.".
 */
import { ApiError } from '../errors/api-error.js';
import { FilterSyntaxError, parseFilterExpression, type FilterNode } from '../lib/filter-expression.js';
import type { UserFilter } from '../store/store.js';
import type { UserStatus } from './model.js';

const TEXT_ATTRIBUTES = {
  id: 'id',
  status: 'status',
  'profile.login': 'login',
  'profile.email': 'email',
  'profile.firstName': 'firstName',
  'profile.lastName': 'lastName',
} as const;

const TIME_ATTRIBUTES = {
  created: 'created',
  lastUpdated: 'lastUpdated',
  statusChanged: 'statusChanged',
  activated: 'activated',
  lastLogin: 'lastLogin',
} as const;

const TEXT_OPS = new Set(['eq', 'sw']);
const TIME_OPS = new Set(['eq', 'gt', 'ge', 'lt', 'le']);

export const USER_STATUSES: readonly UserStatus[] = [
  'STAGED', 'PROVISIONED', 'ACTIVE', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'SUSPENDED', 'DEPROVISIONED',
];

// yyyy-MM-ddTHH:mm:ss(.SSS)(Z|±HH:mm|±HHmm), as Okta documents for date filters.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/;

function invalid(): ApiError {
  return ApiError.of('E0000031');
}

/** The shared syntax tree as a user filter: `and`, `or` and comparisons with quoted values only. */
function toUserFilter(node: FilterNode): UserFilter {
  if ('op' in node) {
    if (node.op === 'not') throw invalid();
    return { op: node.op, terms: node.terms.map(toUserFilter) };
  }
  if (node.cmp === 'pr' || typeof node.value !== 'string') throw invalid();
  return comparison(node.attribute, node.cmp, node.value);
}

function comparison(attribute: string, cmp: string, value: string): UserFilter {
  if (Object.hasOwn(TEXT_ATTRIBUTES, attribute)) {
    const field = TEXT_ATTRIBUTES[attribute as keyof typeof TEXT_ATTRIBUTES];
    if (!TEXT_OPS.has(cmp)) throw invalid();
    if (field === 'status' && cmp === 'eq' && !USER_STATUSES.includes(value as UserStatus)) throw invalid();
    return { field, cmp: cmp as 'eq' | 'sw', value };
  }
  if (Object.hasOwn(TIME_ATTRIBUTES, attribute)) {
    const field = TIME_ATTRIBUTES[attribute as keyof typeof TIME_ATTRIBUTES];
    if (!TIME_OPS.has(cmp) || !ISO_DATE.test(value)) throw invalid();
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw invalid();
    return { field, cmp: cmp as 'eq' | 'gt' | 'ge' | 'lt' | 'le', value: ms };
  }
  throw invalid();
}

/** Parses an Okta user filter expression; throws 400 E0000031 when it is not one we support. */
export function parseUserFilter(expression: string): UserFilter {
  let node: FilterNode;
  try {
    node = parseFilterExpression(expression);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw invalid();
    throw err;
  }
  return toUserFilter(node);
}
