/**
 * `user.getInternalProperty(name)`, Okta's older spelling of `user.id` / `user.status`. Other internal
 * properties (created, lastLogin …) are not in the evaluation context and read as null.
 */
import { fn, string, type FunctionTable } from './types.js';

export const USER_FUNCTIONS: FunctionTable = [
  fn('user.getInternalProperty', 1, 1, (args, call) => {
    const name = string(call, args, 0);
    if (!call.ctx.user) return call.fail("'user' is not available: the token has no user");
    if (name === 'id') return call.ctx.user.id;
    if (name === 'status') return call.ctx.user.status;
    return null;
  }),
];
