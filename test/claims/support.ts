/** Shared fixtures for the claims tests: one user in a few groups, an app, granted scopes. */
import { evaluateExpression, parseExpression, type ExpressionContext } from '../../src/oauth/claims/expression/index.js';

/** A context with a user (the tests edit ctx.user in place). */
export type UserContext = ExpressionContext & { user: NonNullable<ExpressionContext['user']> };

export function context(overrides: Partial<UserContext> = {}): UserContext {
  return {
    user: {
      id: '00u1',
      status: 'ACTIVE',
      profile: {
        login: 'ann.lee@example.com',
        email: 'ann.lee@example.com',
        firstName: 'Ann',
        lastName: 'Lee',
        displayName: 'Ann Lee',
        department: 'Sales',
        employeeNumber: '0042',
        costCenter: 7,
        isContractor: false,
        tags: ['a', 'b'],
        empty: '',
      },
    },
    groups: [
      { id: '00g1', name: 'Everyone' },
      { id: '00g2', name: 'Admins' },
      { id: '00g3', name: 'Sales-East' },
      { id: '00g4', name: 'Sales-West' },
      { id: '00g5', name: 'OKTA-Helpdesk' },
    ],
    app: { id: '0oa1', clientId: 'client-1', label: 'Portal' },
    scopes: ['openid', 'profile', 'email'],
    ...overrides,
  };
}

/** Parses and evaluates `source` against `ctx`. */
export function run(source: string, ctx: ExpressionContext = context()): unknown {
  return evaluateExpression(parseExpression(source), ctx);
}

