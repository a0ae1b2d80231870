/**
 * The tokenizer and parser: literals, precedence and associativity (as S-expressions of the tree),
 * and syntax errors with their positions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpressionSyntaxError, parseExpression, type Expression } from '../../src/oauth/claims/expression/index.js';

/** The tree as an S-expression, positions left out. */
function sexp(e: Expression): string {
  switch (e.type) {
    case 'Literal':
      return JSON.stringify(e.value);
    case 'Array':
      return `{${e.elements.map(sexp).join(' ')}}`;
    case 'Identifier':
      return e.name;
    case 'Member':
      return `${sexp(e.object)}.${e.name}`;
    case 'Call':
      return `(${e.callee}${e.args.map((a) => ` ${sexp(a)}`).join('')})`;
    case 'Unary':
      return `(${e.operator} ${sexp(e.operand)})`;
    case 'Binary':
    case 'Logical':
      return `(${e.operator} ${sexp(e.left)} ${sexp(e.right)})`;
    case 'Conditional':
      return `(? ${sexp(e.test)} ${sexp(e.consequent)} ${sexp(e.alternate)})`;
  }
}

const tree = (source: string): string => sexp(parseExpression(source));

function syntaxError(source: string, position: number, message?: RegExp): void {
  assert.throws(
    () => parseExpression(source),
    (e: unknown) => {
      assert.ok(e instanceof ExpressionSyntaxError, `expected ExpressionSyntaxError for ${JSON.stringify(source)}, got ${String(e)}`);
      assert.equal(e.position, position, `position for ${JSON.stringify(source)}: ${e.message}`);
      if (message) assert.match(e.message, message);
      return true;
    },
  );
}

describe('literals', () => {
  test('strings in either quote, the quote doubled inside, backslash literal', () => {
    assert.equal(tree('"a b"'), '"a b"');
    assert.equal(tree("'a b'"), '"a b"');
    assert.equal(tree("'it''s'"), '"it\'s"');
    assert.equal(tree('"say ""hi"""'), '"say \\"hi\\""');
    assert.equal(tree('"a\\.b"'), '"a\\\\.b"');
    assert.equal(tree('""'), '""');
  });

  test('numbers, booleans and null (keywords case-insensitive)', () => {
    assert.equal(tree('42'), '42');
    assert.equal(tree('3.25'), '3.25');
    assert.equal(tree('true'), 'true');
    assert.equal(tree('FALSE'), 'false');
    assert.equal(tree('Null'), 'null');
  });

  test('array literals, Okta style', () => {
    assert.equal(tree('{"a", "b", 1}'), '{"a" "b" 1}');
    assert.equal(tree('{}'), '{}');
    assert.equal(tree('{{"a"}, {}}'), '{{"a"} {}}');
  });
});

describe('references and calls', () => {
  test('member chains', () => {
    assert.equal(tree('user.email'), 'user.email');
    assert.equal(tree('user.profile.department'), 'user.profile.department');
    assert.equal(tree('(user).email'), 'user.email');
  });

  test('keywords are fine as attribute names', () => {
    assert.equal(tree('user.not'), 'user.not');
    assert.equal(tree('user.AND'), 'user.AND');
    assert.equal(tree('user.null'), 'user.null');
  });

  test('function calls, bare and namespaced', () => {
    assert.equal(tree('isMemberOfGroupName("Admins")'), '(isMemberOfGroupName "Admins")');
    assert.equal(tree('String.toUpperCase(user.login)'), '(String.toUpperCase user.login)');
    assert.equal(tree('Arrays.flatten()'), '(Arrays.flatten)');
    assert.equal(tree('String.join(",", "a", String.toLowerCase("B"))'), '(String.join "," "a" (String.toLowerCase "B"))');
  });

  test('a call position is where its name starts', () => {
    const call = parseExpression('  String.len("x")');
    assert.equal(call.pos, 2);
  });
});

describe('precedence and associativity', () => {
  test('+ and - are left-associative', () => {
    assert.equal(tree('1 - 2 + 3'), '(+ (- 1 2) 3)');
    assert.equal(tree('"a" + "b" + "c"'), '(+ (+ "a" "b") "c")');
  });

  test('comparison binds looser than +', () => {
    assert.equal(tree('1 + 2 == 3'), '(== (+ 1 2) 3)');
    assert.equal(tree('String.len(user.login) - 20 >= 0'), '(>= (- (String.len user.login) 20) 0)');
  });

  test('AND binds tighter than OR, both looser than comparison', () => {
    assert.equal(tree('a OR b AND c'), '(|| a (&& b c))');
    assert.equal(tree('a || b && c'), '(|| a (&& b c))');
    assert.equal(tree('a AND b OR c'), '(|| (&& a b) c)');
    assert.equal(tree('x == 1 and y != 2'), '(&& (== x 1) (!= y 2))');
    assert.equal(tree('a OR b OR c'), '(|| (|| a b) c)');
  });

  test('prefix operators bind tighter than binary, looser than member access', () => {
    assert.equal(tree('!user.isContractor'), '(! user.isContractor)');
    assert.equal(tree('NOT a == b'), '(== (! a) b)');
    assert.equal(tree('not not a'), '(! (! a))');
    assert.equal(tree('-1 + 2'), '(+ (- 1) 2)');
    assert.equal(tree('- -1'), '(- (- 1))');
    assert.equal(tree('!(a == b)'), '(! (== a b))');
  });

  test('?: is loosest and right-associative', () => {
    assert.equal(tree('a ? b : c'), '(? a b c)');
    assert.equal(tree('a OR b ? "x" : "y"'), '(? (|| a b) "x" "y")');
    assert.equal(tree('a ? b : c ? d : e'), '(? a b (? c d e))');
    assert.equal(tree('a ? b ? c : d : e'), '(? a (? b c d) e)');
    assert.equal(tree('a ? "x" + "y" : "z"'), '(? a (+ "x" "y") "z")');
  });

  test('parentheses override', () => {
    assert.equal(tree('(1 + 2) == (3)'), '(== (+ 1 2) 3)');
    assert.equal(tree('(a OR b) AND c'), '(&& (|| a b) c)');
    assert.equal(tree('(1 == 1) == true'), '(== (== 1 1) true)');
  });
});

