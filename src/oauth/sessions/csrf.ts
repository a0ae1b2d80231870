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

/**
 * An Origin naming another site is refused. Absent (older browsers) or `null` passes: browsers send
 * `Origin: null` for a form POST from a page whose Referrer-Policy is no-referrer, as the sign-in
 * page's is (Fetch §3.1), so the token is what actually decides.
 */
export function originAllowed(originHeader: string | undefined, allowed: string[]): boolean {
  if (originHeader === undefined || originHeader === 'null') return true;
  return allowed.includes(originHeader);
}
