/**
 * "Controlled access": a user may sign in to an app only when assigned to it directly or through a
 * group (Everyone included), and only while ACTIVE.
 */
import type { Container } from '../container.js';
import type { App, User } from '../domain/model.js';
import { OAuthError } from '../errors/oauth-error.js';

export interface UserAccess {
  groupIds: string[];
}

export async function assertUserMayUseApp(c: Pick<Container, 'store'>, app: App, user: User): Promise<UserAccess> {
  const groupIds = await c.store.groups.groupIdsOfUser(user.id);
  if (!(await c.store.apps.isAssigned(app.id, user.id, groupIds))) throw OAuthError.of('user_not_assigned');
  return { groupIds };
}
