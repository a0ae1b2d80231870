/**
 * Helpers for the deployment tests: reading deploy/ files, a strict env-file parser, the variables
 * Gatehouse and the gateway actually read (taken from src/, so the files cannot drift from the code),
 * and rendering a Kustomize overlay with the machine's kubectl.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { readGatewayConfig } from '../../src/gateway/config.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEPLOY = join(ROOT, 'deploy');

export const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

export function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

/** Repository-relative paths of every file under deploy/ whose name ends with one of `suffixes`. */
export function deployFiles(...suffixes: string[]): string[] {
  return walk(DEPLOY).map((p) => relative(ROOT, p)).filter((p) => suffixes.some((s) => p.endsWith(s)));
}

// ---------------------------------------------------------------------------------------------
// Env files
// ---------------------------------------------------------------------------------------------

export interface EnvFile {
  /** Variables in file order (a repeated key is an error, reported in `problems`). */
  values: Map<string, string>;
  problems: string[];
}

const KEY = /^[A-Z][A-Z0-9_]*$/;

/**
 * Parses an env file strictly, as Docker's env_file, systemd's EnvironmentFile and kustomize's
 * configMapGenerator all agree on it: `KEY=value` lines, `#` comments and blank lines, nothing else.
 * Reported: `KEY: value` lines, spaces around `=`, `export`, `${...}` interpolation, quotes (which
 * the three readers treat differently), a double scheme, trailing spaces and repeated keys.
 */
export function parseEnvFile(text: string, name = 'env file'): EnvFile {
  const values = new Map<string, string>();
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    const where = `${name}:${i + 1}`;
    if (line.trim() === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0 || /^\s/.test(line)) {
      problems.push(`${where}: not KEY=value: ${line}`);
      return;
    }
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (!KEY.test(key)) problems.push(`${where}: "${key}" is not an upper-case variable name (KEY: value, spaces or export?)`);
    if (/^\s/.test(value)) problems.push(`${where}: space after =`);
    if (/\s$/.test(value)) problems.push(`${where}: trailing whitespace`);
    if (/\$\{|\$[A-Za-z_]/.test(value)) problems.push(`${where}: ${key} uses \${...} interpolation, which env files do not do`);
    if (/["'`]/.test(value)) problems.push(`${where}: ${key} has a quote, which Docker and kustomize keep as part of the value`);
    if (/https?:\/\/https?:\/\//i.test(value)) problems.push(`${where}: ${key} has a double scheme`);
    if (values.has(key)) problems.push(`${where}: ${key} repeated`);
    values.set(key, value);
  });
  return { values, problems };
}

export function readEnvFile(path: string): Map<string, string> {
  const parsed = parseEnvFile(read(path), path);
  assert.deepEqual(parsed.problems, [], `${path} is not a clean KEY=value file`);
  return parsed.values;
}

/** Non-empty values only, as the programs see them (an empty value means the default). */
export function effective(values: Map<string, string>): Record<string, string> {
  return Object.fromEntries([...values].filter(([, v]) => v !== ''));
}

// ---------------------------------------------------------------------------------------------
// The variables the code reads
// ---------------------------------------------------------------------------------------------

function sourceFiles(dir: string): string[] {
  return walk(join(ROOT, dir)).filter((p) => p.endsWith('.ts'));
}

/** Every GATEHOUSE_* name Gatehouse itself (not the gateway, not the apply client) mentions in src/. */
export function gatehouseVariablesMentioned(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles('src')) {
    const rel = relative(ROOT, file);
    if (rel.startsWith('src/gateway/') || rel.startsWith('src/declarative/')) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/\bGATEHOUSE_[A-Z0-9_]*[A-Z0-9]\b/g)) names.add(m[0]);
  }
  return names;
}

/**
 * The variables `gatehouse serve` reads: the keys of config.ts's schema, GATEHOUSE_CONFIG, and any
 * `process.env.GATEHOUSE_*` read elsewhere in src/ (such as GATEHOUSE_TRUST_PROXY).
 */
export function gatehouseVariablesRead(): Set<string> {
  const names = new Set<string>(['GATEHOUSE_CONFIG']);
  const config = read('src/config/config.ts');
  for (const m of config.matchAll(/^\s+(GATEHOUSE_[A-Z0-9_]+):/gm)) names.add(m[1]!);
  for (const file of sourceFiles('src')) {
    if (relative(ROOT, file).startsWith('src/gateway/')) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/process\.env\.(GATEHOUSE_[A-Z0-9_]+)/g)) names.add(m[1]!);
  }
  assert.ok(names.has('GATEHOUSE_DATABASE_URL') && names.size > 8, 'could not read the GATEHOUSE_* keys from src/config/config.ts');
  return names;
}

/** Records which variables a function reads from an env object. */
function recordReads(values: Record<string, string>, seen: Set<string>): Record<string, string | undefined> {
  return new Proxy(values, {
    get(target, key) {
      if (typeof key === 'string') seen.add(key);
      return Reflect.get(target, key);
    },
    has(target, key) {
      if (typeof key === 'string') seen.add(key);
      return Reflect.has(target, key);
    },
  });
}

/**
 * The variables the gateway reads, observed rather than listed: src/gateway/config.ts's reader runs
 * on an empty environment and on a complete one, and every name it looks up is recorded.
 */
export function gatewayVariablesRead(complete: Record<string, string>): Set<string> {
  const seen = new Set<string>();
  readGatewayConfig(recordReads({}, seen));
  readGatewayConfig(recordReads({ ...complete }, seen));
  const names = new Set([...seen].filter((k) => /^(OIDC|AUTHENTICATION|AUTHORIZER|GATEWAY)_/.test(k)));
  assert.ok(names.has('OIDC_CLIENT_SECRET') && names.has('GATEWAY_UPSTREAM_URL'), 'could not observe the gateway reading its variables');
  return names;
}

/** Names the gateway's sources quote as variables ('OIDC_…' etc.), to catch reads outside config.ts. */
export function gatewayVariablesMentioned(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles('src/gateway')) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`]((?:OIDC|AUTHENTICATION|AUTHORIZER|GATEWAY)_[A-Z0-9_]*[A-Z0-9])['"`]/g)) names.add(m[1]!);
    for (const m of readFileSync(file, 'utf8').matchAll(/\benv\.((?:OIDC|AUTHENTICATION|AUTHORIZER|GATEWAY)_[A-Z0-9_]+)/g)) names.add(m[1]!);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Kustomize
// ---------------------------------------------------------------------------------------------

export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

/** Fails (never skips) when kubectl is missing: the manifests are only tested when rendered. */
export function requireKubectl(): void {
  const r = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' });
  if (r.error) {
    assert.fail(`${KUBECTL} is not installed, so the Kustomize overlays cannot be rendered. Install it ` +
      '(Debian: apt-get install -y kubernetes-client) or point KUBECTL at a kubectl binary.');
  }
}

export type K8sObject = Record<string, any> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any } };

/** `kubectl kustomize <dir>`, parsed. */
export function kustomize(dir: string): K8sObject[] {
  requireKubectl();
  const r = spawnSync(KUBECTL, ['kustomize', join(ROOT, dir)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  assert.equal(r.status, 0, `${KUBECTL} kustomize ${dir} failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean) as K8sObject[];
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `no ${kind} ${name} in [${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}]`);
  return o;
}

export function parseYamlFile(path: string): any[] {
  return parseAllDocuments(read(path)).map((d) => {
    assert.deepEqual(d.errors, [], `${path} is not valid YAML`);
    return d.toJS();
  });
}
