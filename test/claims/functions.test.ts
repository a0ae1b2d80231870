/**
 * Every built-in function: results, null handling, argument checks.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpressionEvaluationError } from '../../src/oauth/claims/expression/index.js';
import { context, run } from './support.js';

function evalError(source: string, message: RegExp): void {
  assert.throws(
    () => run(source),
    (e: unknown) => {
      assert.ok(e instanceof ExpressionEvaluationError, `expected ExpressionEvaluationError for ${source}, got ${String(e)}`);
      assert.match(e.message, message);
      return true;
    },
  );
}

describe('calls in general', () => {
  test('unknown functions fail at evaluation', () => {
    evalError('String.nope("a")', /unknown function String\.nope/);
    evalError('T("java.lang.Runtime")', /unknown function T/);
    evalError('user.getGroups()', /unknown function user\.getGroups/);
    evalError('hasOwnProperty("x")', /unknown function hasOwnProperty/);
  });

  test('argument counts are checked', () => {
    evalError('String.toUpperCase()', /takes 1 argument\(s\), got 0/);
    evalError('String.toUpperCase("a", "b")', /takes 1 argument\(s\), got 2/);
    evalError('String.join()', /takes at least 1 argument\(s\)/);
    evalError('Groups.startsWith("OKTA", "a")', /takes 3 argument\(s\), got 2/);
  });

  test('argument types are checked and the message names the function', () => {
    evalError('String.toUpperCase(1)', /String\.toUpperCase: argument 1 must be a string, not number/);
    evalError('String.substring("abc", "1", 2)', /argument 2 must be an integer, not string/);
    evalError('String.substring("abc", 1.5, 2)', /argument 2 must be an integer, not 1\.5/);
    evalError('Arrays.size("abc")', /argument 1 must be an array, not string/);
  });
});

describe('String functions', () => {
  test('toUpperCase, toLowerCase', () => {
    assert.equal(run('String.toUpperCase(user.login)'), 'ANN.LEE@EXAMPLE.COM');
    assert.equal(run('String.toLowerCase("AbC")'), 'abc');
    assert.equal(run('String.toUpperCase(user.nickName)'), null);
    assert.equal(run('String.toLowerCase(null)'), null);
  });

  test('substringBefore, substringAfter (StringUtils semantics)', () => {
    assert.equal(run('String.substringBefore(user.email, "@")'), 'ann.lee');
    assert.equal(run('String.substringAfter(user.email, "@")'), 'example.com');
    assert.equal(run('String.substringBefore("abc", "x")'), 'abc');
    assert.equal(run('String.substringAfter("abc", "x")'), '');
    assert.equal(run('String.substringBefore("abc", "")'), '');
    assert.equal(run('String.substringAfter("abc", "")'), 'abc');
    assert.equal(run('String.substringBefore("a.b.c", ".")'), 'a');
    assert.equal(run('String.substringAfter("a.b.c", ".")'), 'b.c');
    assert.equal(run('String.substringBefore(user.nickName, "@")'), null);
    evalError('String.substringAfter("a", null)', /argument 2 must be a string, not null/);
  });

  test('substring(s, start, end), indexes clamped', () => {
    assert.equal(run('String.substring("This is a test", 2, 9)'), 'is is a');
    assert.equal(run('String.substring("abc", 0, 1)'), 'a');
    assert.equal(run('String.substring("abc", 1, 10)'), 'bc');
    assert.equal(run('String.substring("abc", -5, 2)'), 'ab');
    assert.equal(run('String.substring("abc", 2, 1)'), '');
    assert.equal(run('String.substring(user.login, String.len(user.login) - 11, String.len(user.login))'), 'example.com');
    assert.equal(run('String.substring(null, 0, 1)'), null);
  });

  test('len', () => {
    assert.equal(run('String.len("This")'), 4);
    assert.equal(run('String.len("")'), 0);
    assert.equal(run('String.len(user.nickName)'), 0);
  });

  test('append', () => {
    assert.equal(run('String.append("This is", " a test")'), 'This is a test');
    assert.equal(run('String.append(user.nickName, "x")'), 'x');
    assert.equal(run('String.append("x", null)'), 'x');
    assert.equal(run('String.append(null, null)'), null);
  });

  test('join: varargs, arrays spread, nulls skipped', () => {
    assert.equal(run('String.join(",", "This", "is", "a", "test")'), 'This,is,a,test');
    assert.equal(run('String.join("", "This", "is")'), 'Thisis');
    assert.equal(run('String.join(" ", user.firstName, user.middleName, user.lastName)'), 'Ann Lee');
    assert.equal(run('String.join("|", user.tags, "c", 1, true)'), 'a|b|c|1|true');
    assert.equal(run('String.join(",")'), '');
    evalError('String.join(null, "a")', /argument 1 must be a string/);
    evalError('String.join(",", {{"a"}})', /cannot use array as text/);
  });

  test('replace and replaceFirst take a regex, with Java replacement syntax', () => {
    assert.equal(run('String.replace("This is a test", "is", "at")'), 'That at a test');
    assert.equal(run('String.replaceFirst("This is a test", "is", "at")'), 'That is a test');
    assert.equal(run('String.replace(user.email, "@.*", "")'), 'ann.lee');
    assert.equal(run('String.replace("a.b.c", "\\.", "-")'), 'a-b-c');
    assert.equal(run('String.replace("a.b.c", ".", "-")'), '-----');
    assert.equal(run('String.replace("John Smith", "(\\w+) (\\w+)", "$2, $1")'), 'Smith, John');
    assert.equal(run('String.replace("cost", "o", "\\$")'), 'c$st');
    assert.equal(run('String.replace("ab", "(a)", "$1$1")'), 'aab');
    assert.equal(run('String.replace("ab", "(a)", "$10")'), 'a0b'); // group 1, then "0": there is no group 10
    assert.equal(run('String.replace("ABC", "(?i)b", "x")'), 'AxC');
    assert.equal(run('String.replace(user.nickName, "a", "b")'), null);
    evalError('String.replace("ab", "a", "$2")', /refers to group 2/);
    evalError('String.replace("ab", "a", "$x")', /must be followed by a group number/);
    evalError('String.replace("ab", "a", "x\\")', /ends with a backslash/);
    evalError('String.replace("ab", "(", "x")', /String\.replace: missing '\)'/);
  });

  test('removeSpaces', () => {
    assert.equal(run('String.removeSpaces("This is a test")'), 'Thisisatest');
    assert.equal(run('String.removeSpaces(" a\tb ")'), 'ab');
    assert.equal(run('String.removeSpaces(null)'), null);
  });

  test('stringContains, startsWith, endsWith', () => {
    assert.equal(run('String.stringContains("This is a test", "test")'), true);
    assert.equal(run('String.stringContains("This is a test", "doesn\'\'tExist")'), false);
    assert.equal(run('String.stringContains(user.nickName, "a")'), false);
    assert.equal(run('String.startsWith(user.login, "ann")'), true);
    assert.equal(run('String.startsWith(user.login, "Ann")'), false);
    assert.equal(run('String.endsWith(user.login, "example.com")'), true);
    assert.equal(run('String.endsWith(null, "x")'), false);
  });

  test('stringSwitch: first key contained in the input wins', () => {
    assert.equal(run('String.stringSwitch("This is a test", "default", "key1", "value1")'), 'default');
    assert.equal(run('String.stringSwitch("This is a test", "default", "test", "value1")'), 'value1');
    assert.equal(
      run('String.stringSwitch("First match wins", "default", "absent", "value1", "wins", "value2", "match", "value3")'),
      'value2',
    );
    assert.equal(run('String.stringSwitch("Substrings count", "default", "ring", "value1")'), 'value1');
    assert.equal(run('String.stringSwitch(user.nickName, "default", "a", "b")'), 'default');
    assert.equal(run('String.stringSwitch("x", "default")'), 'default');
    evalError('String.stringSwitch("x", "d", "key")', /key\/value pairs/);
  });

  test('the documented Okta examples', () => {
    assert.equal(
      run('String.stringContains(user.email, "@") ? String.substringBefore(user.email, "@") : user.email'),
      'ann.lee',
    );
    assert.equal(run('String.toLowerCase(String.substringBefore(user.login, "@"))'), 'ann.lee');
  });
});

describe('Arrays functions', () => {
  test('contains', () => {
    assert.equal(run('Arrays.contains(access.scope, "openid")'), true);
    assert.equal(run('Arrays.contains(access.scope, "admin")'), false);
    assert.equal(run('Arrays.contains({1, 2}, 2)'), true);
    assert.equal(run('Arrays.contains({{"a"}}, {"a"})'), true);
    assert.equal(run('Arrays.contains(user.nothing, "a")'), false);
  });

  test('isEmpty takes arrays, strings and null', () => {
    assert.equal(run('Arrays.isEmpty({})'), true);
    assert.equal(run('Arrays.isEmpty(access.scope)'), false);
    assert.equal(run('Arrays.isEmpty("")'), true);
    assert.equal(run('Arrays.isEmpty("a")'), false);
    assert.equal(run('Arrays.isEmpty(user.nothing)'), true);
    evalError('Arrays.isEmpty(1)', /array or a string/);
  });

  test('size', () => {
    assert.equal(run('Arrays.size(access.scope)'), 3);
    assert.equal(run('Arrays.size({})'), 0);
    assert.equal(run('Arrays.size(null)'), 0);
  });

  test('toCsvString', () => {
    assert.equal(run('Arrays.toCsvString(access.scope)'), 'openid,profile,email');
    assert.equal(run('Arrays.toCsvString({"a", null, 1, true})'), 'a,,1,true');
    assert.equal(run('Arrays.toCsvString({})'), '');
    assert.equal(run('Arrays.toCsvString(null)'), null);
  });

  test('flatten', () => {
    assert.deepEqual(run('Arrays.flatten({"a"}, "b", {{"c"}, {}}, null)'), ['a', 'b', 'c']);
    assert.deepEqual(run('Arrays.flatten()'), []);
    assert.deepEqual(
      run('Arrays.flatten(Groups.startsWith("OKTA", "Sales", 10), Groups.startsWith("OKTA", "Admin", 10))'),
      ['Sales-East', 'Sales-West', 'Admins'],
    );
  });

  test('flatten refuses absurdly nested or huge arrays', () => {
    const ctx = context();
    let deep: unknown = ['x'];
    for (let i = 0; i < 100; i++) deep = [deep];
    ctx.user.profile.deep = deep;
    ctx.user.profile.wide = Array.from({ length: 900 }, () => Array.from({ length: 10 }, () => 1));
    assert.throws(() => run('Arrays.flatten(user.deep)', ctx), /nested deeper than 16/);
    assert.throws(() => run('Arrays.flatten(user.wide)', ctx), /longer than 1000 elements/);
  });

  test("Okta's conditional groups idiom", () => {
    const source =
      'Arrays.isEmpty(Arrays.toCsvString(Groups.startsWith("OKTA","Sales",100))) ? {} : Groups.startsWith("OKTA","Sales",100)';
    assert.deepEqual(run(source), ['Sales-East', 'Sales-West']);
    assert.deepEqual(run(source, context({ groups: [] })), []);
  });
});

describe('Convert functions', () => {
  test('toInt', () => {
    assert.equal(run('Convert.toInt("1234")'), 1234);
    assert.equal(run('Convert.toInt("-12")'), -12);
    assert.equal(run('Convert.toInt(user.employeeNumber)'), 42);
    assert.equal(run('Convert.toInt(2.5)'), 3);
    assert.equal(run('Convert.toInt(-2.5)'), -3);
    assert.equal(run('Convert.toInt(2.4)'), 2);
    assert.equal(run('Convert.toInt(-0.4)'), 0);
    assert.equal(run('Convert.toInt(null)'), null);
    evalError('Convert.toInt("12.5")', /cannot convert '12\.5'/);
    evalError('Convert.toInt(" 12")', /cannot convert/);
    evalError('Convert.toInt("abc")', /cannot convert 'abc'/);
    evalError('Convert.toInt("99999999999")', /integer range/);
    evalError('Convert.toInt(true)', /cannot convert boolean/);
  });

  test('toNum', () => {
    assert.equal(run('Convert.toNum("12.5")'), 12.5);
    assert.equal(run('Convert.toNum("-1e3")'), -1000);
    assert.equal(run('Convert.toNum(".5")'), 0.5);
    assert.equal(run('Convert.toNum(7)'), 7);
    assert.equal(run('Convert.toNum(null)'), null);
    evalError('Convert.toNum("0x10")', /cannot convert/);
    evalError('Convert.toNum("")', /cannot convert/);
    evalError('Convert.toNum("1e999")', /cannot convert/);
  });
});

describe('group functions', () => {
  test('isMemberOfGroupName, exact and case-sensitive', () => {
    assert.equal(run('isMemberOfGroupName("Admins")'), true);
    assert.equal(run('isMemberOfGroupName("admins")'), false);
    assert.equal(run('isMemberOfGroupName("Admin")'), false);
  });

  test('isMemberOfGroup and isMemberOfAnyGroup, by id', () => {
    assert.equal(run('isMemberOfGroup("00g2")'), true);
    assert.equal(run('isMemberOfGroup("00g9")'), false);
    assert.equal(run('isMemberOfAnyGroup("00g8", "00g9", "00g3")'), true);
    assert.equal(run('isMemberOfAnyGroup("00g8", "00g9")'), false);
    assert.equal(run('isMemberOfAnyGroup({"00g8", "00g1"})'), true);
    evalError('isMemberOfAnyGroup("00g1", 2)', /argument 2 must be a group id, not number/);
  });

  test('isMemberOfGroupNameStartsWith, isMemberOfGroupNameContains', () => {
    assert.equal(run('isMemberOfGroupNameStartsWith("Sales")'), true);
    assert.equal(run('isMemberOfGroupNameStartsWith("East")'), false);
    assert.equal(run('isMemberOfGroupNameContains("East")'), true);
    assert.equal(run('isMemberOfGroupNameContains("north")'), false);
  });

  test('isMemberOfGroupNameRegex matches whole names', () => {
    assert.equal(run('isMemberOfGroupNameRegex("Sales-.*")'), true);
    assert.equal(run('isMemberOfGroupNameRegex("Sales")'), false);
    assert.equal(run('isMemberOfGroupNameRegex(".*admin.*")'), false);
    assert.equal(run('isMemberOfGroupNameRegex("(?i).*admin.*")'), true);
    assert.equal(run('isMemberOfGroupNameRegex("Sales-(East|North)")'), true);
  });

  test('Groups.startsWith / contains / endsWith return names, up to the limit', () => {
    assert.deepEqual(run('Groups.startsWith("OKTA", "Sales", 10)'), ['Sales-East', 'Sales-West']);
    assert.deepEqual(run('Groups.startsWith("OKTA", "Sales", 1)'), ['Sales-East']);
    assert.deepEqual(run('Groups.contains("OKTA", "e", 100)'), ['Everyone', 'Sales-East', 'Sales-West', 'OKTA-Helpdesk']);
    assert.deepEqual(run('Groups.endsWith("OKTA", "West", 5)'), ['Sales-West']);
    assert.deepEqual(run('Groups.startsWith("OKTA", "sales", 10)'), []);
  });

  test('Groups.* from sources other than OKTA are empty here', () => {
    assert.deepEqual(run('Groups.startsWith("active_directory", "Sales", 10)'), []);
    assert.deepEqual(run('Groups.startsWith("0oa1", "Sales", 10)'), []);
  });

  test('Groups.* limit must be 1 to 100', () => {
    evalError('Groups.startsWith("OKTA", "Sales", 0)', /between 1 and 100/);
    evalError('Groups.startsWith("OKTA", "Sales", 101)', /between 1 and 100/);
    evalError('Groups.startsWith("OKTA", "Sales", "10")', /must be an integer/);
    evalError('Groups.contains(null, "Sales", 10)', /argument 1 must be a string/);
  });

  test('user.getInternalProperty', () => {
    assert.equal(run('user.getInternalProperty("id")'), '00u1');
    assert.equal(run('user.getInternalProperty("status")'), 'ACTIVE');
    assert.equal(run('user.getInternalProperty("lastLogin")'), null);
  });
});
