/**
 * The parameters of an authorization request, from the query (GET) or the form body (POST).
 * A parameter sent more than once is recorded as a duplicate and reads as absent (RFC 6749 §3.1:
 * "Request and response parameters MUST NOT be included more than once"); an empty value reads as
 * absent too.
 */
import type { FormBody } from '../../http/plugins/body-parsers.js';

/** Bounds every value, so nothing downstream sees a megabyte-long `state`. */
const MAX_VALUE_LENGTH = 8192;

export class AuthorizeParams {
  private constructor(
    private readonly values: ReadonlyMap<string, string>,
    readonly duplicates: ReadonlySet<string>,
    readonly oversized: ReadonlySet<string>,
  ) {}

  static fromEntries(entries: Iterable<[string, string]>): AuthorizeParams {
    const values = new Map<string, string>();
    const duplicates = new Set<string>();
    const oversized = new Set<string>();
    for (const [k, v] of entries) {
      if (values.has(k) || duplicates.has(k)) {
        duplicates.add(k);
        values.delete(k);
        continue;
      }
      if (v.length > MAX_VALUE_LENGTH) oversized.add(k);
      else values.set(k, v);
    }
    return new AuthorizeParams(values, duplicates, oversized);
  }

  static fromQueryString(search: string): AuthorizeParams {
    return AuthorizeParams.fromEntries(new URLSearchParams(search));
  }

  static fromForm(body: unknown): AuthorizeParams {
    const entries: [string, string][] = [];
    if (body && typeof body === 'object') {
      for (const [k, v] of Object.entries(body as FormBody)) {
        for (const one of Array.isArray(v) ? v : [v]) if (typeof one === 'string') entries.push([k, one]);
      }
    }
    return AuthorizeParams.fromEntries(entries);
  }

  get(name: string): string | undefined {
    const v = this.values.get(name);
    return v === '' ? undefined : v;
  }

  /** Every single-valued parameter except the named ones (for carrying the request through sign-in). */
  entries(except: readonly string[] = []): [string, string][] {
    return [...this.values].filter(([k]) => !except.includes(k));
  }
}
