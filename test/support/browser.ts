/**
 * A tiny scripted browser for the browser-side protocol tests: a cookie jar, manual redirects
 * (`redirect: 'manual'`), the hosted sign-in form, and fixtures (users with passwords, OIDC apps)
 * written straight through the store.
 */
import type { Container } from '../../src/container.js';
import { ID_PREFIX, newId, randomToken } from '../../src/crypto/ids.js';
import { hashPassword } from '../../src/crypto/passwords.js';
import type { App, TokenEndpointAuthMethod, User, UserStatus } from '../../src/domain/model.js';

export interface Cookie {
  name: string;
  value: string;
  attributes: string[];
  raw: string;
}

export function parseSetCookie(raw: string): Cookie {
  const [pair = '', ...attributes] = raw.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes, raw };
}

export function setCookies(res: Response): Cookie[] {
  return res.headers.getSetCookie().map(parseSetCookie);
}

export class Browser {
  readonly jar = new Map<string, string>();

  constructor(readonly origin: string) {}

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  store(res: Response): void {
    for (const c of setCookies(res)) {
      if (c.attributes.some((a) => /^max-age=0$/i.test(a)) || c.value === '') this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size > 0 && !headers.has('cookie')) headers.set('cookie', this.cookieHeader());
    const res = await fetch(new URL(url, this.origin), { ...init, headers, redirect: 'manual' });
    this.store(res);
    return res;
  }

  get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(url, { headers });
  }

  postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Follows redirects on this origin until one leaves it (or a page is returned). */
  async follow(res: Response, max = 10): Promise<Response> {
    let current = res;
    for (let i = 0; i < max; i++) {
      const location = current.headers.get('location');
      if (current.status < 300 || current.status >= 400 || !location) return current;
      const next = new URL(location, this.origin);
      if (next.origin !== this.origin) return current;
      current = await this.get(next.href);
    }
    return current;
  }
}

/** Hidden/text input values of the first form on a page. */
export function formFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1];
    if (name) out[name] = unescapeHtml(value ?? '');
  }
  return out;
}

