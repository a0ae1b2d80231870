/**
 * A checker for the regular-expression subset claims accept (Java-style patterns as Okta takes them).
 * It exists for safety, not matching: V8 backtracks, so it refuses the constructs that make matching
 * exponential (a repeated group that itself repeats or alternates, backreferences, lookaround) and
 * keeps the pattern's shape for cost.ts, which bounds the remaining polynomial worst case (`a*a*a*b`)
 * for a given input length before V8 runs the pattern.
 */
import { worstCaseSteps } from './cost.js';
import { UnsafeRegexError } from './errors.js';

export const MAX_PATTERN_LENGTH = 256;
/** Largest `{n,m}` bound; bigger ones are a typo or an attack. */
const MAX_REPEAT_BOUND = 1000;

/** What the cost model needs: atoms (anchors have width 0), sequences, alternations, quantifiers. */
export type PatternNode =
  | { kind: 'atom'; width: 0 | 1 }
  | { kind: 'seq'; items: PatternNode[] }
  | { kind: 'alt'; branches: PatternNode[] }
  | { kind: 'quant'; min: number; max: number; body: PatternNode };

export interface CheckedPattern {
  /** The JavaScript source, with a leading `(?i)` turned into `ignoreCase`. */
  source: string;
  ignoreCase: boolean;
  /** Capturing groups, for `$n` in replacements. */
  groupCount: number;
  /** Upper bound on the steps of one match attempt (one start position) on an input of length n. */
  work(n: number): number;
}

const ATOM: PatternNode = { kind: 'atom', width: 1 };
const ANCHOR: PatternNode = { kind: 'atom', width: 0 };
const QUANTIFIER = /^\{(\d+)(,(\d*))?\}/;

class PatternParser {
  pos = 0;
  groupCount = 0;

  constructor(private readonly src: string) {}

  fail(reason: string): never {
    throw new UnsafeRegexError(`${reason} (pattern position ${this.pos})`);
  }

  peek(): string | undefined {
    return this.src[this.pos];
  }

  parseAll(): PatternNode {
    const node = this.parseAlt();
    if (this.pos < this.src.length) this.fail("unbalanced ')'");
    return node;
  }

