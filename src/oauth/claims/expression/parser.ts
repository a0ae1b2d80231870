/**
 * A Pratt parser for the expression subset. Precedence, loosest first:
 *   ?:  (right-associative)   OR ||   AND &&   == != < <= > >= (not chainable)   + -
 *   prefix ! NOT -   postfix .name and calls
 * Only named functions can be called (`fn(…)`, `Namespace.fn(…)`): SpEL method calls on values,
 * `T(…)`, indexing, assignment and projections are not part of the language here.
 */
import type { BinaryOperator, Expression } from './ast.js';
import { ExpressionSyntaxError } from './errors.js';
import { MAX_NESTING_DEPTH } from './limits.js';
import { tokenize, type Token } from './tokens.js';

/** Names that reach JavaScript object machinery; refused wherever a name appears. */
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** Binding powers: an infix operator binds when its power exceeds the caller's minimum. */
const Bp = { None: 0, Ternary: 1, Or: 2, And: 3, Comparison: 4, Additive: 5 } as const;
type Bp = (typeof Bp)[keyof typeof Bp];

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of expression';
    case 'string':
      return 'string';
    case 'number':
      return `number ${t.value}`;
    default:
      return `'${t.value}'`;
  }
}

class Parser {
  readonly #tokens: Token[];
  #i = 0;
  #depth = 0;

  constructor(source: string) {
    this.#tokens = tokenize(source);
  }

  parse(): Expression {
    if (this.#peek().kind === 'eof') throw new ExpressionSyntaxError('empty expression', 0);
    const expr = this.#expression(Bp.None);
    const rest = this.#peek();
    if (rest.kind !== 'eof') throw new ExpressionSyntaxError(`unexpected ${describe(rest)}`, rest.pos);
    return expr;
  }

  #peek(): Token {
    return this.#tokens[this.#i]!;
  }

