/**
 * The gateway's own pages: errors and the silent-renewal result. Inline CSS and script are allowed by
 * a per-response nonce; nothing else loads. Error pages cannot be framed; the silent page only by
 * this origin.
 */
import { randomBytes } from 'node:crypto';
import type { GatewayError } from './errors.js';

export interface Page {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c]!);

/** JSON safe inside an inline <script>. */
export const scriptJson = (v: unknown): string =>
  JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const CSS = `body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d1d21}
main{max-width:40rem;margin:4rem auto;padding:2rem;background:#fff;border:1px solid #d7d9de;border-radius:8px}
h1{font-size:1.4rem;margin:0 0 1rem}.fix{background:#fff8e1;border-left:4px solid #e0a800;padding:.75rem 1rem}
code{font-size:.9em}a.button{display:inline-block;margin-top:1rem;padding:.6rem 1rem;background:#1662dd;color:#fff;border-radius:4px;text-decoration:none}
.code{color:#6b6f76;font-size:.85rem}`;

export function page(status: number, title: string, bodyHtml: string, opts: { frameable?: boolean; script?: string } = {}): Page {
  const nonce = randomBytes(16).toString('base64');
  const script = opts.script ? `<script nonce="${nonce}">${opts.script}</script>` : '';
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'self'; frame-ancestors ${opts.frameable ? "'self'" : "'none'"}`,
      'x-frame-options': opts.frameable ? 'SAMEORIGIN' : 'DENY',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style nonce="${nonce}">${CSS}</style></head><body><main>${bodyHtml}</main>${script}</body></html>`,
  };
}

export function errorPage(err: GatewayError, loginUrl: string): Page {
  const fix = err.fix ? `<p class="fix"><strong>How to fix it:</strong> ${esc(err.fix)}</p>` : '';
  const retry = err.retry ? `<a class="button" href="${esc(loginUrl)}">Sign in again</a>` : '';
  return page(err.status, err.title,
    `<h1>${esc(err.title)}</h1><p>${esc(err.message)}</p>${fix}${retry}<p class="code">Error: ${esc(err.code)}</p>`);
}

export interface SilentResult {
  type: 'gatehouse:silent-renew';
  ok: boolean;
  error?: string;
  message?: string;
  /** Token expiry after renewal, epoch ms. */
  expiresAt?: number;
}

/** Shown in the hidden iframe: tells the parent (same origin only) how the renewal went. */
export function silentResultPage(origin: string, result: SilentResult): Page {
  return page(200, 'Session renewal', `<p>${result.ok ? 'Session renewed.' : esc(result.message ?? 'Renewal failed.')}</p>`, {
    frameable: true,
    script: `(function(){var m=${scriptJson(result)};var t=window.parent!==window?window.parent:window.opener;if(t){t.postMessage(m,${scriptJson(origin)});}})();`,
  });
}

/**
 * Shown in the hidden iframe when the browser sent it no cookies: hands the authorization response to
 * the parent page (same origin only), which completes it with a first-party POST to this URL.
 */
export function silentRelayPage(origin: string): Page {
  return page(200, 'Session renewal', '<p>Renewing the session…</p>', {
    frameable: true,
    script: `(function(){var t=window.parent!==window?window.parent:window.opener;if(t){t.postMessage({type:'gatehouse:silent-relay',callback:location.pathname,response:location.search.slice(1)},${scriptJson(origin)});}})();`,
  });
}
