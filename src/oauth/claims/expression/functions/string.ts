/**
 * Okta's String.* functions. Semantics follow the Apache Commons StringUtils methods they are named
 * after: a null input gives null (String.len gives 0, predicates give false); other arguments must be
 * strings (indexes integers). String.replace and replaceFirst take a regex (Java `replaceAll` /
 * `replaceFirst`), run through the regex safety checks, with Java's `$n` / `\x` replacement syntax.
 */
import { SafeRegex } from '../../regex/safe-regex.js';
import { MAX_STRING_LENGTH } from '../limits.js';
import { fn, integer, string, stringOrNull, text, type FunctionCall, type FunctionTable } from './types.js';

const mapNullable = (f: (s: string) => unknown) => (args: readonly unknown[], call: FunctionCall) => {
  const s = stringOrNull(call, args, 0);
  return s === null ? null : f(s);
};

function substringBefore(s: string, sep: string): string {
  if (sep === '') return '';
  const i = s.indexOf(sep);
  return i < 0 ? s : s.slice(0, i);
}

function substringAfter(s: string, sep: string): string {
  const i = s.indexOf(sep);
  return i < 0 ? '' : s.slice(i + sep.length);
}

/** Indexes are clamped to the string rather than failing as Java's substring would. */
function substring(s: string, start: number, end: number): string {
  const from = Math.min(Math.max(start, 0), s.length);
  const to = Math.min(Math.max(end, 0), s.length);
  return to > from ? s.slice(from, to) : '';
}

/** Java's replacement syntax: `$n` is group n (longest number that names a group), `\x` is x. */
function expand(template: string, groups: readonly (string | undefined)[], call: FunctionCall): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\') {
      if (i + 1 >= template.length) call.fail('replacement ends with a backslash');
      out += template[++i];
    } else if (c === '$') {
      let j = i + 1;
      if (!/[0-9]/.test(template[j] ?? '')) call.fail("'$' in a replacement must be followed by a group number (write \\$ for a dollar)");
      let group = Number(template[j++]);
      while (/[0-9]/.test(template[j] ?? '') && group * 10 + Number(template[j]) < groups.length) group = group * 10 + Number(template[j++]);
      if (group >= groups.length) call.fail(`replacement refers to group ${group}, which the pattern does not have`);
      out += groups[group] ?? '';
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

function replace(all: boolean) {
  return (args: readonly unknown[], call: FunctionCall): unknown => {
    const input = stringOrNull(call, args, 0);
    const regex = SafeRegex.compile(string(call, args, 1));
    const template = string(call, args, 2);
    if (input === null) return null;
    let produced = 0;
    return regex.replace(input, all, call.regexBudget, (groups) => {
      const piece = expand(template, groups, call);
      // Bound the output while it is built, not after: "a" replaced by a long text, in a long input.
      produced += piece.length;
      if (produced > MAX_STRING_LENGTH) call.fail(`result longer than ${MAX_STRING_LENGTH} characters`);
      return piece;
    });
  };
}

export const STRING_FUNCTIONS: FunctionTable = [
  fn('String.toUpperCase', 1, 1, mapNullable((s) => s.toUpperCase())),
  fn('String.toLowerCase', 1, 1, mapNullable((s) => s.toLowerCase())),
  fn('String.removeSpaces', 1, 1, mapNullable((s) => s.replace(/\s+/g, ''))),
  fn('String.len', 1, 1, (args, call) => stringOrNull(call, args, 0)?.length ?? 0),
  fn('String.substringBefore', 2, 2, (args, call) => {
    const [s, sep] = [stringOrNull(call, args, 0), string(call, args, 1)];
    return s === null ? null : substringBefore(s, sep);
  }),
  fn('String.substringAfter', 2, 2, (args, call) => {
    const [s, sep] = [stringOrNull(call, args, 0), string(call, args, 1)];
    return s === null ? null : substringAfter(s, sep);
  }),
  fn('String.substring', 3, 3, (args, call) => {
    const [s, start, end] = [stringOrNull(call, args, 0), integer(call, args, 1), integer(call, args, 2)];
    return s === null ? null : substring(s, start, end);
  }),
  fn('String.append', 2, 2, (args, call) => {
    const [s, suffix] = [stringOrNull(call, args, 0), stringOrNull(call, args, 1)];
    return s === null && suffix === null ? null : (s ?? '') + (suffix ?? '');
  }),
  // Varargs; arrays among them are spread (Java would bind a list as the varargs array); nulls skipped.
  fn('String.join', 1, Infinity, (args, call) => {
    const sep = string(call, args, 0);
    const parts = args.slice(1).flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : [v]));
    const texts = parts.filter((v) => v !== null && v !== undefined).map((v) => text(call, v));
    const length = texts.reduce((n, t) => n + t.length + sep.length, 0);
    if (length > MAX_STRING_LENGTH + sep.length) call.fail(`result longer than ${MAX_STRING_LENGTH} characters`);
    return texts.join(sep);
  }),
  fn('String.replace', 3, 3, replace(true)),
  fn('String.replaceFirst', 3, 3, replace(false)),
  fn('String.stringContains', 2, 2, (args, call) => {
    const [s, search] = [stringOrNull(call, args, 0), string(call, args, 1)];
    return s !== null && s.includes(search);
  }),
  fn('String.startsWith', 2, 2, (args, call) => {
    const [s, prefix] = [stringOrNull(call, args, 0), string(call, args, 1)];
    return s !== null && s.startsWith(prefix);
  }),
  fn('String.endsWith', 2, 2, (args, call) => {
    const [s, suffix] = [stringOrNull(call, args, 0), string(call, args, 1)];
    return s !== null && s.endsWith(suffix);
  }),
  // (input, default, key1, value1, …): the value of the first key the input contains, else default.
  fn('String.stringSwitch', 2, Infinity, (args, call) => {
    const [s, fallback] = [stringOrNull(call, args, 0), stringOrNull(call, args, 1)];
    if (args.length % 2 !== 0) call.fail('expects key/value pairs after the input and the default');
    for (let i = 2; i < args.length; i += 2) {
      const key = string(call, args, i);
      const value = stringOrNull(call, args, i + 1);
      if (s !== null && s.includes(key)) return value;
    }
    return fallback;
  }),
];
