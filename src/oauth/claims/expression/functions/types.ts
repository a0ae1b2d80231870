/**
 * The shape of a built-in function and the argument checks they share. Arguments arrive evaluated;
 * a function checks their types itself and fails through `call.fail`, which names the function and
 * the call's position.
 */
import type { RegexBudget } from '../../regex/safe-regex.js';
import type { ExpressionContext } from '../scope.js';
import { typeName } from '../values.js';

export interface FunctionCall {
  readonly name: string;
  readonly ctx: ExpressionContext;
  readonly regexBudget: RegexBudget;
  fail(reason: string): never;
}

export interface FunctionDef {
  readonly minArgs: number;
  /** Infinity for varargs. */
  readonly maxArgs: number;
  call(args: readonly unknown[], call: FunctionCall): unknown;
}

export type FunctionTable = readonly (readonly [string, FunctionDef])[];

/** Builds a table entry. */
export function fn(name: string, minArgs: number, maxArgs: number, call: FunctionDef['call']): readonly [string, FunctionDef] {
  return [name, { minArgs, maxArgs, call }];
}

/** A string, or null where the function gives null (or a neutral result) for a missing input. */
export function stringOrNull(call: FunctionCall, args: readonly unknown[], i: number): string | null {
  const v = args[i] ?? null;
  if (v === null || typeof v === 'string') return v;
  return call.fail(`argument ${i + 1} must be a string, not ${typeName(v)}`);
}

export function string(call: FunctionCall, args: readonly unknown[], i: number): string {
  const v = args[i];
  if (typeof v === 'string') return v;
  return call.fail(`argument ${i + 1} must be a string, not ${typeName(v)}`);
}

export function integer(call: FunctionCall, args: readonly unknown[], i: number): number {
  const v = args[i];
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return call.fail(`argument ${i + 1} must be an integer, not ${typeof v === 'number' ? v : typeName(v)}`);
}

export function arrayOrNull(call: FunctionCall, args: readonly unknown[], i: number): readonly unknown[] | null {
  const v = args[i] ?? null;
  if (v === null || Array.isArray(v)) return v;
  return call.fail(`argument ${i + 1} must be an array, not ${typeName(v)}`);
}

/** Text of a scalar element, for joins. */
export function text(call: FunctionCall, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return call.fail(`cannot use ${typeName(v)} as text`);
}
