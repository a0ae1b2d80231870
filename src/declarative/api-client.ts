/**
 * A small client for a Gatehouse (or Okta) org's management API: `Authorization: SSWS <token>`, JSON
 * bodies, `Link: rel="next"` pagination, and Okta error objects turned into ApiCallError. apply and
 * export use nothing else, so they work against a remote node or a cluster exactly as Terraform would.
 */

export interface OktaErrorBody {
  errorCode?: string;
  errorSummary?: string;
  errorCauses?: { errorSummary?: string }[];
}

export class ApiCallError extends Error {
  override name = 'ApiCallError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: OktaErrorBody | undefined,
    detail?: string,
  ) {
    super(detail ?? `${method} ${path}: HTTP ${status}${body?.errorSummary ? ` ${body.errorSummary}` : ''}`);
  }

  /** "E0000001 Api validation failed: name" and one line per cause. */
  get lines(): string[] {
    const b = this.body;
    if (!b?.errorSummary) return [this.message];
    const head = `${b.errorCode ? `${b.errorCode} ` : ''}${b.errorSummary}`;
    return [head, ...(b.errorCauses ?? []).map((c) => `  - ${c.errorSummary ?? JSON.stringify(c)}`)];
  }
}

/** The org could not be reached at all (refused connection, DNS, TLS …). */
export class OrgUnreachableError extends Error {
  override name = 'OrgUnreachableError';
}

export type Json = Record<string, any>;

export interface RequestRecord {
  method: string;
  path: string;
}

export class ApiClient {
  readonly orgUrl: string;
  /** Every request made, in order (apply reports how many writes it made). */
  readonly requests: RequestRecord[] = [];

  constructor(orgUrl: string, private readonly token: string, private readonly fetchImpl: typeof fetch = fetch) {
    this.orgUrl = orgUrl.replace(/\/+$/, '');
  }

  get writeCount(): number {
    return this.requests.filter((r) => r.method !== 'GET').length;
  }

  async request<T = Json>(method: string, path: string, body?: unknown): Promise<{ data: T; headers: Headers }> {
    this.requests.push({ method, path });
    const headers: Record<string, string> = {
      authorization: `SSWS ${this.token}`,
      accept: 'application/json',
      'user-agent': 'gatehouse-declarative/1',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.orgUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new OrgUnreachableError(`cannot reach the org at ${this.orgUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const errBody = data && typeof data === 'object' ? (data as OktaErrorBody) : undefined;
      if (res.status === 401 && !errBody?.errorSummary) throw new ApiCallError(method, path, 401, undefined, 'the org refused the API token (HTTP 401)');
      throw new ApiCallError(method, path, res.status, errBody);
    }
    if (text && data === undefined) {
      throw new ApiCallError(method, path, res.status, undefined, `${method} ${path}: the answer is not JSON; is ${this.orgUrl} a Gatehouse or Okta org?`);
    }
    return { data: data as T, headers: res.headers };
  }

  async get<T = Json>(path: string): Promise<T> {
    return (await this.request<T>('GET', path)).data;
  }

  /** Every page of a list, following `Link: <…>; rel="next"` (its path and query, against our org URL). */
  async list<T = Json>(path: string): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = path;
    for (let pages = 0; next !== undefined; pages++) {
      if (pages > 10_000) throw new Error(`${path}: too many pages`);
      const { data, headers } = await this.request<T[]>('GET', next);
      if (!Array.isArray(data)) throw new ApiCallError('GET', next, 200, undefined, `GET ${next}: expected a list`);
      out.push(...data);
      const link = nextLink(headers.get('link'));
      const prefix = new URL(this.orgUrl).pathname.replace(/\/+$/, '');
      next = link !== undefined && prefix !== '' && link.startsWith(`${prefix}/`) ? link.slice(prefix.length) : link;
    }
    return out;
  }

  async send<T = Json>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return (await this.request<T>(method, path, body)).data;
  }
}

/** The path and query of the `rel="next"` link, if any. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part.trim());
    if (m) {
      const url = new URL(m[1]!, 'http://placeholder');
      return `${url.pathname}${url.search}`;
    }
  }
  return undefined;
}
