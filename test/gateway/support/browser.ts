/**
 * A scripted browser for the gateway tests: a cookie jar per origin, manual redirect following with
 * the chain recorded, and an optional `route` hook that sends requests for one origin to another
 * address (two gateway replicas behind one public URL).
 */

export interface Hop {
  url: string;
  status: number;
  location?: string;
}

export interface BrowserResponse {
  status: number;
  url: string;
  headers: Headers;
  body: string;
  chain: Hop[];
  setCookies: string[];
}

export class Browser {
  /** origin → name → value */
  readonly jar = new Map<string, Map<string, string>>();
  route: (url: URL) => URL = (u) => u;
  accept = 'text/html,application/xhtml+xml';

  cookies(origin: string): Map<string, string> {
    let m = this.jar.get(origin);
    if (!m) this.jar.set(origin, (m = new Map()));
    return m;
  }

  /** One request, no redirect following. */
  async request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<BrowserResponse> {
    const u = new URL(url);
    const target = this.route(u);
    const jar = this.cookies(u.origin);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(target, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { accept: this.accept, ...(cookie ? { cookie } : {}), ...(init.headers ?? {}) },
      body: init.body,
    });
    const setCookies = res.headers.getSetCookie();
    for (const sc of setCookies) {
      const [pair, ...attrs] = sc.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const maxAge = attrs.map((a) => a.trim()).find((a) => /^max-age=/i.test(a));
      if (value === '' || (maxAge && Number(maxAge.split('=')[1]) <= 0)) jar.delete(name);
      else jar.set(name, value);
    }
    const body = await res.text();
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, url, headers: res.headers, body, chain: [{ url, status: res.status, location }], setCookies };
  }

  /** Follows redirects until a non-redirect answer or `stop(url)` says to stop before requesting it. */
  async follow(url: string, stop: (next: URL) => boolean = () => false, max = 20): Promise<BrowserResponse> {
    const chain: Hop[] = [];
    let current = url;
    for (let i = 0; i < max; i++) {
      const r = await this.request(current);
      chain.push(...r.chain);
      const loc = r.headers.get('location');
      if (r.status < 300 || r.status >= 400 || !loc) return { ...r, chain };
      const next = new URL(loc, current);
      if (stop(next)) return { ...r, chain };
      current = next.toString();
    }
    throw new Error(`too many redirects from ${url}`);
  }
}
