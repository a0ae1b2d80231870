/** Trusted origins (management.yaml `TrustedOrigin`): browser origins allowed to call the org. */

export type TrustedOriginScopeType = 'CORS' | 'REDIRECT' | 'IFRAME_EMBED';

export const TRUSTED_ORIGIN_SCOPE_TYPES: readonly TrustedOriginScopeType[] = ['CORS', 'REDIRECT', 'IFRAME_EMBED'];

export interface TrustedOriginScope {
  type: TrustedOriginScopeType;
  /** IFRAME_EMBED only: `[]` (sign-in page only) or `['OKTA_ENDUSER']` (also the end-user dashboard). */
  allowedOktaApps?: string[];
}

export interface TrustedOrigin {
  id: string;
  name: string;
  /** As the administrator wrote it (scheme://host[:port]); matched through canonicalOrigin(). */
  origin: string;
  status: 'ACTIVE' | 'INACTIVE';
  scopes: TrustedOriginScope[];
  created: number;
  createdBy: string | null;
  lastUpdated: number;
  lastUpdatedBy: string | null;
}
