/**
 * filterGroups, the filter of a GROUPS claim.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { filterGroups, MAX_GROUPS_IN_CLAIM, UnsafeRegexError } from '../../src/oauth/claims/group-filter.js';

const groups = [{ name: 'Everyone' }, { name: 'Admins' }, { name: 'Sales-East' }, { name: 'Sales-West' }, { name: 'sales-ops' }];

describe('filterGroups', () => {
  test('STARTS_WITH, case-sensitive', () => {
    assert.deepEqual(filterGroups(groups, 'STARTS_WITH', 'Sales'), ['Sales-East', 'Sales-West']);
    assert.deepEqual(filterGroups(groups, 'STARTS_WITH', ''), groups.map((g) => g.name));
  });

  test('EQUALS', () => {
    assert.deepEqual(filterGroups(groups, 'EQUALS', 'Admins'), ['Admins']);
    assert.deepEqual(filterGroups(groups, 'EQUALS', 'admins'), []);
  });

  test('CONTAINS', () => {
    assert.deepEqual(filterGroups(groups, 'CONTAINS', 'es-'), ['Sales-East', 'Sales-West', 'sales-ops']);
  });

  test('REGEX matches whole names', () => {
    assert.deepEqual(filterGroups(groups, 'REGEX', 'Sales-.*'), ['Sales-East', 'Sales-West']);
    assert.deepEqual(filterGroups(groups, 'REGEX', 'Sales'), []);
    assert.deepEqual(filterGroups(groups, 'REGEX', '.*'), groups.map((g) => g.name));
    assert.deepEqual(filterGroups(groups, 'REGEX', '(?i)sales-.*'), ['Sales-East', 'Sales-West', 'sales-ops']);
    assert.deepEqual(filterGroups(groups, 'REGEX', '.*East.*|.*ops.*|Admins'), ['Admins', 'Sales-East', 'sales-ops']);
  });

  test('at most 100 groups, in the order given', () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ name: `g${i}` }));
    const out = filterGroups(many, 'STARTS_WITH', 'g');
    assert.equal(out.length, MAX_GROUPS_IN_CLAIM);
    assert.equal(out[0], 'g0');
    assert.equal(out[99], 'g99');
    assert.equal(filterGroups(many, 'REGEX', 'g\\d+').length, 100);
  });

  test('unsafe regexes are refused, whether or not there are groups', () => {
    assert.throws(() => filterGroups(groups, 'REGEX', '(a+)+$'), UnsafeRegexError);
    assert.throws(() => filterGroups([], 'REGEX', '(a|a)*'), UnsafeRegexError);
    assert.throws(() => filterGroups(groups, 'REGEX', '(?=x)'), UnsafeRegexError);
    assert.throws(() => filterGroups(groups, 'REGEX', 'x'.repeat(300)), UnsafeRegexError);
  });

  test('hostile names against a heavy pattern stop at the work budget', () => {
    const hostile = Array.from({ length: 100 }, () => ({ name: 'a'.repeat(3000) }));
    assert.throws(() => filterGroups(hostile, 'REGEX', 'a*a*a*b'), /work limit/);
  });

  test('an unknown filter type is a programming error', () => {
    assert.throws(() => filterGroups(groups, 'SUFFIX' as 'EQUALS', 'x'), TypeError);
  });
});