export function unescapeHtml(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The parameters of an authorization response redirect (query or fragment). */
export function responseParams(location: string, where: 'query' | 'fragment'): Record<string, string> {
  const url = new URL(location);
  const raw = where === 'query' ? url.search.slice(1) : url.hash.slice(1);
  return Object.fromEntries(new URLSearchParams(raw));
}

export function jwtClaims(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

export async function createUserWithPassword(
  c: Container,
  password: string,
  opts: { login?: string; status?: UserStatus; firstName?: string; lastName?: string } = {},
): Promise<User> {
  const now = c.clock.now();
  const login = opts.login ?? `user-${randomToken(6)}@example.com`;
  const user: User = {
    id: newId(ID_PREFIX.user),
    status: opts.status ?? 'ACTIVE',
    profile: { login, email: login, firstName: opts.firstName ?? 'Test', lastName: opts.lastName ?? 'User' },
    passwordHash: await hashPassword(password),
    failedLogins: 0,
    adminRoles: [],
    created: now,
    activated: now,
    statusChanged: now,
    lastLogin: null,
    lastUpdated: now,
    passwordChanged: now,
  };
  await c.store.users.create(user);
  return user;
}

export interface OidcAppOptions {
  method?: TokenEndpointAuthMethod;
  responseTypes?: string[];
  grantTypes?: string[];
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  pkceRequired?: boolean;
  status?: 'ACTIVE' | 'INACTIVE';
  label?: string;
}

export async function createOidcApp(c: Container, opts: OidcAppOptions = {}): Promise<App> {
  const now = c.clock.now();
  const id = newId(ID_PREFIX.app);
  const method = opts.method ?? 'client_secret_basic';
  const app: App = {
    id,
    status: opts.status ?? 'ACTIVE',
    clientId: id,
    created: now,
    lastUpdated: now,
    body: {
      name: 'oidc_client',
      label: opts.label ?? `Test app ${id}`,
      signOnMode: 'OPENID_CONNECT',
      features: [],
      accessibility: {},
      visibility: {},
      credentials: {
        userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
        oauthClient: { client_id: id, token_endpoint_auth_method: method, autoKeyRotation: true, pkce_required: opts.pkceRequired ?? false },
      },
      settings: {
        app: {},
        notes: {},
        oauthClient: {
          application_type: method === 'none' ? 'browser' : 'web',
          redirect_uris: opts.redirectUris ?? ['https://app.example.com/callback'],
          post_logout_redirect_uris: opts.postLogoutRedirectUris ?? [],
          response_types: opts.responseTypes ?? ['code', 'token', 'id_token'],
          grant_types: opts.grantTypes ?? ['authorization_code', 'implicit', 'refresh_token'],
          consent_method: 'TRUSTED',
          issuer_mode: 'ORG_URL',
          wildcard_redirect: 'DISABLED',
        },
      },
    },
  };
  await c.store.apps.create(app);
  c.cache.invalidateClient(id);
  return app;
}

export async function assignUser(c: Container, app: App, user: User): Promise<void> {
  const now = c.clock.now();
  await c.store.apps.assignUser({ appId: app.id, userId: user.id, scope: 'USER', body: {}, created: now, lastUpdated: now });
}

/**
 * Runs an authorization request that needs sign-in: /authorize → 303 sign-in page → POST the form →
 * 303 back to /authorize → the response for the client (redirect or page).
 */
export async function authorizeWithSignIn(b: Browser, authorizeUrl: string, username: string, password: string): Promise<Response> {
  const first = await b.get(authorizeUrl);
  if (first.status !== 303) throw new Error(`expected 303 to the sign-in page, got ${first.status}: ${await first.text()}`);
  const page = await b.get(first.headers.get('location')!);
  const fields = formFields(await page.text());
  const posted = await b.postForm('/login/login.htm', { ...fields, username, password });
  if (posted.status !== 303) throw new Error(`sign-in failed with ${posted.status}: ${await posted.text()}`);
  return b.follow(posted);
}

/** The data an okta_post_message page posts, and the origin it posts to. */
export function postMessageData(html: string): { data: Record<string, string>; origin: string } {
  const data = /var data = (\{.*?\});/s.exec(html)?.[1];
  const origin = /var origin = (".*?");/s.exec(html)?.[1];
  if (!data || !origin) throw new Error(`not a post-message page: ${html.slice(0, 300)}`);
  return { data: JSON.parse(data), origin: JSON.parse(origin) };
}

export type Mode = 'query' | 'fragment' | 'form_post' | 'okta_post_message';

/** The authorization response parameters, however they were delivered. */
export async function readAuthorizationResponse(res: Response, mode: Mode): Promise<Record<string, string>> {
  if (mode === 'query' || mode === 'fragment') {
    const location = res.headers.get('location');
    if (res.status !== 302 && res.status !== 303) throw new Error(`expected a redirect, got ${res.status}: ${await res.text()}`);
    return responseParams(location!, mode);
  }
  const html = await res.text();
  if (res.status !== 200) throw new Error(`expected a page, got ${res.status}: ${html}`);
  if (mode === 'form_post') {
    const fields = formFields(html);
    return fields;
  }
  return postMessageData(html).data;
}

/** The security headers every HTML page must carry. */
export function pageSecurityProblems(res: Response, opts: { frameable?: string } = {}): string[] {
  const problems: string[] = [];
  const csp = res.headers.get('content-security-policy') ?? '';
  if (!csp.includes("default-src 'none'")) problems.push(`CSP lacks default-src 'none': ${csp}`);
  if (!/style-src '(sha256-[^']+|self)'/.test(csp)) problems.push(`CSP lacks a restricted style-src: ${csp}`);
  if (!/form-action 'self'/.test(csp)) problems.push(`CSP lacks form-action 'self': ${csp}`);
  if (opts.frameable) {
    if (!csp.includes(`frame-ancestors ${opts.frameable}`)) problems.push(`CSP frame-ancestors is not ${opts.frameable}: ${csp}`);
    if (res.headers.get('x-frame-options')) problems.push('X-Frame-Options set on a frameable page');
  } else {
    if (!csp.includes("frame-ancestors 'none'")) problems.push(`CSP lacks frame-ancestors 'none': ${csp}`);
    if (res.headers.get('x-frame-options') !== 'DENY') problems.push('X-Frame-Options is not DENY');
  }
  if (res.headers.get('referrer-policy') !== 'no-referrer') problems.push('Referrer-Policy is not no-referrer');
  if (!(res.headers.get('cache-control') ?? '').includes('no-store')) problems.push('Cache-Control lacks no-store');
  if (!(res.headers.get('content-type') ?? '').startsWith('text/html')) problems.push('not text/html');
  return problems;
}
