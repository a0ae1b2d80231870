/**
 * Okta's SCIM-style `filter` expressions (https://developer.okta.com/docs/api/#filter), parsed into a
 * small syntax tree that each resource (users, System Log, trusted origins) maps onto its own store
 * filter, refusing what it does not support:
 *
 *   eventType eq "user.session.start" and (outcome.result eq "FAILURE" or not (actor.id pr))
 *
 * `not` binds tighter than `and`, `and` tighter than `or`; operators and keywords are
 * case-insensitive; values are quoted strings, numbers, true, false or null. Attribute brackets
 * (`emails[type eq "work"]`) are not supported, as Okta documents for the System Log.
 * Any syntax error throws FilterSyntaxError; callers turn it into their Okta error.
 */

export type FilterOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le' | 'pr';

export type FilterValue = string | number | boolean | null;

export type FilterNode =
  | { op: 'and' | 'or'; terms: FilterNode[] }
  | { op: 'not'; term: FilterNode }
  | { attribute: string; cmp: Exclude<FilterOperator, 'pr'>; value: FilterValue }
  | { attribute: string; cmp: 'pr' };

export class FilterSyntaxError extends Error {
  override name = 'FilterSyntaxError';
}

const OPERATORS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr']);
const MAX_LENGTH = 4096;
const MAX_TERMS = 100;
const MAX_DEPTH = 32;

type Token =
  | { kind: 'lparen' | 'rparen' }
  | { kind: 'word'; text: string }
  | { kind: 'value'; value: FilterValue };

function fail(message: string): never {
  throw new FilterSyntaxError(message);
}

function readString(input: string, start: number): [string, number] {
  let text = '';
  let i = start + 1;
  for (;;) {
    if (i >= input.length) fail('unterminated string');
    const c = input[i]!;
    if (c === '"') return [text, i + 1];
    if (c === '\\') {
      const next = input[i + 1];
      if (next === undefined) fail('unterminated string');
      text += next;
      i += 2;
    } else {
      text += c;
      i++;
    }
  }
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    const rest = input.slice(i);
    let m: RegExpExecArray | null;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch === '(' ? 'lparen' : 'rparen' });
      i++;
    } else if (ch === '"') {
      const [text, next] = readString(input, i);
      tokens.push({ kind: 'value', value: text });
      i = next;
    } else if ((m = /^-?\d+(\.\d+)?(?![A-Za-z0-9_.])/.exec(rest))) {
      tokens.push({ kind: 'value', value: Number(m[0]) });
      i += m[0].length;
    } else if ((m = /^[A-Za-z_$][A-Za-z0-9_$.:-]*/.exec(rest))) {
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    } else {
      fail(`unexpected character ${JSON.stringify(ch)}`);
    }
  }
  return tokens;
}

class Parser {
  #pos = 0;
  #terms = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.#or(0);
    if (this.#pos !== this.tokens.length) fail('unexpected input after the expression');
    return node;
  }

  #keyword(): string | undefined {
    const t = this.tokens[this.#pos];
    return t?.kind === 'word' ? t.text.toLowerCase() : undefined;
  }

  #or(depth: number): FilterNode {
    const terms = [this.#and(depth)];
    while (this.#keyword() === 'or') {
      this.#pos++;
      terms.push(this.#and(depth));
    }
    return terms.length === 1 ? terms[0]! : { op: 'or', terms };
  }

  #and(depth: number): FilterNode {
    const terms = [this.#unary(depth)];
    while (this.#keyword() === 'and') {
      this.#pos++;
      terms.push(this.#unary(depth));
    }
    return terms.length === 1 ? terms[0]! : { op: 'and', terms };
  }

  #unary(depth: number): FilterNode {
    if (depth >= MAX_DEPTH) fail('expression nested too deeply');
    const t = this.tokens[this.#pos];
    if (this.#keyword() === 'not' && this.tokens[this.#pos + 1]?.kind === 'lparen') {
      this.#pos++;
      return { op: 'not', term: this.#unary(depth + 1) };
    }
    if (t?.kind === 'lparen') {
      this.#pos++;
      const inner = this.#or(depth + 1);
      if (this.tokens[this.#pos]?.kind !== 'rparen') fail('missing )');
      this.#pos++;
      return inner;
    }
    return this.#comparison();
  }

  #comparison(): FilterNode {
    const attr = this.tokens[this.#pos];
    const op = this.tokens[this.#pos + 1];
    if (attr?.kind !== 'word') fail('expected an attribute');
    if (op?.kind !== 'word' || !OPERATORS.has(op.text.toLowerCase())) fail(`expected an operator after ${attr.text}`);
    if (++this.#terms > MAX_TERMS) fail('too many terms');
    const cmp = op.text.toLowerCase() as FilterOperator;
    if (cmp === 'pr') {
      this.#pos += 2;
      return { attribute: attr.text, cmp };
    }
    const value = this.tokens[this.#pos + 2];
    let parsed: FilterValue;
    if (value?.kind === 'value') parsed = value.value;
    else if (value?.kind === 'word' && ['true', 'false', 'null'].includes(value.text)) parsed = JSON.parse(value.text) as FilterValue;
    else fail(`expected a value after ${attr.text} ${op.text}`);
    this.#pos += 3;
    return { attribute: attr.text, cmp, value: parsed };
  }
}

/** Parses a filter expression; throws FilterSyntaxError when it is not well-formed. */
export function parseFilterExpression(expression: string): FilterNode {
  if (expression.length > MAX_LENGTH) fail('expression too long');
  const tokens = tokenize(expression);
  if (tokens.length === 0) fail('empty expression');
  return new Parser(tokens).parse();
}