  #next(): Token {
    return this.#tokens[this.#i++]!;
  }

  #isPunct(value: string): boolean {
    const t = this.#peek();
    return t.kind === 'punct' && t.value === value;
  }

  #expect(value: string, context: string): void {
    const t = this.#peek();
    if (!this.#isPunct(value)) throw new ExpressionSyntaxError(`expected '${value}' ${context}, found ${describe(t)}`, t.pos);
    this.#i++;
  }

  /** The keyword (AND, OR, NOT, case-insensitive as in SpEL) the next token is, if any. */
  #keyword(): string | undefined {
    const t = this.#peek();
    return t.kind === 'name' ? t.value.toUpperCase() : undefined;
  }

  /** Every recursive descent goes through here, so nesting is bounded before the stack is. */
  #nested<T>(pos: number, parse: () => T): T {
    if (++this.#depth > MAX_NESTING_DEPTH) throw new ExpressionSyntaxError(`expression nested deeper than ${MAX_NESTING_DEPTH} levels`, pos);
    try {
      return parse();
    } finally {
      this.#depth--;
    }
  }

  /** The binding power and normalized operator of the next token as an infix operator. */
  #infix(): { bp: Bp; op: string } | undefined {
    const t = this.#peek();
    if (t.kind === 'punct') {
      if (t.value === '?') return { bp: Bp.Ternary, op: '?' };
      if (t.value === '||') return { bp: Bp.Or, op: '||' };
      if (t.value === '&&') return { bp: Bp.And, op: '&&' };
      if (COMPARISONS.has(t.value)) return { bp: Bp.Comparison, op: t.value };
      if (t.value === '+' || t.value === '-') return { bp: Bp.Additive, op: t.value };
    }
    const kw = this.#keyword();
    if (kw === 'OR') return { bp: Bp.Or, op: '||' };
    if (kw === 'AND') return { bp: Bp.And, op: '&&' };
    return undefined;
  }

  #expression(minBp: Bp): Expression {
    return this.#nested(this.#peek().pos, () => {
      let left = this.#prefix();
      let comparedAlready = false;
      for (let infix = this.#infix(); infix && infix.bp > minBp; infix = this.#infix()) {
        const pos = this.#next().pos;
        if (infix.op === '?') {
          const consequent = this.#expression(Bp.None);
          this.#expect(':', "in a conditional 'test ? a : b'");
          const alternate = this.#expression(Bp.None);
          left = { type: 'Conditional', test: left, consequent, alternate, pos };
        } else if (infix.op === '&&' || infix.op === '||') {
          left = { type: 'Logical', operator: infix.op, left, right: this.#expression(infix.bp), pos };
        } else {
          if (infix.bp === Bp.Comparison) {
            if (comparedAlready) throw new ExpressionSyntaxError('comparisons cannot be chained; add parentheses', pos);
            comparedAlready = true;
          }
          left = { type: 'Binary', operator: infix.op as BinaryOperator, left, right: this.#expression(infix.bp), pos };
        }
      }
      return left;
    });
  }

  #prefix(): Expression {
    const t = this.#peek();
    const kw = this.#keyword();
    if ((t.kind === 'punct' && (t.value === '!' || t.value === '-')) || kw === 'NOT') {
      this.#i++;
      const operator = t.kind === 'punct' && t.value === '-' ? '-' : '!';
      return { type: 'Unary', operator, operand: this.#nested(t.pos, () => this.#prefix()), pos: t.pos };
    }
    return this.#postfix(this.#primary());
  }

  #primary(): Expression {
    const t = this.#next();
    switch (t.kind) {
      case 'string':
      case 'number':
        return { type: 'Literal', value: t.value, pos: t.pos };
      case 'name': {
        const word = t.value.toLowerCase();
        if (word === 'true' || word === 'false') return { type: 'Literal', value: word === 'true', pos: t.pos };
        if (word === 'null') return { type: 'Literal', value: null, pos: t.pos };
        if (word === 'and' || word === 'or') throw new ExpressionSyntaxError(`'${t.value}' needs an operand before it`, t.pos);
        return { type: 'Identifier', name: checkName(t.value, t.pos), pos: t.pos };
      }
      case 'punct':
        if (t.value === '(') {
          const inner = this.#expression(Bp.None);
          this.#expect(')', `to close '(' at position ${t.pos}`);
          return inner;
        }
        if (t.value === '{') return { type: 'Array', elements: this.#list('}', t.pos), pos: t.pos };
        throw new ExpressionSyntaxError(`unexpected ${describe(t)}`, t.pos);
      case 'eof':
        throw new ExpressionSyntaxError('unexpected end of expression', t.pos);
    }
  }

  #postfix(expr: Expression): Expression {
    for (;;) {
      if (this.#isPunct('.')) {
        this.#i++;
        const name = this.#next();
        if (name.kind !== 'name') throw new ExpressionSyntaxError(`expected an attribute name after '.', found ${describe(name)}`, name.pos);
        expr = { type: 'Member', object: expr, name: checkName(name.value, name.pos), pos: name.pos };
      } else if (this.#isPunct('(')) {
        const open = this.#next();
        const callee = calleeName(expr);
        if (callee === undefined) {
          throw new ExpressionSyntaxError('only functions such as String.toUpperCase(…) can be called; methods on values are not supported', open.pos);
        }
        const pos = expr.type === 'Member' ? expr.object.pos : expr.pos;
        expr = { type: 'Call', callee, args: this.#list(')', open.pos), pos };
      } else {
        return expr;
      }
    }
  }

  /** Comma-separated expressions up to `close`; the opening token was consumed. */
  #list(close: string, openPos: number): Expression[] {
    const items: Expression[] = [];
    if (this.#isPunct(close)) {
      this.#i++;
      return items;
    }
    for (;;) {
      items.push(this.#expression(Bp.None));
      if (this.#isPunct(',')) {
        this.#i++;
        continue;
      }
      this.#expect(close, `to close the list opened at position ${openPos}`);
      return items;
    }
  }
}

function checkName(name: string, pos: number): string {
  if (FORBIDDEN_NAMES.has(name) || name.startsWith('__')) throw new ExpressionSyntaxError(`'${name}' is not an accessible name`, pos);
  return name;
}

/** `fn` or `Namespace.fn`; anything else is a method call on a value. */
function calleeName(expr: Expression): string | undefined {
  if (expr.type === 'Identifier') return expr.name;
  if (expr.type === 'Member' && expr.object.type === 'Identifier') return `${expr.object.name}.${expr.name}`;
  return undefined;
}

export function parse(source: string): Expression {
  return new Parser(source).parse();
}
