/**
 * Reading one environment variable the way people actually write them. OpenMetadata's Okta pages
 * are copied verbatim into env files and YAML, with their mistakes (openmetadata-okta.md §1.3):
 * quotes around values, a stray closing quote, compose-style `${VAR:-default}`, `KEY: value` lines,
 * `http://https://…` double schemes and unreplaced `{placeholders}`. Harmless ones are repaired with a
 * warning; ones that would change meaning are refused with a clear finding.
 */
import { isIP } from 'node:net';
import { finding, type Finding } from './findings.js';

export type Env = Record<string, string | undefined>;

export class EnvReader {
  readonly findings: Finding[] = [];
  /** Variables that were set but could not be used (so "missing" findings are not repeated for them). */
  readonly invalid = new Set<string>();

  constructor(private readonly env: Env) {}

  /** The cleaned value, or undefined when unset or empty. */
  string(name: string): string | undefined {
    const raw = this.env[name];
    if (raw === undefined) return undefined;
    let v = raw.trim();
    const compose = /^\$\{[A-Za-z_][A-Za-z0-9_]*:?-(.*)\}$/s.exec(v);
    if (compose) {
      v = (compose[1] ?? '').trim();
      this.warn(name, 'compose-syntax', `${name} holds compose syntax "${raw}"; using its default "${v}"`,
        'an env file is not interpolated, so the value would be taken literally',
        `write ${name}=${stripQuotes(v)}`);
    }
    const unquoted = stripQuotes(v);
    if (unquoted !== v) {
      const stray = !(v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[0] === v[v.length - 1]);
      this.warn(name, stray ? 'stray-quote' : 'quoted-value',
        `${name} is ${stray ? 'written with a stray quote' : 'wrapped in quotes'}: ${raw}; using ${unquoted}`,
        'env files pass quotes through literally; a quote inside a redirect URI makes it unregistered',
        `write ${name}=${unquoted}`);
      v = unquoted;
    }
    return v === '' ? undefined : v;
  }

  /** A list written as `[a, b]`, `a,b` or a JSON array; items may be quoted. */
  list(name: string): string[] | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (v.startsWith('[') && v.endsWith(']')) {
      try {
        const parsed: unknown = JSON.parse(v);
        if (Array.isArray(parsed)) return parsed.map((x) => String(x).trim()).filter(Boolean);
      } catch {
        // Not JSON: OpenMetadata's unquoted `[a, b]` form.
      }
      return splitList(v.slice(1, -1));
    }
    return splitList(v);
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.string(name);
    if (v === undefined) return fallback;
    const s = v.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(s)) return true;
    if (['false', '0', 'no', 'off'].includes(s)) return false;
    this.error(name, 'bad-boolean', `${name}="${v}" is not a boolean`, 'the setting cannot be read',
      `set ${name}=true or ${name}=false`);
    return fallback;
  }

  integer(name: string, fallback: number | undefined, min: number, max: number): number | undefined {
    const v = this.string(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.error(name, 'bad-number', `${name}="${v}" is not a whole number between ${min} and ${max}`,
        'the setting cannot be read', `set ${name} to a number of seconds, e.g. ${name}=${fallback ?? min}`);
      return fallback;
    }
    return n;
  }

  /** An absolute http(s) URL; double schemes and unreplaced placeholders are refused. */
  url(name: string, value: string | undefined = this.string(name)): URL | undefined {
    if (value === undefined) return undefined;
    const double = /^(https?):\/\/(https?):\/\//i.exec(value);
    if (double) {
      const fixed = value.slice(double[1]!.length + 3);
      this.error(name, 'double-scheme', `${name}="${value}" has two schemes`,
        `the documentation's "http://{ISSUER_URL}/…" pattern prepends http:// to an issuer that already starts with ${double[2]}://, so the URL cannot be reached`,
        `set ${name}=${fixed}`);
      return undefined;
    }
    if (/[{}]/.test(value) || /your[ -_]?(okta[ -_]?)?domain/i.test(value)) {
      this.error(name, 'placeholder', `${name}="${value}" still contains a placeholder from the documentation`,
        'the URL points nowhere', `replace the {…} part with your real value, e.g. the issuer shown in your provider's console`);
      return undefined;
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.error(name, 'bad-url', `${name}="${value}" is not an absolute URL`, 'the gateway cannot use it',
        `write it as https://host[:port]/path`);
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.error(name, 'bad-url', `${name}="${value}" is not an http(s) URL`, 'the gateway cannot use it',
        `write it as https://host[:port]/path`);
      return undefined;
    }
    return url;
  }

  /** `KEY: value` lines of an env file reach the process as variables whose name contains the colon. */
  colonKeys(prefixes: readonly string[]): void {
    for (const key of Object.keys(this.env)) {
      const m = /^([A-Z][A-Z0-9_]*)\s*:\s*(.*)$/s.exec(key);
      if (m && prefixes.some((p) => m[1]!.startsWith(p))) {
        this.error(m[1]!, 'colon-syntax', `the environment has a variable named "${key}"`,
          `"${m[1]}: value" is YAML syntax; in an env file the line does not set ${m[1]}`,
          `write ${m[1]}=${stripQuotes((m[2] ?? '').trim()) || 'value'}`);
      }
    }
  }

  error(name: string, code: string, problem: string, why: string, fix: string): void {
    this.invalid.add(name);
    this.findings.push(finding('error', code, problem, why, fix));
  }

  warn(name: string, code: string, problem: string, why: string, fix: string): void {
    void name;
    this.findings.push(finding('warning', code, problem, why, fix));
  }
}

export function stripQuotes(v: string): string {
  let s = v;
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[0] === s[s.length - 1]) return s.slice(1, -1).trim();
  if (s.startsWith('"') || s.startsWith("'")) s = s.slice(1);
  if (s.endsWith('"') || s.endsWith("'")) s = s.slice(0, -1);
  return s.trim();
}

function splitList(v: string): string[] {
  return v.split(',').map((x) => stripQuotes(x.trim())).filter(Boolean);
}

/** An IP address, a CIDR range, or one of proxy-addr's names (loopback, linklocal, uniquelocal). */
export function isProxyAddress(v: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(v)) return true;
  const [ip, prefix, ...rest] = v.split('/');
  if (rest.length || !ip) return false;
  const family = isIP(ip);
  if (!family) return false;
  if (prefix === undefined) return true;
  const n = Number(prefix);
  return /^\d+$/.test(prefix) && n >= 0 && n <= (family === 4 ? 32 : 128);
}
