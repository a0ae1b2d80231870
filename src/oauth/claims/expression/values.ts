/**
 * Operator semantics. Values are JSON-like: string, number, boolean, null, arrays, plain objects.
 * Null is Okta's "missing": it flows through instead of failing where that is unambiguous, so that a
 * claim built from an absent attribute comes out null (and is omitted) rather than as "null" text.
 */
import { ExpressionEvaluationError } from './errors.js';

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * `+`: numbers add; if either side is a string it concatenates, a null side counting as ""; null with
 * null or with a number stays null.
 */
export function add(a: unknown, b: unknown, pos: number): unknown {
  if (typeof a === 'number' && typeof b === 'number') return finite(a + b, pos);
  if ((typeof a === 'string' && (isScalar(b) || b === null)) || (typeof b === 'string' && (isScalar(a) || a === null))) {
    return `${a === null ? '' : String(a)}${b === null ? '' : String(b)}`;
  }
  if ((a === null && (b === null || typeof b === 'number')) || (b === null && typeof a === 'number')) return null;
  throw new ExpressionEvaluationError(`cannot add ${typeName(a)} and ${typeName(b)}`, pos);
}

/** `-`: numbers only; null propagates. */
export function subtract(a: unknown, b: unknown, pos: number): unknown {
  if (typeof a === 'number' && typeof b === 'number') return finite(a - b, pos);
  if ((a === null || typeof a === 'number') && (b === null || typeof b === 'number')) return null;
  throw new ExpressionEvaluationError(`cannot subtract ${typeName(b)} from ${typeName(a)}`, pos);
}

export function negate(v: unknown, pos: number): unknown {
  if (typeof v === 'number') return -v;
  if (v === null) return null;
  throw new ExpressionEvaluationError(`cannot negate ${typeName(v)}`, pos);
}

/** A boolean position (AND, OR, NOT, `?:`): null counts as false, anything else but a boolean fails. */
export function condition(v: unknown, what: string, pos: number): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null) return false;
  throw new ExpressionEvaluationError(`${what} must be a boolean, not ${typeName(v)}`, pos);
}

/** Arrays from a profile can nest; comparing stops well before the stack would. */
const MAX_COMPARE_DEPTH = 16;

/** `==`: same type and value; arrays element by element; null equals only null. */
export function equals(a: unknown, b: unknown, depth = 0): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (depth >= MAX_COMPARE_DEPTH) throw new ExpressionEvaluationError(`cannot compare arrays nested deeper than ${MAX_COMPARE_DEPTH} levels`);
    return a.length === b.length && a.every((x, i) => equals(x, b[i], depth + 1));
  }
  return a === b;
}

/** `<` `<=` `>` `>=`: two numbers or two strings (UTF-16 order, as Java); false when a side is null. */
export function compare(op: '<' | '<=' | '>' | '>=', a: unknown, b: unknown, pos: number): boolean {
  if (a === null || b === null) return false;
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) {
    throw new ExpressionEvaluationError(`cannot compare ${typeName(a)} with ${typeName(b)}`, pos);
  }
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function finite(n: number, pos: number): number {
  if (!Number.isFinite(n)) throw new ExpressionEvaluationError('number out of range', pos);
  return n;
}