  parseAlt(): PatternNode {
    const branches = [this.parseSeq()];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.parseSeq());
    }
    return branches.length === 1 ? branches[0]! : { kind: 'alt', branches };
  }

  parseSeq(): PatternNode {
    const items: PatternNode[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) {
      const { node, repeatable } = this.parseAtom();
      items.push(this.parseQuantifier(node, repeatable));
    }
    return { kind: 'seq', items };
  }

  parseAtom(): { node: PatternNode; repeatable: boolean } {
    const c = this.peek()!;
    switch (c) {
      case '(':
        return { node: this.parseGroup(), repeatable: true };
      case '[':
        this.parseClass();
        return { node: ATOM, repeatable: true };
      case '^':
      case '$':
        this.pos++;
        return { node: ANCHOR, repeatable: false };
      case '\\':
        return this.parseEscape();
      case '*':
      case '+':
      case '?':
        return this.fail('nothing to repeat');
      case '{':
        return this.fail(QUANTIFIER.test(this.src.slice(this.pos)) ? 'nothing to repeat' : "a literal '{' must be escaped");
      case ']':
      case '}':
        return this.fail(`a literal '${c}' must be escaped`);
      default:
        this.pos++;
        return { node: ATOM, repeatable: true };
    }
  }

  parseGroup(): PatternNode {
    this.pos++; // (
    if (this.peek() === '?') {
      if (this.src[this.pos + 1] !== ':') this.fail('lookaround, named groups and inline flags are not supported');
      this.pos += 2;
    } else {
      this.groupCount++;
    }
    const body = this.parseAlt();
    if (this.peek() !== ')') this.fail("missing ')'");
    this.pos++;
    return body;
  }

  parseClass(): void {
    this.pos++; // [
    if (this.peek() === '^') this.pos++;
    if (this.peek() === ']') this.fail('empty character class');
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail("missing ']'");
      if (c === ']') break;
      if (c === '[') this.fail("nested character classes are not supported; escape '['");
      if (c === '&' && this.src[this.pos + 1] === '&') this.fail('class intersection (&&) is not supported');
      if (c === '\\') this.parseEscape(true);
      else this.pos++;
    }
    this.pos++; // ]
  }

  parseEscape(inClass = false): { node: PatternNode; repeatable: boolean } {
    const e = this.src[this.pos + 1];
    if (e === undefined) this.fail('pattern ends with a backslash');
    this.pos += 2;
    if ('dDwWsStnrf'.includes(e)) return { node: ATOM, repeatable: true };
    if (e === 'b' || e === 'B') {
      if (inClass) this.fail(`\\${e} is not allowed in a character class`);
      return { node: ANCHOR, repeatable: false };
    }
    if (e === 'x' || e === 'u') {
      const digits = e === 'x' ? 2 : 4;
      const hex = this.src.slice(this.pos, this.pos + digits);
      if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) this.fail(`\\${e} needs ${digits} hexadecimal digits`);
      this.pos += digits;
      return { node: ATOM, repeatable: true };
    }
    if (/[0-9]/.test(e)) this.fail('backreferences and octal escapes are not supported');
    if (/[A-Za-z]/.test(e)) this.fail(`unsupported escape \\${e}`);
    return { node: ATOM, repeatable: true }; // escaped punctuation is a literal
  }

  parseQuantifier(body: PatternNode, repeatable: boolean): PatternNode {
    const q = this.readQuantifier();
    if (!q) return body;
    if (!repeatable) this.fail('an anchor cannot be repeated');
    if (this.peek() === '?') this.pos++; // lazy: same worst case
    if (this.readQuantifier(true)) this.fail('a quantifier cannot follow a quantifier (possessive quantifiers are not supported)');
    // The catastrophic shape: a repeated body that can match one stretch of input in many ways.
    if (q.max > 1 && isAmbiguous(body)) this.fail('nested quantifier: a repeated group may not itself contain a quantifier or |');
    return { kind: 'quant', min: q.min, max: q.max, body };
  }

  readQuantifier(peekOnly = false): { min: number; max: number } | undefined {
    const c = this.peek();
    let q: { min: number; max: number } | undefined;
    let length = 1;
    if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '?') q = { min: 0, max: 1 };
    else if (c === '{') {
      const m = QUANTIFIER.exec(this.src.slice(this.pos));
      if (!m) return undefined; // parseAtom reports the stray '{'
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (min > MAX_REPEAT_BOUND || (max !== Infinity && max > MAX_REPEAT_BOUND)) this.fail(`repeat bounds are limited to ${MAX_REPEAT_BOUND}`);
      if (min > max) this.fail('{min,max} is out of order');
      q = { min, max };
      length = m[0].length;
    }
    if (q && !peekOnly) this.pos += length;
    return q;
  }
}

/** True when the node can match the same text in more than one way (varies in length or has `|`). */
function isAmbiguous(node: PatternNode): boolean {
  switch (node.kind) {
    case 'atom':
      return false;
    case 'seq':
      return node.items.some(isAmbiguous);
    case 'alt':
      return true;
    case 'quant':
      return node.max > node.min || isAmbiguous(node.body);
  }
}

/** Checks a pattern, or throws UnsafeRegexError saying why it is refused. */
export function checkPattern(pattern: string): CheckedPattern {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new UnsafeRegexError(`patterns are limited to ${MAX_PATTERN_LENGTH} characters`);
  // Java's leading inline flag is common in Okta patterns; V8 has no inline flags.
  const ignoreCase = pattern.startsWith('(?i)');
  const source = ignoreCase ? pattern.slice(4) : pattern;
  const parser = new PatternParser(source);
  const tree = parser.parseAll();
  return {
    source,
    ignoreCase,
    groupCount: parser.groupCount,
    work: (n) => worstCaseSteps(tree, n),
  };
}
