/**
 * A deliberately small HTTP/1.1 client on node:http with a keep-alive agent. The benchmark needs
 * exact control that fetch() makes awkward: redirects are never followed (the authorization
 * response *is* the 302/303), cookies are handled per flow, and the cost per request stays small
 * and predictable so the load generator does not become the bottleneck.
 */
import http from 'node:http';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** What was asked, for reports: "POST /oauth2/default/v1/token". */
  request: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string;
  /** Milliseconds before the request is abandoned (default 30 s). */
  timeoutMs?: number;
}

export class HttpClient {
  readonly agent: http.Agent;
  readonly origin: URL;

  constructor(baseUrl: string, maxSockets: number) {
    this.origin = new URL(baseUrl);
    if (this.origin.hostname !== '127.0.0.1') throw new Error(`benchmark traffic must stay on 127.0.0.1, got ${baseUrl}`);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, keepAliveMsecs: 10_000 });
  }

  /** `path` is a path+query on the origin, or an absolute URL on the same origin. */
  request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const target = new URL(path, this.origin);
    if (target.host !== this.origin.host) return Promise.reject(new Error(`refusing off-origin request to ${target.href}`));
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
    return new Promise<HttpResponse>((resolve, reject) => {
      const req = http.request(
        { agent: this.agent, host: this.origin.hostname, port: this.origin.port, method, path: target.pathname + target.search, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({
            status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), request: `${method} ${target.pathname}`,
          }));
          res.on('error', reject);
        },
      );
      req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`timeout: ${method} ${target.pathname}`)));
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }

  get(path: string, headers?: Record<string, string>): Promise<HttpResponse> {
    return this.request('GET', path, headers ? { headers } : {});
  }

  postForm(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return this.request('POST', path, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  postJson(path: string, json: unknown, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return this.request('POST', path, {
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(json),
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The name=value pairs a flow has been given, sent back on every request of that flow (one origin). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(res: HttpResponse): void {
    const set = res.headers['set-cookie'];
    if (!set) return;
    for (const line of set) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      // An expired or emptied cookie is a deletion.
      if (value === '' || /;\s*max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }
}

export function basicAuth(clientId: string, clientSecret: string): Record<string, string> {
  // RFC 6749 §2.3.1: form-encode both parts before base64.
  const raw = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
  return { authorization: `Basic ${Buffer.from(raw).toString('base64')}` };
}

export function parseJson(res: HttpResponse): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(res.body);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A one-line summary of an unexpected response, for error reports. */
export function describe(res: HttpResponse): string {
  const body = res.body.replace(/\s+/g, ' ').slice(0, 200);
  return `HTTP ${res.status}${res.headers.location ? ` → ${res.headers.location.slice(0, 120)}` : ''}${body ? `: ${body}` : ''}`;
}

/**
 * Gatehouse's answer for a route that does not exist (yet): Okta's E0000007 with "(path)" under
 * /api, {"error":"not_found"} elsewhere; Fastify's default 404 otherwise.
 */
export function isRouteMissing(res: HttpResponse): boolean {
  if (res.status !== 404) return false;
  return /\(path\)"|"error":"not_found"|Route \w+:\S+ not found/.test(res.body);
}

export class UnexpectedResponse extends Error {
  override name = 'UnexpectedResponse';
  constructor(readonly step: string, readonly response: HttpResponse) {
    super(isRouteMissing(response) ? `${step}: endpoint missing (404): ${response.request}` : `${step}: ${describe(response)}`);
  }
}
