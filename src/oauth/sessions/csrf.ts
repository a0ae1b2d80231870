/**
 * Anti-CSRF for the sign-in form (RFC 6819 §4.4.1.8): a random token in a cookie that must come back
 * in the form (double submit), plus an Origin check when the browser sends one. A cross-site page can
 * neither read the cookie nor make the browser send it with a POST (SameSite=Lax).
 */
import { randomToken } from '../../crypto/ids.js';
import { safeEqual } from '../../crypto/compare.js';

export function newCsrfToken(): string {
  return randomToken(32);
}

export function csrfTokenMatches(cookieValue: string | undefined, formValue: unknown): boolean {
  return typeof formValue === 'string' && cookieValue !== undefined && formValue.length > 0 && safeEqual(cookieValue, formValue);
}

/** Absent (older browsers, some privacy settings) passes; present must be one of ours. */
export function originAllowed(originHeader: string | undefined, allowed: string[]): boolean {
  if (originHeader === undefined) return true;
  return allowed.includes(originHeader);
}
