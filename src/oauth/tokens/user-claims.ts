/**
 * Standard OIDC claims from an Okta user profile, by granted scope (OIDC Core §5.4). `thin` keeps
 * only what Okta puts in an ID token issued beside an access token: name, preferred_username, email.
 */
import type { User } from '../../domain/model.js';
import { toSeconds } from '../../lib/time.js';

type Claims = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function put(out: Claims, key: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== '') out[key] = value;
}

export function fullName(user: User): string | undefined {
  const p = user.profile;
  return str(p.displayName) ?? ([str(p.firstName), str(p.lastName)].filter(Boolean).join(' ') || undefined);
}

export function userClaims(user: User, scopes: readonly string[], thin = false): Claims {
  const p = user.profile;
  const out: Claims = {};
  if (scopes.includes('profile')) {
    put(out, 'name', fullName(user));
    put(out, 'preferred_username', p.login);
    if (!thin) {
      put(out, 'given_name', str(p.firstName));
      put(out, 'family_name', str(p.lastName));
      put(out, 'middle_name', str(p.middleName));
      put(out, 'nickname', str(p.nickName));
      put(out, 'profile', str(p.profileUrl));
      put(out, 'locale', str(p.locale) ?? 'en_US');
      put(out, 'zoneinfo', str(p.timezone) ?? 'America/Los_Angeles');
      put(out, 'updated_at', toSeconds(user.lastUpdated));
    }
  }
  if (scopes.includes('email')) {
    put(out, 'email', str(p.email));
    if (!thin && str(p.email)) out.email_verified = true;
  }
  if (!thin && scopes.includes('address')) {
    const address: Claims = {};
    put(address, 'street_address', str(p.streetAddress));
    put(address, 'locality', str(p.city));
    put(address, 'region', str(p.state));
    put(address, 'postal_code', str(p.zipCode));
    put(address, 'country', str(p.countryCode));
    if (Object.keys(address).length) out.address = address;
  }
  if (!thin && scopes.includes('phone')) {
    put(out, 'phone_number', str(p.mobilePhone) ?? str(p.primaryPhone));
  }
  return out;
}
