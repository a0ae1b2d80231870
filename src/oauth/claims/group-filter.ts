/**
 * The filter of a GROUPS claim (`valueType: GROUPS`, `group_filter_type`): the names of the user's
 * groups that pass it, in the order given, at most 100 as Okta caps the groups claim. Matching is
 * case-sensitive; REGEX matches the whole name (Java `matches`) and goes through the same safety
 * checks and work budget as expression regexes, throwing UnsafeRegexError when refused.
 */
import { UnsafeRegexError } from './regex/errors.js';
import { RegexBudget, SafeRegex } from './regex/safe-regex.js';

export { UnsafeRegexError };

export type GroupFilterType = 'STARTS_WITH' | 'EQUALS' | 'CONTAINS' | 'REGEX';

export const MAX_GROUPS_IN_CLAIM = 100;

function matcher(type: GroupFilterType, value: string): (name: string) => boolean {
  switch (type) {
    case 'STARTS_WITH':
      return (name) => name.startsWith(value);
    case 'EQUALS':
      return (name) => name === value;
    case 'CONTAINS':
      return (name) => name.includes(value);
    case 'REGEX': {
      const regex = SafeRegex.compile(value);
      const budget = new RegexBudget();
      return (name) => regex.matches(name, budget);
    }
    default:
      throw new TypeError(`unknown group filter type: ${String(type)}`);
  }
}

export function filterGroups(groups: readonly { name: string }[], type: GroupFilterType, value: string): string[] {
  const matches = matcher(type, value);
  const out: string[] = [];
  for (const group of groups) {
    if (out.length >= MAX_GROUPS_IN_CLAIM) break;
    if (matches(group.name)) out.push(group.name);
  }
  return out;
}
