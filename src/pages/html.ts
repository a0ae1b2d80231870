/**
 * Building blocks of the server-rendered pages: HTML escaping, one shared layout with its stylesheet
 * (inline, allowed by its CSP hash), and the security headers every page carries:
 * CSP `default-src 'none'`, `frame-ancestors` (+ X-Frame-Options), no referrer, no caching
 * (RFC 9700 §4.2, §4.16; ASVS 3.4.6).
 */
import { createHash, randomBytes } from 'node:crypto';

export interface HtmlPage {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (ch) => ESCAPES[ch] ?? ch);
}

/** JSON safe to embed inside an inline <script> (no `</script>`, no line separators). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f4f5f7;color:#1d1d21}
main{max-width:26rem;margin:4rem auto;padding:2rem;background:#fff;border:1px solid #d7d9de;border-radius:8px}
h1{font-size:1.4rem;margin:0 0 1rem}
p{margin:.5rem 0 1rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=text],input[type=password],input[type=email]{width:100%;padding:.6rem;font:inherit;border:1px solid #8a8f98;border-radius:4px}
input:focus,button:focus{outline:3px solid #1662dd;outline-offset:1px}
button{margin-top:1.5rem;width:100%;padding:.7rem;font:inherit;font-weight:600;color:#fff;background:#1662dd;border:0;border-radius:4px;cursor:pointer}
button:hover{background:#124fb3}
.error{padding:.75rem;border-left:4px solid #c4181f;background:#fdecec;color:#7d0f13}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem;word-break:break-word}
.muted{color:#5b5f67;font-size:.9rem}`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

/** A fresh CSP nonce for a page's inline script. */
export function scriptNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface PageSecurity {
  /** Sources allowed in `frame-ancestors`; none (the default) forbids framing and adds X-Frame-Options DENY. */
  frameAncestors?: string[] | undefined;
  /** Extra `form-action` sources besides 'self'. */
  formAction?: string[] | undefined;
  /** Nonce of the page's inline script, if any. */
  scriptNonce?: string | undefined;
}

export function securityHeaders(sec: PageSecurity = {}): Record<string, string> {
  const ancestors = sec.frameAncestors && sec.frameAncestors.length > 0 ? sec.frameAncestors.join(' ') : "'none'";
  const formAction = ["'self'", ...(sec.formAction ?? [])].join(' ');
  const csp = [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    ...(sec.scriptNonce ? [`script-src 'nonce-${sec.scriptNonce}'`] : []),
    `form-action ${formAction}`,
    `frame-ancestors ${ancestors}`,
    "base-uri 'none'",
  ].join('; ');
  const headers: Record<string, string> = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp,
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'x-content-type-options': 'nosniff',
  };
  if (ancestors === "'none'") headers['x-frame-options'] = 'DENY';
  return headers;
}

/** The shared document around a page's content (already-escaped HTML). */
export function layout(title: string, content: string, extraHead = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>${extraHead}
</head>
<body>
<main>
${content}
</main>
</body>
</html>
`;
}

/**
 * The CSP source that admits navigation to `uri`: its origin for http(s), its scheme for a native
 * app's private-use scheme. Undefined when it cannot be expressed safely.
 */
export function cspSourceFor(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) && !/^(javascript|data|vbscript|blob|file):$/i.test(url.protocol)
    ? url.protocol
    : undefined;
}
