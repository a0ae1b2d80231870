/**
 * GET /api/v1/users/{id}/appLinks: Okta's AssignedAppLink list, one link per ACTIVE app the user is
 * assigned to, directly or through a group (Everyone included). Two queries whatever the number of
 * apps: the user's groups, then the apps.
 */
import type { Container } from '../container.js';
import { sha256 } from '../crypto/ids.js';
import type { App, User } from './model.js';
import { findUser } from './users-service.js';

/** Okta's link name for an OIDC app's one dashboard link (visibility.appLinks.oidc_client_link). */
const OIDC_LINK = 'oidc_client_link';

/**
 * Okta identifies the app-user record behind a link (`appAssignmentId`, a `0ua…` id). Gatehouse keys
 * assignments by (app, user) and has no such id, so it derives a stable one from that pair: the
 * same app and user always give the same id, whether the assignment is direct or through a group.
 */
function appAssignmentId(appId: string, userId: string): string {
  return `0ua${sha256(`${appId}\0${userId}`).replace(/[^A-Za-z0-9]/g, '').slice(0, 17)}`;
}

/**
 * Where the link leads. In Okta an OIDC app's link is `{orgUrl}/home/oidc_client/{appId}/{linkId}`, a
 * dashboard route that starts sign-in at the app's `initiate_login_uri`. Gatehouse has no end-user
 * dashboard, so it gives the place that route ends up at: the app's `initiate_login_uri`, else its
 * home page (`client_uri`). Only an app with neither gets Okta's dashboard path (with the link name
 * in place of Okta's link id), which Gatehouse does not serve: there is no honest launch URL for it.
 */
function linkUrl(app: App, orgUrl: string): string {
  const oc = app.body.settings.oauthClient;
  return oc.initiate_login_uri ?? oc.client_uri ?? `${orgUrl}/home/oidc_client/${app.id}/${OIDC_LINK}`;
}

function isHidden(app: App): boolean {
  const hide = (app.body.visibility as { hide?: { web?: unknown } }).hide;
  return hide?.web === true;
}

export function appLinkJson(app: App, user: User, orgUrl: string, sortOrder: number): Record<string, unknown> {
  return {
    id: user.id,
    label: app.body.label,
    linkUrl: linkUrl(app, orgUrl),
    // Okta shows its generic logo for an app without one; Gatehouse has only the app's own logo_uri.
    logoUrl: app.body.settings.oauthClient.logo_uri ?? null,
    appName: app.body.name,
    appInstanceId: app.id,
    appAssignmentId: appAssignmentId(app.id, user.id),
    credentialsSetup: false,
    hidden: isHidden(app),
    sortOrder,
  };
}

/** The user's app links, ordered by label (then id); `sortOrder` is the position in that order. */
export async function listAppLinks(c: Pick<Container, 'store' | 'clock' | 'config'>, idOrLogin: string, principal?: User): Promise<Record<string, unknown>[]> {
  const user = await findUser(c, idOrLogin, principal);
  const groupIds = await c.store.groups.groupIdsOfUser(user.id);
  const apps = (await c.store.apps.listAssignedApps(user.id, groupIds))
    .filter((a) => a.status === 'ACTIVE')
    .sort((a, b) => a.body.label.localeCompare(b.body.label) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return apps.map((app, i) => appLinkJson(app, user, c.config.orgUrl, i));
}
