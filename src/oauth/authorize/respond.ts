/**
 * Delivers an authorization response (success or error) to the client in its response mode:
 * `query` / `fragment` redirects (RFC 6749 §4.1.2, §4.2.2), `form_post` (OAuth 2.0 Form Post
 * Response Mode) and Okta's `okta_post_message`. Redirects answer a GET with 302 and a POST with 303,
 * so a browser never re-posts the form to the client (RFC 9700 §4.12).
 */
import { renderFormPostPage } from '../../pages/form-post-page.js';
import type { HtmlPage } from '../../pages/html.js';
import { renderPostMessagePage } from '../../pages/post-message-page.js';
import type { ResponseMode } from './context.js';

export type BrowserResult =
  | { kind: 'redirect'; location: string; status: 302 | 303 }
  | { kind: 'page'; page: HtmlPage };

export function encodeParams(params: Record<string, string>): string {
  return Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** Adds parameters to a URI's query, keeping whatever query it already has untouched. */
export function appendQuery(uri: string, params: Record<string, string>): string {
  const encoded = encodeParams(params);
  if (encoded === '') return uri;
  const [base, fragment] = splitFragment(uri);
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${sep}${encoded}${fragment}`;
}

function splitFragment(uri: string): [string, string] {
  const i = uri.indexOf('#');
  return i < 0 ? [uri, ''] : [uri.slice(0, i), uri.slice(i)];
}

export function authorizationResponse(
  mode: ResponseMode,
  redirectUri: string,
  params: Record<string, string>,
  method: 'GET' | 'POST',
): BrowserResult {
  const status = method === 'POST' ? 303 : 302;
  switch (mode) {
    case 'query':
      return { kind: 'redirect', status, location: appendQuery(redirectUri, params) };
    case 'fragment':
      return { kind: 'redirect', status, location: `${splitFragment(redirectUri)[0]}#${encodeParams(params)}` };
    case 'form_post':
      return { kind: 'page', page: renderFormPostPage(redirectUri, params) };
    case 'okta_post_message':
      return { kind: 'page', page: renderPostMessagePage(new URL(redirectUri).origin, params) };
  }
}
