/**
 * Configuration from environment variables (a JSON config file named by GATEHOUSE_CONFIG may
 * supply the same keys; the environment wins). Parsed once at start into a frozen object.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

const envSchema = z.object({
  GATEHOUSE_PORT: port.default(8080),
  GATEHOUSE_HOST: z.string().min(1).default('127.0.0.1'),
  GATEHOUSE_ORG_URL: z.string().optional(),
  GATEHOUSE_DATABASE_URL: z.string().min(1).default('sqlite:./data/gatehouse.db'),
  GATEHOUSE_DATA_DIR: z.string().min(1).optional(),
  GATEHOUSE_ADMIN_LOGIN: z.string().min(1).optional(),
  GATEHOUSE_ADMIN_PASSWORD: z.string().min(1).optional(),
  GATEHOUSE_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  GATEHOUSE_SECRET_KEY: z.string().min(1).optional(),
  GATEHOUSE_LOCKOUT_THRESHOLD: positiveInt.default(10),
  GATEHOUSE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GATEHOUSE_CACHE_TTL_SECONDS: z.coerce.number().min(0).max(3600).default(5),
});

export type DatabaseConfig =
  | { kind: 'sqlite'; filename: string }
  | { kind: 'postgres'; connectionString: string };

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Public base URL of the org ("Okta domain"), without trailing slash. */
  readonly orgUrl: string;
  readonly secureCookies: boolean;
  readonly database: DatabaseConfig;
  /** Folder for the embedded database and the generated secret key. */
  readonly dataDir: string;
  readonly adminLogin: string | undefined;
  readonly adminPassword: string | undefined;
  readonly apiToken: string | undefined;
  readonly secretKey: string | undefined;
  readonly lockoutThreshold: number;
  readonly logLevel: string;
  /** How long a node may serve configuration (apps, servers, keys) from memory. */
  readonly cacheTtlMs: number;
}

export function parseDatabaseUrl(url: string): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!filename) throw new ConfigError('GATEHOUSE_DATABASE_URL: sqlite: needs a file name, e.g. sqlite:./data/gatehouse.db');
    return { kind: 'sqlite', filename };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError(`GATEHOUSE_DATABASE_URL: not a valid URL: ${url}`);
    }
    return { kind: 'postgres', connectionString: url };
  }
  throw new ConfigError(`GATEHOUSE_DATABASE_URL: unsupported scheme in "${url}" (use sqlite:PATH or postgres://...)`);
}

function normaliseOrgUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`GATEHOUSE_ORG_URL: not a valid URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`GATEHOUSE_ORG_URL: must be http(s), got "${raw}"`);
  }
  if (url.search || url.hash) throw new ConfigError('GATEHOUSE_ORG_URL: must not have a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

function readConfigFile(path: string | undefined): Record<string, string> {
  if (!path) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`GATEHOUSE_CONFIG: cannot read ${path}: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object') throw new ConfigError(`GATEHOUSE_CONFIG: ${path} must hold a JSON object`);
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const merged: Record<string, string | undefined> = { ...readConfigFile(env.GATEHOUSE_CONFIG) };
  for (const [k, v] of Object.entries(env)) if (k.startsWith('GATEHOUSE_') && v !== undefined && v !== '') merged[k] = v;
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const orgUrl = normaliseOrgUrl(e.GATEHOUSE_ORG_URL ?? `http://localhost:${e.GATEHOUSE_PORT}`);
  const database = parseDatabaseUrl(e.GATEHOUSE_DATABASE_URL);
  const dataDir = e.GATEHOUSE_DATA_DIR ?? (database.kind === 'sqlite' ? dirnameOf(database.filename) : './data');
  return Object.freeze({
    port: e.GATEHOUSE_PORT,
    host: e.GATEHOUSE_HOST,
    orgUrl,
    secureCookies: orgUrl.startsWith('https:'),
    database,
    dataDir,
    adminLogin: e.GATEHOUSE_ADMIN_LOGIN,
    adminPassword: e.GATEHOUSE_ADMIN_PASSWORD,
    apiToken: e.GATEHOUSE_API_TOKEN,
    secretKey: e.GATEHOUSE_SECRET_KEY,
    lockoutThreshold: e.GATEHOUSE_LOCKOUT_THRESHOLD,
    logLevel: e.GATEHOUSE_LOG_LEVEL,
    cacheTtlMs: e.GATEHOUSE_CACHE_TTL_SECONDS * 1000,
  });
}

function dirnameOf(file: string): string {
  if (file === ':memory:') return './data';
  const i = file.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : file.slice(0, i);
}
