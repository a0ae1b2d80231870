/**
 * User consent, as Okta decides it (management.yaml `OpenIdConnectApplicationConsentMethod`):
 *
 * | prompt            | app consent_method | scope consent       | result                                   |
 * |-------------------|--------------------|---------------------|------------------------------------------|
 * | consent           | any                | REQUIRED, FLEXIBLE  | asked, remembered grants notwithstanding |
 * | consent           | any                | IMPLICIT            | not asked                                |
 * | absent or none    | TRUSTED            | any                 | not asked                                |
 * | absent or none    | REQUIRED           | REQUIRED, FLEXIBLE  | asked unless already granted             |
 * | absent or none    | REQUIRED           | IMPLICIT            | not asked                                |
 *
 * With prompt=none, "asked" becomes the `consent_required` error. Grants are remembered per user ×
 * client × authorization server × scope (store.consents), so only scopes still lacking consent are
 * asked next time; revoking a grant (the Grants API) makes the page come back. The org authorization
 * server only has the OIDC system scopes, which are IMPLICIT: it never asks. Client credentials
 * have no user to ask: see the client_credentials grant.
 */
import type { Container } from '../../container.js';
import { ID_PREFIX, newId } from '../../crypto/ids.js';
import type { App, Scope } from '../../domain/model.js';
import type { ServerContext } from '../server-context.js';

export interface ConsentAnswer {
  /** The user the page was shown to. */
  userId: string;
  /** The scopes the page listed. */
  scopes: string[];
  decision: 'allow' | 'deny';
}

/** The requested scopes that need consent for this request, before remembered grants are counted. */
export function consentCandidates(server: ServerContext, app: App, scopes: readonly string[], prompt: ReadonlySet<string>): string[] {
  if (server.isOrg || !server.config) return [];
  const asked = prompt.has('consent') || app.body.settings.oauthClient.consent_method === 'REQUIRED';
  if (!asked) return [];
  const byName = new Map(server.config.scopes.map((s) => [s.name, s]));
  return scopes.filter((name) => {
    const consent = byName.get(name)?.consent ?? 'IMPLICIT';
    return consent === 'REQUIRED' || consent === 'FLEXIBLE';
  });
}

/** Scope names the user has already granted this client on this server. */
export async function rememberedScopes(c: Pick<Container, 'store'>, userId: string, clientId: string, authServerId: string): Promise<Set<string>> {
  const grants = await c.store.consents.list(userId, clientId);
  return new Set(grants.filter((g) => g.authServerId === authServerId).map((g) => g.scope));
}

/** Records the user's consent to each scope (again: refreshes lastUpdated, keeps the grant's id). */
export async function rememberConsent(
  c: Pick<Container, 'store' | 'clock'>,
  grant: { userId: string; clientId: string; authServerId: string; scopes: readonly string[] },
): Promise<void> {
  const now = c.clock.now();
  for (const scope of grant.scopes) {
    await c.store.consents.upsert({
      id: newId(ID_PREFIX.consent), userId: grant.userId, clientId: grant.clientId, authServerId: grant.authServerId, scope,
      created: now, lastUpdated: now,
    });
  }
}

/** The scope objects behind names, in the order asked (what the consent page lists). */
export function scopeDetails(server: ServerContext, names: readonly string[]): Pick<Scope, 'name' | 'displayName' | 'description'>[] {
  const byName = new Map((server.config?.scopes ?? []).map((s) => [s.name, s]));
  return names.map((name) => {
    const s = byName.get(name);
    return { name, displayName: s?.displayName ?? null, description: s?.description ?? null };
  });
}
