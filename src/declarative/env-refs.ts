/**
 * `${NAME}` references in string values, expanded from the environment before validation, so a file
 * can be committed without its passwords. Only upper-case names ([A-Z_][A-Z0-9_]*) are references:
 * Okta's own templates such as `${source.login}` are left alone. `$${NAME}` is a literal `${NAME}`.
 */
import type { FileIssue } from './file-checks.js';

const REFERENCE = /\$(\$?)\{([A-Z_][A-Z0-9_]*)\}/g;

export function expandEnvRefs(value: unknown, env: NodeJS.ProcessEnv, issues: FileIssue[], path: (string | number)[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (whole, escape: string, name: string) => {
      if (escape) return whole.slice(1);
      const v = env[name];
      if (v === undefined || v === '') {
        issues.push({ path, message: `environment variable ${name} is not set (referenced as \${${name}})` });
        return whole; // left as written, so validation does not report a second problem here
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnvRefs(v, env, issues, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnvRefs(v, env, issues, [...path, k])]));
  }
  return value;
}
