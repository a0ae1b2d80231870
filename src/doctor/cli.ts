/**
 * `gatehouse doctor [--env-file FILE] [--org-url URL --token TOKEN] [--user LOGIN] [--VAR value…]`:
 * one line per check, exit 1 when any finding is an error, 2 on a bad command line.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Env } from '../gateway/env-values.js';
import { formatResult, runDoctor } from './doctor.js';

export const DOCTOR_USAGE = `Usage: gatehouse doctor [--env-file FILE] [--issuer URL] [--client-id ID] [--client-secret S]
                        [--callback URL] [--server-url URL] [--scope "openid …"] [--auth-method M]
                        [--org-url URL --token TOKEN [--user LOGIN]]

Diagnoses an app's OIDC setup from the gateway's variables (AUTHENTICATION_*, OIDC_*, GATEWAY_*; from
the environment, --env-file, or the flags): discovery, the exact issuer, the client auth method,
offline_access, the clock against the provider's Date header, the JWKS, and the redirect URIs. With
an API token of a Gatehouse org (--token or GATEHOUSE_API_TOKEN) it also reads the app's registration
and the audience; with --user LOGIN it previews that user's sign-in (assignment, policy, rule).
Read-only. Prints one line per check; exits 1 when anything would break sign-in.`;

const FLAG_VARS = {
  issuer: 'AUTHENTICATION_AUTHORITY',
  'discovery-uri': 'OIDC_DISCOVERY_URI',
  'client-id': 'OIDC_CLIENT_ID',
  'client-secret': 'OIDC_CLIENT_SECRET',
  callback: 'OIDC_CALLBACK',
  'server-url': 'OIDC_SERVER_URL',
  scope: 'OIDC_SCOPE',
  'auth-method': 'OIDC_CLIENT_AUTH_METHOD',
  audience: 'AUTHENTICATION_AUDIENCE',
} as const;

export function readEnvFile(text: string): Env {
  const out: Env = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s?(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export async function runDoctorCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args, strict: true,
      options: {
        'env-file': { type: 'string' }, 'org-url': { type: 'string' }, token: { type: 'string' }, user: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.keys(FLAG_VARS).map((k) => [k, { type: 'string' as const }])),
      },
    }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    process.stderr.write(`gatehouse doctor: ${(err as Error).message}\n\n${DOCTOR_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${DOCTOR_USAGE}\n`);
    return 0;
  }
  let merged: Env = { ...env };
  if (typeof values['env-file'] === 'string') {
    try {
      merged = { ...merged, ...readEnvFile(readFileSync(values['env-file'], 'utf8')) };
    } catch (err) {
      process.stderr.write(`gatehouse doctor: cannot read ${values['env-file']}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  for (const [flag, name] of Object.entries(FLAG_VARS)) {
    const v = values[flag];
    if (typeof v === 'string') merged[name] = v;
  }
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const results = await runDoctor({
    env: merged,
    orgUrl: str('org-url') ?? env.GATEHOUSE_ORG_URL,
    token: str('token') ?? env.GATEHOUSE_API_TOKEN,
    user: str('user'),
  });
  for (const r of results) process.stdout.write(`${formatResult(r)}\n`);
  const errors = results.filter((r) => r.severity === 'error').length;
  process.stdout.write(errors ? `\n${errors} problem(s) would break sign-in.\n` : '\nNo problem found.\n');
  return errors ? 1 : 0;
}
