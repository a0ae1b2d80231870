/**
 * Which browser origins may make CORS requests, held in memory per node so the request path does
 * no database round trip:
 *
 * - `trusted`: canonical origins of ACTIVE trusted origins with the CORS scope (every CORS endpoint).
 * - `redirect`: origins of the redirect URIs of ACTIVE apps (the OAuth endpoints only: token, revoke,
 *   introspect, keys, userinfo, discovery), including `https://*.example.com` / `https://app-*.example.com`
 *   patterns of apps with wildcard_redirect SUBDOMAIN (the `*` never spans a dot).
 *
 * Each set is reloaded in the background once half the TTL (config.cacheTtlMs) has passed and waited
 * for only when older than the TTL, so a busy node never blocks on it. Trusted-origin writes call
 * invalidateTrustedOrigins so this node sees them at once; app changes reach it within the TTL, or at
 * once if the apps service calls invalidateAppOrigins.
 */
import type { Container } from '../../container.js';
import type { App } from '../model.js';
import type { Store } from '../../store/store.js';
import { canonicalOrigin, originOfUrl } from './origin.js';

export type CorsAllowListDeps = Pick<Container, 'store' | 'config' | 'clock' | 'log'>;

interface WildcardOrigin {
  scheme: string;
  port: string;
  /** The lowest-level label, `*` matching one or more letters, digits or hyphens (`app-*` → /^app-[a-z0-9-]+$/). */
  label: RegExp;
  /** The rest of the host after that label: `.example.com`. */
  parent: string;
}

export interface RedirectOrigins {
  exact: Set<string>;
  wildcards: WildcardOrigin[];
}

/** A value loaded from the database and refreshed ahead of its TTL (see the module comment). */
class RefreshingValue<T> {
  #value: { at: number; data: T } | undefined;
  #loading: Promise<T> | undefined;
  #generation = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  async get(): Promise<T> {
    const v = this.#value;
    if (v) {
      const age = this.now() - v.at;
      if (age < this.ttlMs / 2) return v.data;
      if (age < this.ttlMs) {
        this.#reload().catch(this.onError);
        return v.data;
      }
    }
    try {
      return await this.#reload();
    } catch (err) {
      // The database is unreachable: keep serving what we had rather than breaking every browser.
      if (!v) throw err;
      this.onError(err);
      return v.data;
    }
  }

  invalidate(): void {
    this.#generation++;
    this.#value = undefined;
    this.#loading = undefined;
  }

  #reload(): Promise<T> {
    if (this.#loading) return this.#loading;
    const generation = this.#generation;
    const started = this.now();
    const loading = this.load().then((data) => {
      // A load that raced an invalidation may hold pre-change data: hand it out once, never keep it.
      if (generation === this.#generation) this.#value = { at: started, data };
      return data;
    }).finally(() => {
      if (this.#loading === loading) this.#loading = undefined;
    });
    this.#loading = loading;
    return loading;
  }
}

const PAGE = 200;

async function loadTrustedCorsOrigins(store: Store): Promise<Set<string>> {
  const origins = await store.trustedOrigins.listActive();
  const out = new Set<string>();
  for (const o of origins) {
    if (!o.scopes.some((s) => s.type === 'CORS')) continue;
    const key = canonicalOrigin(o.origin);
    if (key) out.add(key);
  }
  return out;
}

function addRedirectOrigin(app: App, uri: string, into: RedirectOrigins): void {
  const exact = originOfUrl(uri);
  if (exact) {
    into.exact.add(exact);
    return;
  }
  if (app.body.settings.oauthClient.wildcard_redirect !== 'SUBDOMAIN') return;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return;
  // As the apps API accepts them: one `*`, in the lowest-level label, with at least two labels above.
  const host = url.hostname.toLowerCase();
  const dot = host.indexOf('.');
  const first = host.slice(0, dot);
  const parent = host.slice(dot);
  if (dot <= 0 || (first.match(/\*/g) ?? []).length !== 1 || parent.includes('*') || parent.split('.').filter(Boolean).length < 2) return;
  const [before, after] = first.split('*') as [string, string];
  if (!/^[a-z0-9-]*$/.test(before) || !/^[a-z0-9-]*$/.test(after)) return;
  into.wildcards.push({ scheme: url.protocol.slice(0, -1), port: url.port, label: new RegExp(`^${before}[a-z0-9-]+${after}$`), parent });
}

async function loadRedirectOrigins(store: Store): Promise<RedirectOrigins> {
  const out: RedirectOrigins = { exact: new Set(), wildcards: [] };
  let after: string | undefined;
  for (;;) {
    const apps = await store.apps.list({ limit: PAGE, after, status: 'ACTIVE' });
    for (const app of apps) {
      for (const uri of app.body.settings.oauthClient?.redirect_uris ?? []) addRedirectOrigin(app, uri, out);
    }
    if (apps.length < PAGE) return out;
    after = apps[apps.length - 1]!.id;
  }
}

export class CorsAllowList {
  readonly #trusted: RefreshingValue<Set<string>>;
  readonly #redirect: RefreshingValue<RedirectOrigins>;

  constructor(c: CorsAllowListDeps) {
    const now = () => c.clock.now();
    const onError = (err: unknown) => c.log.error({ err }, 'cannot refresh the CORS allow-list');
    this.#trusted = new RefreshingValue(() => loadTrustedCorsOrigins(c.store), c.config.cacheTtlMs, now, onError);
    this.#redirect = new RefreshingValue(() => loadRedirectOrigins(c.store), c.config.cacheTtlMs, now, onError);
  }

  /** True when `origin` (canonical) is an ACTIVE trusted origin with the CORS scope. */
  async isTrusted(origin: string): Promise<boolean> {
    return (await this.#trusted.get()).has(origin);
  }

  /** True when `origin` (canonical) is the origin of a redirect URI of an ACTIVE app. */
  async isAppRedirectOrigin(origin: string): Promise<boolean> {
    const { exact, wildcards } = await this.#redirect.get();
    if (exact.has(origin)) return true;
    if (wildcards.length === 0) return false;
    const url = new URL(origin);
    const scheme = url.protocol.slice(0, -1);
    const dot = url.hostname.indexOf('.');
    const label = url.hostname.slice(0, dot);
    const parent = url.hostname.slice(dot);
    return dot > 0 && wildcards.some((w) => w.scheme === scheme && w.port === url.port && w.parent === parent && w.label.test(label));
  }

  invalidateTrustedOrigins(): void {
    this.#trusted.invalidate();
  }

  invalidateAppOrigins(): void {
    this.#redirect.invalidate();
  }
}

// One allow-list per node, keyed by its store (the Store object lives exactly as long as the node).
const lists = new WeakMap<Store, CorsAllowList>();

export function corsAllowList(c: CorsAllowListDeps): CorsAllowList {
  let list = lists.get(c.store);
  if (!list) {
    list = new CorsAllowList(c);
    lists.set(c.store, list);
  }
  return list;
}

/** For the apps service: make this node re-read app redirect URIs on the next CORS request. */
export function invalidateAppOrigins(c: Pick<Container, 'store'>): void {
  lists.get(c.store)?.invalidateAppOrigins();
}

export function invalidateTrustedOrigins(c: Pick<Container, 'store'>): void {
  lists.get(c.store)?.invalidateTrustedOrigins();
}
