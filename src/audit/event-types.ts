/**
 * The System Log event types Gatehouse emits, with Okta's display message, legacy (Events API)
 * type and default severity. recordEvent fills these in when the caller does not.
 * Names follow Okta's event-type catalogue (developer.okta.com/docs/reference/api/event-types/).
 */
import type { LogSeverity } from './log-event.js';

export interface EventTypeInfo {
  displayMessage: string;
  legacyEventType: string | null;
  severity: LogSeverity;
}

function info(displayMessage: string, legacyEventType: string | null = null, severity: LogSeverity = 'INFO'): EventTypeInfo {
  return { displayMessage, legacyEventType, severity };
}

export const EVENT_TYPES = {
  // Sign-in and sessions
  'user.session.start': info('User login to Okta', 'core.user_auth.login_success'),
  'user.session.end': info('User logout from Okta', 'core.user_auth.logout_success'),
  'user.authentication.sso': info('User single sign on to app', 'app.auth.sso'),
  'user.authentication.auth_via_mfa': info('Authentication of user via MFA', 'core.user.factor.attempt_success'),
  'user.account.lock': info('Max sign in attempts exceeded', 'core.user_auth.account_locked', 'WARN'),
  'user.account.unlock': info('Unlock user account', 'core.user.account.unlock'),
  'policy.evaluate_sign_on': info('Evaluation of sign-on policy'),

  // OAuth 2.0 / OIDC
  'app.oauth2.as.authorize': info('OAuth2 authorization request'),
  'app.oauth2.as.authorize.code': info('OAuth2 authorization code request'),
  'app.oauth2.as.authorize.implicit.access_token': info('OAuth2 access token is granted'),
  'app.oauth2.as.authorize.implicit.id_token': info('OAuth2 id token is granted'),
  'app.oauth2.as.token.grant': info('OAuth2 token grant request'),
  'app.oauth2.as.token.grant.access_token': info('OAuth2 access token is granted'),
  'app.oauth2.as.token.grant.id_token': info('OAuth2 id token is granted'),
  'app.oauth2.as.token.grant.refresh_token': info('OAuth2 refresh token is granted'),
  'app.oauth2.as.token.detect_reuse': info('Detect reuse of an OAuth2 refresh token', null, 'WARN'),
  'app.oauth2.as.token.revoke': info('OAuth2 token revocation request'),
  'app.oauth2.as.consent.grant': info('User granted consent to app'),
  'app.oauth2.as.consent.revoke': info('Consent revoked'),
  'app.oauth2.as.key.rollover': info('Authorization server key rollover'),
  'policy.evaluate': info('Evaluation of access policy'),

  // Users
  'user.lifecycle.create': info('Create Okta user', 'core.user.config.user_creation.success'),
  'user.lifecycle.activate': info('Activate Okta user', 'core.user.config.user_activated'),
  'user.lifecycle.reactivate': info('Reactivate Okta user', 'core.user.config.user_reactivated'),
  'user.lifecycle.deactivate': info('Deactivate Okta user', 'core.user.config.user_deactivated'),
  'user.lifecycle.suspend': info('Suspend Okta user', 'core.user.config.user_status.suspended'),
  'user.lifecycle.unsuspend': info('Unsuspend Okta user', 'core.user.config.user_status.unsuspended'),
  'user.lifecycle.unlock': info('Unlock Okta user', 'core.user.config.user_status.unlocked'),
  'user.lifecycle.delete': info('Delete Okta user', 'core.user.config.user_deleted'),
  'user.lifecycle.delete.initiated': info('Delete Okta user', 'core.user.config.user_deleted'),
  'user.lifecycle.password_mass_expiry': info('Expire password for all users'),
  'user.account.update_profile': info('Update user profile for Okta', 'core.user.config.profile_update.success'),
  'user.account.update_password': info('Update password for user', 'core.user.config.password_update.success'),
  'user.account.reset_password': info('Reset password for user', 'core.user.config.password_reset'),
  'user.account.expire_password': info('Expire password for user'),

  // Groups
  'group.lifecycle.create': info('Create Okta group', 'core.user_group.created'),
  'group.lifecycle.delete': info('Delete Okta group', 'core.user_group.deleted'),
  'group.profile.update': info('Update Okta group profile', 'core.user_group.profile_updated'),
  'group.user_membership.add': info('Add user to group membership', 'core.user_group_member.user_add'),
  'group.user_membership.remove': info('Remove user from group membership', 'core.user_group_member.user_remove'),

  // Applications
  'application.lifecycle.create': info('Create application', 'app.generic.config.app_created'),
  'application.lifecycle.update': info('Update application', 'app.generic.config.app_updated'),
  'application.lifecycle.activate': info('Activate application', 'app.generic.config.app_activated'),
  'application.lifecycle.deactivate': info('Deactivate application', 'app.generic.config.app_deactivated'),
  'application.lifecycle.delete': info('Delete application', 'app.generic.config.app_deleted'),
  'application.user_membership.add': info('Add user to application membership', 'app.generic.provision.assign_user_to_app'),
  'application.user_membership.remove': info('Remove user from application membership', 'app.generic.provision.deprovision_user_from_app'),
  'application.user_membership.update': info('Update user application membership'),
  'group.application_assignment.add': info('Add assigned application to group', 'app.generic.provision.assign_group_to_app'),
  'group.application_assignment.remove': info('Remove assigned application from group'),
  'app.oauth2.client.lifecycle.secret_create': info('Create client secret'),
  'app.oauth2.client.lifecycle.secret_delete': info('Delete client secret'),
  'app.oauth2.client.lifecycle.secret_activate': info('Activate client secret'),
  'app.oauth2.client.lifecycle.secret_deactivate': info('Deactivate client secret'),

  // Authorization servers
  'oauth2.as.created': info('Authorization server is created'),
  'oauth2.as.updated': info('Authorization server is updated'),
  'oauth2.as.activated': info('Authorization server is activated'),
  'oauth2.as.deactivated': info('Authorization server is deactivated'),
  'oauth2.as.deleted': info('Authorization server is deleted'),
  'oauth2.as.key.rollover': info('Authorization server key rollover'),
  'oauth2.scope.created': info('OAuth2 scope is created'),
  'oauth2.scope.updated': info('OAuth2 scope is updated'),
  'oauth2.scope.deleted': info('OAuth2 scope is deleted'),
  'oauth2.claim.created': info('OAuth2 claim is created'),
  'oauth2.claim.updated': info('OAuth2 claim is updated'),
  'oauth2.claim.deleted': info('OAuth2 claim is deleted'),
  'policy.lifecycle.create': info('Create policy'),
  'policy.lifecycle.update': info('Update policy'),
  'policy.lifecycle.delete': info('Delete policy'),
  'policy.lifecycle.activate': info('Activate policy'),
  'policy.lifecycle.deactivate': info('Deactivate policy'),
  'policy.rule.add': info('Add policy rule'),
  'policy.rule.update': info('Update policy rule'),
  'policy.rule.delete': info('Delete policy rule'),
  'policy.rule.activate': info('Activate policy rule'),
  'policy.rule.deactivate': info('Deactivate policy rule'),

  // Org security settings
  'system.api_token.create': info('Create API token', 'api.token.create'),
  'system.api_token.revoke': info('Revoke API token', 'api.token.revoke'),
  'security.trusted_origin.create': info('Create trusted origin'),
  'security.trusted_origin.update': info('Update trusted origin'),
  'security.trusted_origin.delete': info('Delete trusted origin'),
  'security.trusted_origin.activate': info('Activate trusted origin'),
  'security.trusted_origin.deactivate': info('Deactivate trusted origin'),
} as const satisfies Record<string, EventTypeInfo>;

/** A known event type; any other dotted name is accepted too and logged with itself as the message. */
export type EventType = keyof typeof EVENT_TYPES | (string & {});

export function eventTypeInfo(eventType: string): EventTypeInfo | undefined {
  return Object.hasOwn(EVENT_TYPES, eventType) ? EVENT_TYPES[eventType as keyof typeof EVENT_TYPES] : undefined;
}
