/**
 * Group functions over the user's groups (`ExpressionContext.groups`), case-sensitive as Okta's.
 * Groups.startsWith/contains/endsWith(app, pattern, limit) return group names; the app "OKTA" means
 * Okta groups, and as Gatehouse has no groups sourced from apps or directories, any other app gives [].
 */
import { SafeRegex } from '../../regex/safe-regex.js';
import { MAX_GROUPS_LIMIT } from '../limits.js';
import { typeName } from '../values.js';
import { fn, integer, string, type FunctionCall, type FunctionDef, type FunctionTable } from './types.js';

type NameTest = (name: string, pattern: string) => boolean;

const nameIs: NameTest = (name, pattern) => name === pattern;
const nameStartsWith: NameTest = (name, pattern) => name.startsWith(pattern);
const nameContains: NameTest = (name, pattern) => name.includes(pattern);
const nameEndsWith: NameTest = (name, pattern) => name.endsWith(pattern);

function isMemberBy(test: NameTest): FunctionDef['call'] {
  return (args, call) => {
    const pattern = string(call, args, 0);
    return call.ctx.groups.some((g) => test(g.name, pattern));
  };
}

function groupsBy(test: NameTest): FunctionDef['call'] {
  return (args, call) => {
    const app = string(call, args, 0);
    const pattern = string(call, args, 1);
    const limit = integer(call, args, 2);
    if (limit < 1 || limit > MAX_GROUPS_LIMIT) call.fail(`limit must be between 1 and ${MAX_GROUPS_LIMIT}`);
    if (app !== 'OKTA') return [];
    return call.ctx.groups.filter((g) => test(g.name, pattern)).slice(0, limit).map((g) => g.name);
  };
}

/** Group ids from the arguments: strings, or arrays of strings (Okta's `{"00g1", "00g2"}`). */
function groupIds(args: readonly unknown[], call: FunctionCall): string[] {
  return args.flatMap((v, i) => {
    const items = Array.isArray(v) ? (v as unknown[]) : [v];
    return items.map((id) => (typeof id === 'string' ? id : call.fail(`argument ${i + 1} must be a group id, not ${typeName(id)}`)));
  });
}

export const GROUP_FUNCTIONS: FunctionTable = [
  fn('isMemberOfGroup', 1, 1, (args, call) => {
    const id = string(call, args, 0);
    return call.ctx.groups.some((g) => g.id === id);
  }),
  fn('isMemberOfAnyGroup', 1, Infinity, (args, call) => {
    const ids = new Set(groupIds(args, call));
    return call.ctx.groups.some((g) => ids.has(g.id));
  }),
  fn('isMemberOfGroupName', 1, 1, isMemberBy(nameIs)),
  fn('isMemberOfGroupNameStartsWith', 1, 1, isMemberBy(nameStartsWith)),
  fn('isMemberOfGroupNameContains', 1, 1, isMemberBy(nameContains)),
  // The whole name must match, as Java's String.matches.
  fn('isMemberOfGroupNameRegex', 1, 1, (args, call) => {
    const regex = SafeRegex.compile(string(call, args, 0));
    return call.ctx.groups.some((g) => regex.matches(g.name, call.regexBudget));
  }),
  fn('Groups.startsWith', 3, 3, groupsBy(nameStartsWith)),
  fn('Groups.contains', 3, 3, groupsBy(nameContains)),
  fn('Groups.endsWith', 3, 3, groupsBy(nameEndsWith)),
];
