/** Every built-in function by its full name. A Map, so a name can never reach an object prototype. */
import { ARRAY_FUNCTIONS } from './arrays.js';
import { CONVERT_FUNCTIONS } from './convert.js';
import { GROUP_FUNCTIONS } from './groups.js';
import { STRING_FUNCTIONS } from './string.js';
import type { FunctionDef } from './types.js';
import { USER_FUNCTIONS } from './user.js';

const FUNCTIONS = new Map<string, FunctionDef>([
  ...STRING_FUNCTIONS,
  ...ARRAY_FUNCTIONS,
  ...CONVERT_FUNCTIONS,
  ...GROUP_FUNCTIONS,
  ...USER_FUNCTIONS,
]);

export function lookupFunction(name: string): FunctionDef | undefined {
  return FUNCTIONS.get(name);
}