describe('syntax errors carry a message and a position', () => {
  test('empty or blank input', () => {
    syntaxError('', 0, /empty/);
    syntaxError('   ', 0, /empty/);
  });

  test('unterminated string points at its opening quote', () => {
    syntaxError('user.email + "abc', 13, /unterminated string/);
    syntaxError("'it''s", 0, /unterminated/);
  });

  test('dangling operators and missing operands', () => {
    syntaxError('1 +', 3, /end of expression/);
    syntaxError('a ==', 4, /end of expression/);
    syntaxError('AND b', 0, /operand/);
    syntaxError('a ? b', 5, /expected ':'/);
    syntaxError('* 2', 0, /'\*' is not supported/);
  });

  test('unbalanced brackets', () => {
    syntaxError('(1 + 2', 6, /expected '\)' to close '\(' at position 0/);
    syntaxError('1 + 2)', 5, /unexpected '\)'/);
    syntaxError('String.len("a"', 14, /expected '\)'/);
    syntaxError('{"a", "b"', 9, /expected '}'/);
    syntaxError('String.join(",", )', 17, /unexpected '\)'/);
    syntaxError('{"a",}', 5, /unexpected '}'/);
  });

  test('two values in a row', () => {
    syntaxError('user.email user.login', 11, /unexpected 'user'/);
    syntaxError('"a" "b"', 4, /unexpected string/);
  });

  test('comparisons do not chain', () => {
    syntaxError('1 < 2 < 3', 6, /cannot be chained/);
    syntaxError('a == b == c', 7, /cannot be chained/);
  });

  test('SpEL features outside the subset, with hints', () => {
    syntaxError('user.email = "x"', 11, /'=='/);
    syntaxError('a & b', 2, /'&&'/);
    syntaxError('a | b', 2, /'\|\|'/);
    syntaxError('access.scope[0]', 12, /indexing/);
    syntaxError('#root', 0, /variables/);
    syntaxError('@bean', 0, /bean/);
    syntaxError('user.login.toUpperCase()', 22, /only functions/);
    syntaxError('"abc".length()', 12, /only functions/);
    syntaxError('(String.len)("a")(1)', 17, /only functions/);
    syntaxError('`x`', 0, /unexpected character '`'/);
    syntaxError('a\u0000', 1, /U\+0000/);
  });

  test('malformed numbers and member access', () => {
    syntaxError('10L', 0, /invalid number/);
    syntaxError('1e5', 0, /invalid number/);
    syntaxError('user.', 5, /attribute name/);
    syntaxError('user.1', 5, /attribute name/);
    syntaxError('.5', 0, /unexpected '\.'/);
  });
});

describe('hostile input is refused at parse time', () => {
  test('prototype-reaching names', () => {
    syntaxError('user.__proto__', 5, /not an accessible name/);
    syntaxError('user.constructor', 5, /not an accessible name/);
    syntaxError('user.profile.prototype', 13, /not an accessible name/);
    syntaxError('constructor', 0, /not an accessible name/);
    syntaxError('user.__defineGetter__', 5, /not an accessible name/);
    syntaxError('String.constructor("x")', 7, /not an accessible name/);
    syntaxError('app.__proto__.polluted', 4, /not an accessible name/);
  });

  test('input longer than 1024 characters', () => {
    syntaxError(`"${'a'.repeat(1023)}"`, 1024, /longer than 1024/);
    assert.doesNotThrow(() => parseExpression(`"${'a'.repeat(1022)}"`));
    const huge = '('.repeat(5_000_000);
    const start = performance.now();
    assert.throws(() => parseExpression(huge), /longer than 1024/);
    assert.ok(performance.now() - start < 100);
  });

  test('deep nesting, refused quickly and without a stack overflow', () => {
    const parens = `${'('.repeat(500)}1${')'.repeat(500)}`;
    assert.throws(() => parseExpression(parens), (e: unknown) => e instanceof ExpressionSyntaxError && /nested deeper/.test(e.message));
    assert.throws(() => parseExpression(`${'!'.repeat(1000)}true`), ExpressionSyntaxError);
    assert.throws(() => parseExpression(`${'-'.repeat(1000)}1`), ExpressionSyntaxError);
    assert.throws(() => parseExpression(`${'String.len('.repeat(80)}"x"${')'.repeat(80)}`), ExpressionSyntaxError);
    assert.throws(() => parseExpression(`${'{'.repeat(300)}${'}'.repeat(300)}`), ExpressionSyntaxError);
    assert.throws(() => parseExpression(`${'a ? b : '.repeat(100)}c`), ExpressionSyntaxError);
    // Nesting within the limit is fine.
    assert.doesNotThrow(() => parseExpression(`${'('.repeat(20)}1${')'.repeat(20)}`));
  });

  test('long flat chains are not nesting', () => {
    assert.doesNotThrow(() => parseExpression(Array(300).fill('1').join('+')));
    assert.doesNotThrow(() => parseExpression(Array(200).fill('a').join(' OR ')));
  });

  test('non-string input', () => {
    assert.throws(() => parseExpression(42 as unknown as string), ExpressionSyntaxError);
  });
});
