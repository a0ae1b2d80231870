/**
 * What names mean: the root variables (`user`, `app`, `access`) and attribute reads. Reads are own
 * properties of plain objects only, so no path leads to a prototype; a missing attribute is null.
 */
import { ExpressionEvaluationError } from './errors.js';
import { typeName } from './values.js';

export interface ExpressionContext {
  /** Absent for a token without a user (client credentials): any `user` reference then fails. */
  user?: { id: string; status: string; profile: Record<string, unknown> } | undefined;
  groups: { id: string; name: string }[];
  app?: { id: string; clientId: string; label: string };
  /** The granted scopes, `access.scope`. */
  scopes?: string[];
}

function record(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, entries);
}

/**
 * `user.x` is profile attribute x, except `user.id` and `user.status` (Okta's internal properties);
 * `user.profile.x` is always the profile attribute.
 */
export function resolveRoot(name: string, ctx: ExpressionContext, pos: number): unknown {
  switch (name) {
    case 'user': {
      if (!ctx.user) throw new ExpressionEvaluationError("'user' is not available: the token has no user", pos);
      const profile = record(ctx.user.profile);
      return record({ ...profile, id: ctx.user.id, status: ctx.user.status, profile });
    }
    case 'app':
      return ctx.app ? record({ id: ctx.app.id, clientId: ctx.app.clientId, label: ctx.app.label }) : null;
    case 'access':
      return record({ scope: [...(ctx.scopes ?? [])] });
    default:
      throw new ExpressionEvaluationError(`unknown variable '${name}' (available: user, app, access)`, pos);
  }
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === null || proto === Object.prototype;
}

/** `object.name`, null-safe: reading from null gives null. */
export function readMember(object: unknown, name: string, pos: number): unknown {
  if (object === null || object === undefined) return null;
  if (typeof object !== 'object' || Array.isArray(object) || !isPlainObject(object)) {
    throw new ExpressionEvaluationError(`cannot read '${name}' of ${typeName(object)}`, pos);
  }
  return Object.hasOwn(object, name) ? ((object as Record<string, unknown>)[name] ?? null) : null;
}
