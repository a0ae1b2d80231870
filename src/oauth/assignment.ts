/**
 * "Controlled access": a user may sign in to an app only when assigned to it directly or through a
 * group (Everyone included), and only while ACTIVE. The user's groups are read once here, with their
 * names, so the same grant can evaluate custom claims without reading them again.
 */
import type { Container } from '../container.js';
import type { App, User } from '../domain/model.js';
import { OAuthError } from '../errors/oauth-error.js';
import type { GroupRef } from '../store/store.js';

export interface UserAccess {
  groupIds: string[];
  /** The same groups with their names (for custom claims). */
  groups: GroupRef[];
}

/** `groups`: the user's groups when the caller has already read them (alongside the user). */
export async function assertUserMayUseApp(c: Pick<Container, 'store'>, app: App, user: User, groups?: GroupRef[]): Promise<UserAccess> {
  groups ??= await c.store.groups.groupRefsOfUser(user.id);
  const groupIds = groups.map((g) => g.id).sort();
  if (!(await c.store.apps.isAssigned(app.id, user.id, groupIds))) throw OAuthError.of('user_not_assigned');
  return { groupIds, groups };
}
