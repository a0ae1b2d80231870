/**
 * Evaluation: references, every operator, null handling, evaluation errors and evaluation limits.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateExpression,
  ExpressionEvaluationError,
  parseExpression,
  type Expression,
} from '../../src/oauth/claims/expression/index.js';
import { context, run } from './support.js';

function evalError(source: string, message: RegExp, ctx = context()): void {
  assert.throws(
    () => run(source, ctx),
    (e: unknown) => {
      assert.ok(e instanceof ExpressionEvaluationError, `expected ExpressionEvaluationError for ${source}, got ${String(e)}`);
      assert.match(e.message, message);
      return true;
    },
  );
}

describe('references', () => {
  test('user attributes read the profile', () => {
    assert.equal(run('user.email'), 'ann.lee@example.com');
    assert.equal(run('user.login'), 'ann.lee@example.com');
    assert.equal(run('user.firstName'), 'Ann');
    assert.equal(run('user.costCenter'), 7);
    assert.equal(run('user.isContractor'), false);
    assert.deepEqual(run('user.tags'), ['a', 'b']);
    assert.equal(run('user.profile.department'), 'Sales');
  });

  test('user.id and user.status are the internal properties, not profile attributes', () => {
    const ctx = context();
    ctx.user.profile.id = 'from-profile';
    assert.equal(run('user.id', ctx), '00u1');
    assert.equal(run('user.status', ctx), 'ACTIVE');
    assert.equal(run('user.profile.id', ctx), 'from-profile');
  });

  test('app and access', () => {
    assert.equal(run('app.clientId'), 'client-1');
    assert.equal(run('app.id'), '0oa1');
    assert.equal(run('app.label'), 'Portal');
    assert.deepEqual(run('access.scope'), ['openid', 'profile', 'email']);
  });

  test('missing attributes are null, and reading through null stays null', () => {
    assert.equal(run('user.nickName'), null);
    assert.equal(run('user.profile.nickName'), null);
    assert.equal(run('user.manager.email'), null);
    assert.equal(run('app.profile'), null);
    assert.equal(run('access.nothing'), null);
  });

  test('without an app or scopes', () => {
    const ctx = context({ app: undefined, scopes: undefined });
    assert.equal(run('app.clientId', ctx), null);
    assert.deepEqual(run('access.scope', ctx), []);
  });

  test('the evaluation result is the literal for literals', () => {
    assert.equal(run('"x"'), 'x');
    assert.equal(run('12.5'), 12.5);
    assert.equal(run('true'), true);
    assert.equal(run('null'), null);
    assert.deepEqual(run('{"a", 1, true, null, {"b"}}'), ['a', 1, true, null, ['b']]);
  });

  test('unknown variables fail', () => {
    evalError('org.name', /unknown variable 'org'/);
    evalError('foo', /unknown variable 'foo'/);
  });

  test('attributes cannot be read from strings, numbers or arrays', () => {
    evalError('user.email.length', /cannot read 'length' of string/);
    evalError('user.costCenter.toFixed', /cannot read 'toFixed' of number/);
    evalError('access.scope.length', /cannot read 'length' of array/);
    evalError('"abc".length', /cannot read 'length' of string/);
  });

  test('only own attributes are read, never inherited ones', () => {
    assert.equal(run('user.toString'), null);
    assert.equal(run('user.hasOwnProperty'), null);
    assert.equal(run('user.profile.valueOf'), null);
    assert.equal(run('app.isPrototypeOf'), null);
  });

  test('profile objects from other realms or with a class are not read', () => {
    const ctx = context();
    ctx.user.profile.when = new Date(0);
    evalError('user.when.getTime', /cannot read 'getTime' of object/, ctx);
  });
});

describe('operators', () => {
  test('+ adds numbers and concatenates strings', () => {
    assert.equal(run('1 + 2'), 3);
    assert.equal(run('user.firstName + " " + user.lastName'), 'Ann Lee');
    assert.equal(run('"n" + 1'), 'n1');
    assert.equal(run('1 + "n"'), '1n');
    assert.equal(run('"b" + true'), 'btrue');
    assert.equal(run('1 + 2 + "x"'), '3x');
    assert.equal(run('"x" + 1 + 2'), 'x12');
  });

  test('- subtracts numbers; unary - negates', () => {
    assert.equal(run('10 - 4 - 3'), 3);
    assert.equal(run('-user.costCenter'), -7);
    assert.equal(run('- -2'), 2);
  });

  test('== and != compare type and value', () => {
    assert.equal(run('user.department == "Sales"'), true);
    assert.equal(run('user.department != "Sales"'), false);
    assert.equal(run('1 == 1.0'), true);
    assert.equal(run('"1" == 1'), false);
    assert.equal(run('true == true'), true);
    assert.equal(run('null == null'), true);
    assert.equal(run('user.nickName == null'), true);
    assert.equal(run('user.email != null'), true);
    assert.equal(run('{"a", "b"} == user.tags'), true);
    assert.equal(run('{"a"} == user.tags'), false);
    assert.equal(run('"Sales" == "sales"'), false);
  });

  test('< <= > >= on numbers and strings', () => {
    assert.equal(run('1 < 2'), true);
    assert.equal(run('2 <= 2'), true);
    assert.equal(run('3 > 2'), true);
    assert.equal(run('2 >= 3'), false);
    assert.equal(run('"apple" < "banana"'), true);
    assert.equal(run('"B" < "a"'), true);
    assert.equal(run('user.costCenter >= 7'), true);
  });

  test('AND / && and OR / || with short-circuit', () => {
    assert.equal(run('true AND false'), false);
    assert.equal(run('true && true'), true);
    assert.equal(run('false OR true'), true);
    assert.equal(run('false || false'), false);
    assert.equal(run('true and false or true'), true);
    // The right side is not evaluated, so its error never happens.
    assert.equal(run('false AND String.len(1) > 0'), false);
    assert.equal(run('true OR String.len(1) > 0'), true);
  });

  test('! and NOT', () => {
    assert.equal(run('!true'), false);
    assert.equal(run('NOT false'), true);
    assert.equal(run('!user.isContractor'), true);
    assert.equal(run('!!true'), true);
  });

  test('?: evaluates only the chosen branch', () => {
    assert.equal(run('isMemberOfGroupName("Admins") ? "admin" : "user"'), 'admin');
    assert.equal(run('isMemberOfGroupName("Nope") ? "admin" : "user"'), 'user');
    assert.equal(run('true ? "ok" : String.len(1)'), 'ok');
    assert.equal(run('user.department == "HR" ? "hr" : user.department == "Sales" ? "sales" : "other"'), 'sales');
  });

  test('precedence shows in results', () => {
    assert.equal(run('1 + 2 == 3 AND "a" + "b" == "ab"'), true);
    assert.equal(run('true OR false AND false'), true);
    assert.equal(run('(true OR false) AND false'), false);
    assert.equal(run('NOT true == false'), true);
    assert.equal(run('String.len(user.login) - 11 == 8'), true);
  });

  test('type errors', () => {
    evalError('user.tags + 1', /cannot add array and number/);
    evalError('true + 1', /cannot add boolean and number/);
    evalError('"a" + {"b"}', /cannot add string and array/);
    evalError('"a" - 1', /cannot subtract number from string/);
    evalError('-"a"', /cannot negate string/);
    evalError('1 < "2"', /cannot compare number with string/);
    evalError('true > false', /cannot compare boolean with boolean/);
    evalError('"x" AND true', /left side of && must be a boolean, not string/);
    evalError('false OR true AND 1', /right side of && must be a boolean, not number/);
    evalError('NOT "x"', /operand of NOT must be a boolean/);
    evalError('user.email ? 1 : 2', /condition of \?: must be a boolean, not string/);
  });

  test('evaluation errors carry the operator position', () => {
    assert.throws(() => run('"a" - 1'), (e: unknown) => e instanceof ExpressionEvaluationError && e.position === 4);
    assert.throws(() => run('  String.nope()'), (e: unknown) => e instanceof ExpressionEvaluationError && e.position === 2);
  });

  test('numbers that overflow fail rather than becoming Infinity', () => {
    const big = '9'.repeat(308); // 1e308, just under the largest double
    evalError(`${big} + ${big}`, /out of range/);
    assert.throws(() => parseExpression('9'.repeat(400)), /number out of range/);
  });
});

describe('null handling', () => {
  test('concatenation drops a null side; null alone stays null', () => {
    assert.equal(run('user.firstName + " " + user.middleName'), 'Ann ');
    assert.equal(run('user.middleName + "x"'), 'x');
    assert.equal(run('user.middleName + user.nickName'), null);
    assert.equal(run('user.middleName + 1'), null);
    assert.equal(run('user.costCenter + user.nickName'), null);
  });

  test('arithmetic with null is null', () => {
    assert.equal(run('user.nickName - 1'), null);
    assert.equal(run('-user.nickName'), null);
  });

  test('null in a boolean position is false', () => {
    assert.equal(run('user.nickName AND true'), false);
    assert.equal(run('user.nickName OR true'), true);
    assert.equal(run('NOT user.nickName'), true);
    assert.equal(run('user.nickName ? "y" : "n"'), 'n');
  });

  test('ordering comparisons with null are false', () => {
    assert.equal(run('user.nickName < 1'), false);
    assert.equal(run('user.nickName >= 1'), false);
    assert.equal(run('"a" > null'), false);
  });

  test('a missing attribute makes a null claim value (the claim is omitted)', () => {
    assert.equal(run('user.nickName'), null);
    assert.equal(run('String.toUpperCase(user.nickName)'), null);
  });
});

describe('evaluation limits', () => {
  test('exponential string growth is cut off', () => {
    let source = 'user.firstName';
    for (let i = 0; i < 12; i++) source = `String.replace(${source}, "n", "nnnnnnnn")`;
    assert.ok(source.length < 1024);
    assert.throws(() => run(source), /longer than 16384 characters/);
  });

  test('long strings from the profile are refused', () => {
    const ctx = context();
    ctx.user.profile.bio = 'x'.repeat(20_000);
    evalError('user.bio', /string longer than 16384/, ctx);
  });

  test('large arrays are refused', () => {
    const ctx = context();
    ctx.user.profile.many = Array.from({ length: 2000 }, (_, i) => i);
    evalError('Arrays.size(user.many)', /array longer than 1000/, ctx);
  });

  test('a hand-built tree too deep to be parsed is refused, not a stack overflow', () => {
    let expr: Expression = { type: 'Literal', value: true, pos: 0 };
    for (let i = 0; i < 5000; i++) expr = { type: 'Unary', operator: '!', operand: expr, pos: 0 };
    assert.throws(() => evaluateExpression(expr, context()), (e: unknown) => e instanceof ExpressionEvaluationError && /nested too deeply/.test(e.message));
  });

  test('a hand-built tree too big is refused by the step limit', () => {
    const leaf: Expression = { type: 'Literal', value: 1, pos: 0 };
    const wide: Expression = { type: 'Array', elements: Array.from({ length: 20_000 }, () => leaf), pos: 0 };
    assert.throws(() => evaluateExpression(wide, context()), /too many steps/);
  });

  test('an unknown node type is refused', () => {
    const bogus = { type: 'Eval', source: 'process.exit()', pos: 0 } as unknown as Expression;
    assert.throws(() => evaluateExpression(bogus, context()), ExpressionEvaluationError);
  });

  test('a parsed tree can be evaluated many times and against different users', () => {
    const expr = parseExpression('String.toUpperCase(user.firstName)');
    const other = context();
    other.user.profile.firstName = 'Bo';
    assert.equal(evaluateExpression(expr, context()), 'ANN');
    assert.equal(evaluateExpression(expr, other), 'BO');
  });

  test('comparing absurdly nested arrays fails instead of recursing without end', () => {
    const ctx = context();
    let deep: unknown = ['x'];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    ctx.user.profile.a = deep;
    ctx.user.profile.b = deep;
    assert.throws(
      () => run('user.a == user.b', ctx),
      (e: unknown) => e instanceof ExpressionEvaluationError && /nested deeper/.test(e.message) && e.position === 7,
    );
    assert.throws(() => run('Arrays.contains(user.a, user.b)', ctx), /nested deeper/);
  });

  test('prototype pollution attempts through the profile do nothing', () => {
    const ctx = context();
    ctx.user.profile = JSON.parse('{"__proto__": {"polluted": "yes"}, "email": "x@y"}') as Record<string, unknown>;
    assert.equal(run('user.polluted', ctx), null);
    assert.equal(run('user.email', ctx), 'x@y');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
