/**
 * Regex safety: catastrophic shapes refused before they run, polynomial worst cases bounded by the
 * work budget, so hostile patterns and inputs return quickly, in expressions as in group filters.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpressionEvaluationError } from '../../src/oauth/claims/expression/index.js';
import { UnsafeRegexError } from '../../src/oauth/claims/regex/errors.js';
import { checkPattern } from '../../src/oauth/claims/regex/pattern.js';
import { RegexBudget, SafeRegex } from '../../src/oauth/claims/regex/safe-regex.js';
import { context, run } from './support.js';


function refused(pattern: string, reason: RegExp): void {
  assert.throws(
    () => checkPattern(pattern),
    (e: unknown) => {
      assert.ok(e instanceof UnsafeRegexError, `expected ${JSON.stringify(pattern)} to be refused, got ${String(e)}`);
      assert.match(e.message, reason);
      return true;
    },
  );
}

describe('pattern checks', () => {
  test('ordinary patterns pass', () => {
    for (const p of [
      '.*',
      'Sales-.*',
      '^app_.*_(read|write)$',
      '.*groupA.*|.*groupB.*|.*groupC.*|.*groupD.*',
      '[A-Za-z0-9._%+-]+@example\\.com',
      '(?i)admin',
      'a{2,5}b{3}',
      '(ab)+c',
      '(?:abc)*',
      'colou?r',
      '\\d{3}-\\d{4}',
      '\\x41\\u0042',
      '[\\]\\[]',
      'a*?b+?',
      '\\bword\\b',
    ]) {
      assert.doesNotThrow(() => SafeRegex.compile(p), p);
    }
  });

  test('nested quantifiers and repeated alternation are refused', () => {
    refused('(a+)+$', /nested quantifier/);
    refused('(a*)*b', /nested quantifier/);
    refused('(a|aa)+', /nested quantifier/);
    refused('(a|a)*', /nested quantifier/);
    refused('(.*a){20}', /nested quantifier/);
    refused('((ab)*c)+', /nested quantifier/);
    refused('(\\w+\\s?)*$', /nested quantifier/);
    refused('([a-z]+)*@', /nested quantifier/);
    refused('(?:x?)+', /nested quantifier/);
    refused('(a|b){2}', /nested quantifier/);
  });

  test('backreferences, lookaround, named groups, inline flags mid-pattern are refused', () => {
    refused('(a)\\1', /backreferences/);
    refused('\\k<x>', /unsupported escape/);
    refused('(?=a)', /lookaround/);
    refused('(?!a)', /lookaround/);
    refused('(?<=a)b', /lookaround/);
    refused('(?<name>a)', /lookaround/);
    refused('a(?i)b', /lookaround/);
  });

  test('syntax outside the subset is refused with a reason', () => {
    refused('a'.repeat(257), /limited to 256/);
    refused('*a', /nothing to repeat/);
    refused('a**', /cannot follow a quantifier/);
    refused('a++', /cannot follow a quantifier/);
    refused('a{2}{3}', /cannot follow a quantifier/);
    refused('{2}', /nothing to repeat/);
    refused('a{', /'\{' must be escaped/);
    refused('a}', /'\}' must be escaped/);
    refused('a]', /'\]' must be escaped/);
    refused('^*', /anchor cannot be repeated/);
    refused('\\b+', /anchor cannot be repeated/);
    refused('a{1001}', /limited to 1000/);
    refused('a{3,2}', /out of order/);
    refused('(a', /missing '\)'/);
    refused('a)', /unbalanced/);
    refused('[a', /missing '\]'/);
    refused('[]', /empty character class/);
    refused('[a[b]]', /nested character classes/);
    refused('[a-z&&[^e]]', /intersection/);
    refused('\\p{L}', /unsupported escape/);
    refused('\\Qa\\E', /unsupported escape/);
    refused('\\x4', /hexadecimal/);
    refused('\\u12G4', /hexadecimal/);
    refused('a\\', /ends with a backslash/);
    refused('[\\b]', /not allowed in a character class/);
  });

  test('patterns V8 itself rejects are refused too', () => {
    assert.throws(() => SafeRegex.compile('[z-a]'), (e: unknown) => e instanceof UnsafeRegexError && /invalid regular expression/.test(e.message));
  });

  test('refusals are cached but still thrown every time', () => {
    assert.throws(() => SafeRegex.compile('(a+)+'), UnsafeRegexError);
    assert.throws(() => SafeRegex.compile('(a+)+'), UnsafeRegexError);
  });
});

describe('the work budget', () => {
  test('whole-match semantics and case-insensitivity', () => {
    const budget = new RegexBudget();
    assert.equal(SafeRegex.compile('Sales').matches('Sales-East', budget), false);
    assert.equal(SafeRegex.compile('Sales.*').matches('Sales-East', budget), true);
    assert.equal(SafeRegex.compile('a|b').matches('ab', budget), false);
    assert.equal(SafeRegex.compile('(?i)sales.*').matches('SALES-EAST', budget), true);
  });

  test('a polynomial worst case beyond the budget is refused before it runs', () => {
    const regex = SafeRegex.compile('a*a*a*b');
    const hostile = 'a'.repeat(5000);
    assert.throws(() => regex.matches(hostile, new RegexBudget()), /work limit exceeded/);
  });

  test('the budget is shared: many cheap matches add up', () => {
    const regex = SafeRegex.compile('.*x.*');
    const budget = new RegexBudget(10_000);
    assert.throws(() => {
      for (let i = 0; i < 10_000; i++) regex.matches('a'.repeat(20), budget);
    }, UnsafeRegexError);
  });

  test('the worst accepted inputs still finish quickly', () => {
    for (const pattern of ['a*a*b', '.*a.*b', '[a-z]*a{1000}b', '\\w*\\s?\\w*\\s?\\w*!', '(ab|a)?(ab|a)?(ab|a)?x']) {
      const regex = SafeRegex.compile(pattern);
      for (const mode of ['match', 'replace'] as const) {
        // Grow the hostile input until the budget refuses it: every accepted size runs to completion.
        // (Speed itself is for benchmarks, not for assertions here.)
        for (let n = 1; n <= 16_384; n = Math.ceil(n * 1.25)) {
          const input = 'a'.repeat(n);
          try {
            if (mode === 'match') regex.matches(input, new RegexBudget());
            else regex.replace(input, true, new RegexBudget(), () => '');
          } catch (e) {
            if (!(e instanceof UnsafeRegexError)) throw e;
            break;
          }
        }
      }
    }
  });
});

describe('regexes in expressions', () => {
  test('catastrophic patterns fail as evaluation errors, quickly', () => {
    const ctx = context();
    ctx.user.profile.nickName = `${'a'.repeat(5000)}!`;
    for (const source of [
      'String.replace(user.nickName, "(a+)+$", "")',
      'String.replaceFirst(user.nickName, "(a|aa)*$", "")',
      'isMemberOfGroupNameRegex("(.*a){12}")',
      'String.replace(user.nickName, "a*a*a*$", "")',
    ]) {
      assert.throws(
        () => run(source, ctx),
        (e: unknown) => e instanceof ExpressionEvaluationError && /nested quantifier|work limit/.test(e.message),
        source,
      );
    }
  });

  test('a hostile group name cannot stall isMemberOfGroupNameRegex', () => {
    const ctx = context({ groups: Array.from({ length: 50 }, (_, i) => ({ id: `g${i}`, name: `${'a'.repeat(2000)}${i}` })) });
    assert.throws(() => run('isMemberOfGroupNameRegex(".*a.*a.*b")', ctx), /work limit/);
  });
});
