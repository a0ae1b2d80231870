/**
 * Okta's Arrays.* functions. A null array reads as empty (toCsvString gives null). Arrays.isEmpty also
 * takes a string, as Okta's documented `Arrays.isEmpty(Arrays.toCsvString(…))` idiom relies on.
 */
import { MAX_ARRAY_LENGTH, MAX_STRING_LENGTH } from '../limits.js';
import { equals, typeName } from '../values.js';
import { arrayOrNull, fn, text, type FunctionCall, type FunctionTable } from './types.js';

/** Profile arrays can nest; flattening stops well before the stack would. */
const MAX_FLATTEN_DEPTH = 16;

function flattenInto(out: unknown[], v: unknown, depth: number, call: FunctionCall): void {
  if (v === null || v === undefined) return;
  if (!Array.isArray(v)) {
    if (out.length >= MAX_ARRAY_LENGTH) call.fail(`result longer than ${MAX_ARRAY_LENGTH} elements`);
    out.push(v);
    return;
  }
  if (depth >= MAX_FLATTEN_DEPTH) call.fail(`arrays nested deeper than ${MAX_FLATTEN_DEPTH} levels`);
  for (const item of v) flattenInto(out, item, depth + 1, call);
}

export const ARRAY_FUNCTIONS: FunctionTable = [
  fn('Arrays.contains', 2, 2, (args, call) => (arrayOrNull(call, args, 0) ?? []).some((v) => equals(v, args[1] ?? null))),
  fn('Arrays.size', 1, 1, (args, call) => (arrayOrNull(call, args, 0) ?? []).length),
  fn('Arrays.isEmpty', 1, 1, (args, call) => {
    const v = args[0] ?? null;
    if (v === null) return true;
    if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
    return call.fail(`argument 1 must be an array or a string, not ${typeName(v)}`);
  }),
  // Null elements become empty fields, as in a CSV row.
  fn('Arrays.toCsvString', 1, 1, (args, call) => {
    const array = arrayOrNull(call, args, 0);
    if (array === null) return null;
    const csv = array.map((v) => (v === null || v === undefined ? '' : text(call, v))).join(',');
    if (csv.length > MAX_STRING_LENGTH) call.fail(`result longer than ${MAX_STRING_LENGTH} characters`);
    return csv;
  }),
  // Any number of values and arrays, nested arrays included, into one flat array; nulls dropped.
  fn('Arrays.flatten', 0, Infinity, (args, call) => {
    const out: unknown[] = [];
    for (const v of args) flattenInto(out, v, 0, call);
    return out;
  }),
];
