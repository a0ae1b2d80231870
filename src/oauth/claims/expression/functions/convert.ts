/**
 * Okta's Convert.* functions. Strings must be plain decimal numbers (no trimming, no hex); toInt gives
 * a 32-bit integer as Java's int, rounding numbers half away from zero. Null gives null.
 */
import { typeName } from '../values.js';
import { fn, type FunctionCall, type FunctionTable } from './types.js';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

function toNumber(v: unknown, pattern: RegExp, call: FunctionCall): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && pattern.test(v)) {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
  }
  return call.fail(typeof v === 'string' ? `cannot convert '${v.slice(0, 40)}' to a number` : `cannot convert ${typeName(v)} to a number`);
}

export const CONVERT_FUNCTIONS: FunctionTable = [
  fn('Convert.toInt', 1, 1, (args, call) => {
    const n = toNumber(args[0], INTEGER, call);
    if (n === null) return null;
    const rounded = Math.sign(n) * Math.round(Math.abs(n));
    if (rounded < INT_MIN || rounded > INT_MAX) call.fail('value out of the integer range');
    return rounded === 0 ? 0 : rounded; // no -0 in tokens
  }),
  fn('Convert.toNum', 1, 1, (args, call) => toNumber(args[0], DECIMAL, call)),
];
