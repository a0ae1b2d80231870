/**
 * The org session cookie `sid` (HttpOnly, SameSite=Lax, Path=/, Secure behind https) and the
 * anti-CSRF cookie of the sign-in form. Parsing is deliberately strict: a malformed or duplicated
 * cookie counts as absent.
 */
export const SESSION_COOKIE = 'sid';

/** Only values we could have issued are looked up (base64url, bounded). */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,128}$/;

export function parseCookies(header: string | string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const seen = new Set<string>();
  const raw = Array.isArray(header) ? header.join('; ') : header ?? '';
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (seen.has(name)) out.delete(name);
    else out.set(name, value);
    seen.add(name);
  }
  return out;
}

/** A cookie value that has the shape of one of our random tokens, else undefined. */
export function tokenCookie(header: string | string[] | undefined, name: string): string | undefined {
  const v = parseCookies(header).get(name);
  return v !== undefined && TOKEN_SHAPE.test(v) ? v : undefined;
}

function attributes(secure: boolean, sameSite: 'Lax' | 'Strict'): string {
  return `Path=/; HttpOnly; SameSite=${sameSite}${secure ? '; Secure' : ''}`;
}

export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; ${attributes(secure, 'Lax')}`;
}

export function clearSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${attributes(secure, 'Lax')}`;
}

/** `__Host-` pins the cookie to this host when it can be Secure (ASVS 3.3.1). */
export function csrfCookieName(secure: boolean): string {
  return secure ? '__Host-gh_csrf' : 'gh_csrf';
}

export function csrfCookie(value: string, secure: boolean): string {
  return `${csrfCookieName(secure)}=${value}; ${attributes(secure, 'Lax')}`;
}
