/**
 * Reads a `gatehouse apply` file: YAML (the `yaml` package), `${NAME}` references expanded from the
 * environment, then validated (schema.ts, file-checks.ts). Every problem is reported with the path of
 * the field it concerns, e.g. `apps[0].settings.oauthClient.grant_types[1]: invalid value "foo"`.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { expandEnvRefs } from './env-refs.js';
import { FileError } from './errors.js';
import { checkFile, type FileIssue } from './file-checks.js';
import { fileSchema, type GatehouseFile } from './schema.js';

type Path = readonly PropertyKey[];

/** `apps[0].settings.oauthClient.grant_types[1]` */
export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

function valueAt(data: unknown, path: Path): unknown {
  let v: unknown = data;
  for (const part of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[part];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

function issueLines(issue: z.core.$ZodIssue, data: unknown): string[] {
  const at = formatPath(issue.path);
  const value = valueAt(data, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${formatPath([...issue.path, k])}: unknown field (check its spelling against Okta's API)`);
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v)).join(', ');
      return [`${at}: invalid value ${JSON.stringify(value)} (expected ${issue.values.length === 1 ? '' : 'one of: '}${allowed})`];
    }
    case 'invalid_type':
      if (value === undefined) return [`${at}: required`];
      return [`${at}: expected ${issue.expected === 'object' ? 'an object' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}, got ${describe(value)}`];
    case 'too_small':
      if (issue.origin === 'array') return [`${at}: must list at least ${String(issue.minimum)}`];
      if (issue.origin === 'string') return [`${at}: must be at least ${String(issue.minimum)} characters`];
      return [`${at}: must be at least ${String(issue.minimum)}, got ${String(value)}`];
    case 'too_big':
      if (issue.origin === 'array') return [`${at}: ${issue.message.startsWith('Too big') ? `must list at most ${String(issue.maximum)}` : issue.message}`];
      return [`${at}: must be at most ${String(issue.maximum)}, got ${String(value)}`];
    default:
      return [`${at}: ${issue.message}`];
  }
}

/** Validates already-parsed data; `env` supplies `${NAME}` references. */
export function validateFileData(file: string, data: unknown, env: NodeJS.ProcessEnv): GatehouseFile {
  const envIssues: FileIssue[] = [];
  const expanded = expandEnvRefs(data ?? {}, env, envIssues);
  const parsed = fileSchema.safeParse(expanded);
  const problems = envIssues.map((i) => `${formatPath(i.path)}: ${i.message}`);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...issueLines(issue, expanded));
    throw new FileError(file, problems);
  }
  for (const issue of checkFile(parsed.data)) problems.push(`${formatPath(issue.path)}: ${issue.message}`);
  if (problems.length > 0) throw new FileError(file, problems);
  return parsed.data;
}

export function parseFileText(file: string, text: string, env: NodeJS.ProcessEnv): GatehouseFile {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new FileError(file, doc.errors.map((e) => `YAML: ${e.message.replace(/\s+/g, ' ').trim()}`));
  }
  return validateFileData(file, doc.toJS(), env);
}

export function loadFile(file: string, env: NodeJS.ProcessEnv = process.env): GatehouseFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FileError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  return parseFileText(file, text, env);
}
