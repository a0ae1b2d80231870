/** Okta user filter expressions → the store's UserFilter. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseUserFilter } from '../../src/domain/user-filter.js';
import { ApiError } from '../../src/errors/api-error.js';

describe('parseUserFilter', () => {
  it('parses comparisons on profile, status and dates', () => {
    assert.deepEqual(parseUserFilter('status eq "ACTIVE"'), { field: 'status', cmp: 'eq', value: 'ACTIVE' });
    assert.deepEqual(parseUserFilter('profile.login EQ "a\\"b@example.com"'), { field: 'login', cmp: 'eq', value: 'a"b@example.com' });
    assert.deepEqual(parseUserFilter('profile.lastName sw "Lov"'), { field: 'lastName', cmp: 'sw', value: 'Lov' });
    assert.deepEqual(parseUserFilter('lastUpdated gt "2024-01-01T00:00:00.000Z"'), {
      field: 'lastUpdated', cmp: 'gt', value: Date.parse('2024-01-01T00:00:00.000Z'),
    });
    assert.deepEqual(parseUserFilter('created le "2024-01-01T10:00:00.000+02:00"'), {
      field: 'created', cmp: 'le', value: Date.parse('2024-01-01T08:00:00.000Z'),
    });
  });

  it('gives and precedence over or, and honours parentheses', () => {
    const a = { field: 'status', cmp: 'eq', value: 'ACTIVE' };
    const b = { field: 'status', cmp: 'eq', value: 'STAGED' };
    const c = { field: 'login', cmp: 'eq', value: 'x' };
    assert.deepEqual(parseUserFilter('status eq "ACTIVE" or status eq "STAGED" and profile.login eq "x"'), {
      op: 'or', terms: [a, { op: 'and', terms: [b, c] }],
    });
    assert.deepEqual(parseUserFilter('(status eq "ACTIVE" or status eq "STAGED") AND profile.login eq "x"'), {
      op: 'and', terms: [{ op: 'or', terms: [a, b] }, c],
    });
  });

  it('refuses what it cannot evaluate with E0000031', () => {
    const bad = [
      '', '   ', 'status', 'status eq', 'status eq ACTIVE', 'status eq "ACTIVE', 'status eq "UNKNOWN"', 'status ne "ACTIVE"',
      'profile.department eq "x"', 'lastUpdated sw "2024"', 'lastUpdated gt "2024-01-01"', 'lastUpdated gt "2024-13-45T99:00:00.000Z"',
      '(status eq "ACTIVE"', 'status eq "ACTIVE")', 'status eq "ACTIVE" and', 'status eq "ACTIVE" xor status eq "STAGED"',
      'status eq "ACTIVE" ; drop table users', `${'('.repeat(40)}status eq "ACTIVE"${')'.repeat(40)}`,
      Array.from({ length: 101 }, () => 'status eq "ACTIVE"').join(' or '), `profile.login eq "${'x'.repeat(5000)}"`,
      // Valid in the shared syntax, not in a user filter: negation, presence, unquoted values.
      'not (status eq "ACTIVE")', 'profile.login pr', 'status eq 5', 'profile.login eq true', 'profile.login eq null',
    ];
    for (const expression of bad) {
      assert.throws(() => parseUserFilter(expression), (err: unknown) => err instanceof ApiError && err.errorCode === 'E0000031' && err.status === 400, expression);
    }
  });
});
