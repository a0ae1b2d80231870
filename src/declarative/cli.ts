/**
 * `gatehouse apply` and `gatehouse export`: command lines, the org connection (--org-url or
 * GATEHOUSE_ORG_URL, --token or GATEHOUSE_API_TOKEN), output and exit codes — 0 done, 1 the file or
 * the org refused, 2 a bad command line.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiCallError, ApiClient, OrgUnreachableError } from './api-client.js';
import { applyErrorLines, ApplyError, applyPlan } from './apply-plan.js';
import { envAppLabel, writeEnvFile } from './env-output.js';
import { FileError, UnresolvedReferenceError, UsageError } from './errors.js';
import { exportYaml } from './export.js';
import { formatPlan, hasChanges } from './format-plan.js';
import { loadFile } from './load-file.js';
import { buildPlan } from './plan.js';
import { readState } from './read-state.js';

export const DEFAULT_ORG_URL = 'http://localhost:8080';

export const APPLY_USAGE = `Usage: gatehouse apply -f FILE.yaml [--dry-run] [--output-env FILE [--env-app LABEL]] [--org-url URL] [--token TOKEN]

Creates or updates the users, groups, apps, authorization servers (scopes, claims, policies, rules)
and trusted origins FILE describes, through the org's management API. Prints the plan first; with
--dry-run, only the plan. Never deletes anything, and never removes a membership or an assignment.

  -f, --file FILE      the file to apply (YAML; see examples/openmetadata/gatehouse.yaml)
      --dry-run        print the plan and change nothing
      --output-env F   write the gateway's OIDC_* / AUTHENTICATION_* settings for the file's app to F
      --env-app LABEL  which app --output-env is for, when the file has several
      --org-url URL    the org (default: $GATEHOUSE_ORG_URL, else ${DEFAULT_ORG_URL})
      --token TOKEN    an API token of a super administrator (default: $GATEHOUSE_API_TOKEN)`;

export const EXPORT_USAGE = `Usage: gatehouse export [-o FILE.yaml] [--org-url URL] [--token TOKEN]

Writes the org's users, groups, apps, authorization servers and trusted origins as a file for
gatehouse apply (to standard output without -o). No ids, no secrets, no Okta defaults.

  -o, --output FILE    where to write (default: standard output)
      --org-url URL    the org (default: $GATEHOUSE_ORG_URL, else ${DEFAULT_ORG_URL})
      --token TOKEN    an API token of a super administrator (default: $GATEHOUSE_API_TOKEN)`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
};

function connect(values: { 'org-url'?: string | undefined; token?: string | undefined }, env: NodeJS.ProcessEnv): ApiClient {
  const orgUrl = values['org-url'] || env.GATEHOUSE_ORG_URL || DEFAULT_ORG_URL;
  let parsed: URL;
  try {
    parsed = new URL(orgUrl);
  } catch {
    throw new UsageError(`the org URL "${orgUrl}" is not a URL (--org-url or GATEHOUSE_ORG_URL)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`the org URL "${orgUrl}" must be http or https`);
  const token = values.token || env.GATEHOUSE_API_TOKEN;
  if (!token) {
    throw new UsageError('no API token: pass --token TOKEN or set GATEHOUSE_API_TOKEN (an SSWS API token of a super administrator of the org)');
  }
  return new ApiClient(orgUrl, token);
}

const CONNECTION_OPTIONS = { 'org-url': { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** A bad option becomes a UsageError with the usage text. */
function parsing<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
}

async function apply(args: string[], io: Io): Promise<number> {
  const { values } = parsing(APPLY_USAGE, () => parseArgs({
    args,
    strict: true,
    options: {
      ...CONNECTION_OPTIONS, file: { type: 'string', short: 'f' }, 'dry-run': { type: 'boolean' },
      'output-env': { type: 'string' }, 'env-app': { type: 'string' },
    },
  }));
  if (values.help) {
    io.out(`${APPLY_USAGE}\n`);
    return 0;
  }
  if (!values.file) throw new UsageError(`which file? pass -f FILE.yaml\n\n${APPLY_USAGE}`);
  const api = connect(values, io.env);
  const file = loadFile(values.file, io.env);
  const envApp = values['output-env'] !== undefined ? envAppLabel(file, values['env-app']) : undefined;
  const state = await readState(api);
  const plan = buildPlan(file, state);
  io.out(`${formatPlan(plan).join('\n')}\n`);
  if (!hasChanges(plan)) {
    io.out(`No changes. The org matches ${values.file}.\n`);
  } else if (values['dry-run']) {
    io.out('Dry run: nothing was changed.\n');
    return 0;
  } else {
    const result = await applyPlan(api, plan, state);
    io.out(`Applied: ${result.created} created, ${result.updated} updated (${api.writeCount} API writes).\n`);
    for (const app of result.createdApps) {
      io.out(`\nNew app "${app.label}" — its credentials (the secret is shown only now; store it safely):\n`);
      io.out(`  client_id:     ${app.clientId}\n`);
      io.out(app.clientSecret ? `  client_secret: ${app.clientSecret}\n` : '  client_secret: (none: the app authenticates without a secret)\n');
    }
  }
  if (envApp !== undefined && values['output-env'] !== undefined) {
    if (values['dry-run'] && hasChanges(plan)) {
      io.out(`Dry run: ${values['output-env']} not written.\n`);
    } else {
      await writeEnvFile(api, file, envApp, values['output-env']);
      io.out(`Wrote the gateway settings for app "${envApp}" to ${values['output-env']}.\n`);
    }
  }
  return 0;
}

async function exportCommand(args: string[], io: Io): Promise<number> {
  const { values } = parsing(EXPORT_USAGE, () => parseArgs({ args, strict: true, options: { ...CONNECTION_OPTIONS, output: { type: 'string', short: 'o' } } }));
  if (values.help) {
    io.out(`${EXPORT_USAGE}\n`);
    return 0;
  }
  const api = connect(values, io.env);
  const text = exportYaml(await readState(api), api.orgUrl);
  if (values.output) {
    writeFileSync(values.output, text);
    io.err(`Exported ${api.orgUrl} to ${values.output}.\n`);
  } else {
    io.out(text);
  }
  return 0;
}

/** Runs `gatehouse apply|export …`; returns the exit code. */
export async function runDeclarativeCommand(command: 'apply' | 'export', args: string[], io: Io = processIo): Promise<number> {
  const name = `gatehouse ${command}`;
  try {
    return command === 'apply' ? await apply(args, io) : await exportCommand(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof FileError) {
      io.err(`${name}: ${err.file} is not valid:\n${err.problems.map((p) => `  ${p}\n`).join('')}`);
      return 1;
    }
    if (err instanceof UnresolvedReferenceError) {
      io.err(`${name}: the file refers to things that do not exist:\n${err.problems.map((p) => `  ${p}\n`).join('')}`);
      return 1;
    }
    if (err instanceof ApplyError) {
      io.err(`${name}: stopped: ${applyErrorLines(err).join('\n')}\nThe changes listed before it were applied; fix the file and run apply again.\n`);
      return 1;
    }
    if (err instanceof ApiCallError) {
      io.err(`${name}: reading the org failed: ${err.lines.join('\n')}\n`);
      return 1;
    }
    if (err instanceof OrgUnreachableError) {
      io.err(`${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
