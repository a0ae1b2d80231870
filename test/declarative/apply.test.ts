/**
 * `gatehouse apply` run for real (the CLI in its own process) against a running org, through a proxy
 * that records every request: the seed's example file creates the whole setup, a second run and a
 * dry run write nothing, an edited file updates only what changed, bad files and refused requests
 * are reported with the field or resource they concern.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { json, startTestServer, type TestServer } from '../support/server.js';
import { startRecordingProxy, type RecordingProxy } from './support/recording-proxy.js';
import { runCli } from './support/run-cli.js';

const EXAMPLE = 'examples/openmetadata/gatehouse.yaml';
const DEMO_PASSWORD = 'Demo-Passw0rd!';

let server: TestServer;
let proxy: RecordingProxy;
let dir: string;

before(async () => {
  server = await startTestServer();
  proxy = await startRecordingProxy(server.url);
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-apply-'));
});

after(async () => {
  await proxy?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function apply(file: string, ...extra: string[]) {
  proxy.reset();
  return runCli(['apply', '-f', file, '--org-url', proxy.url, '--token', server.token, ...extra], { GATEHOUSE_DEMO_PASSWORD: DEMO_PASSWORD });
}

/** The example with `edit` applied to its parsed data, written to a temporary file. */
function edited(name: string, edit: (doc: any) => void): string {
  const doc = parse(readFileSync(EXAMPLE, 'utf8'));
  edit(doc);
  const path = join(dir, name);
  writeFileSync(path, stringify(doc));
  return path;
}

async function get(path: string): Promise<any> {
  const res = await server.api(path);
  assert.equal(res.status, 200, path);
  return json(res);
}

async function findApp(): Promise<any> {
  const apps = await get('/api/v1/apps');
  const app = apps.find((a: any) => a.label === 'OpenMetadata');
  assert.ok(app, 'the app exists');
  return get(`/api/v1/apps/${app.id}`);
}

async function findServer(): Promise<any> {
  const servers = await get('/api/v1/authorizationServers');
  const found = servers.find((s: any) => s.name === 'openmetadata');
  assert.ok(found, 'the authorization server exists');
  return found;
}

test('a dry run on a fresh org prints the whole plan and writes nothing', async () => {
  const run = await apply(EXAMPLE, '--dry-run');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^\+ create user demo@example.com$/m);
  assert.match(run.stdout, /^\+ create app OpenMetadata$/m);
  assert.match(run.stdout, /^\+ create authorizationServer openmetadata$/m);
  assert.match(run.stdout, /^Dry run: nothing was changed\.$/m);
  assert.deepEqual(proxy.writes(), []);
  assert.ok(proxy.requests.length > 0, 'it read the org');
});

test('the first apply creates the seed\'s whole setup, in dependency order', async () => {
  const run = await apply(EXAMPLE);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  const creates = lines.filter((l) => l.startsWith('+ create '));
  assert.deepEqual(creates, [
    '+ create user demo@example.com',
    '+ create app OpenMetadata',
    '+ create assignment of app OpenMetadata to group Everyone',
    '+ create authorizationServer openmetadata',
    '+ create scope openmetadata in authorizationServer openmetadata',
    '+ create policy "OpenMetadata access" in authorizationServer openmetadata',
    '+ create rule "Everyone, any scope" in policy "OpenMetadata access" of authorizationServer openmetadata',
    '+ create trustedOrigin http://localhost:8585',
  ]);
  assert.equal(proxy.writes().length, creates.length, JSON.stringify(proxy.writes()));

  // The new app's credentials, printed once and labelled.
  const clientId = /^ {2}client_id: +(\S+)$/m.exec(run.stdout)?.[1];
  const clientSecret = /^ {2}client_secret: +(\S+)$/m.exec(run.stdout)?.[1];
  assert.ok(clientId && clientSecret, run.stdout);

  // Step 1 and 6: the app.
  const app = await findApp();
  assert.equal(app.credentials.oauthClient.client_id, clientId);
  assert.equal(app.credentials.oauthClient.client_secret, clientSecret);
  assert.equal(app.credentials.oauthClient.token_endpoint_auth_method, 'client_secret_basic');
  const oc = app.settings.oauthClient;
  assert.equal(oc.application_type, 'web');
  assert.deepEqual(oc.grant_types, ['authorization_code', 'refresh_token', 'implicit']);
  assert.deepEqual(oc.response_types, ['code', 'id_token', 'token']);
  assert.deepEqual(oc.redirect_uris, ['http://localhost:8585/callback', 'http://localhost:8585/silent-callback']);
  assert.deepEqual(oc.post_logout_redirect_uris, ['http://localhost:8585/']);
  assert.equal(oc.refresh_token.rotation_type, 'ROTATE');
  assert.equal(oc.consent_method, 'TRUSTED');
  assert.equal(oc.issuer_mode, 'ORG_URL');
  // Controlled access: assigned to Everyone.
  const everyone = (await get('/api/v1/groups')).find((g: any) => g.profile.name === 'Everyone');
  assert.deepEqual((await get(`/api/v1/apps/${app.id}/groups`)).map((g: any) => g.id), [everyone.id]);

  // Steps 2-4: the server, its issuer mode, audience = client id, default scope.
  const as = await findServer();
  assert.equal(as.issuerMode, 'ORG_URL');
  assert.deepEqual(as.audiences, [clientId]);
  const scope = (await get(`/api/v1/authorizationServers/${as.id}/scopes`)).find((s: any) => s.name === 'openmetadata');
  assert.equal(scope.default, true);
  assert.equal(scope.metadataPublish, 'ALL_CLIENTS');

  // Step 5: the policy for the app's client and its rule.
  const [policy, ...others] = await get(`/api/v1/authorizationServers/${as.id}/policies`);
  assert.equal(others.length, 0);
  assert.deepEqual(policy.conditions.clients.include, [clientId]);
  const [rule] = await get(`/api/v1/authorizationServers/${as.id}/policies/${policy.id}/rules`);
  assert.deepEqual(rule.conditions.grantTypes.include, ['authorization_code', 'implicit']);
  assert.deepEqual(rule.conditions.people.groups.include, ['EVERYONE']);
  assert.deepEqual(rule.conditions.scopes.include, ['*']);
  assert.deepEqual(rule.actions.token, { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 });

  // Base URIs: the trusted origin.
  const origin = (await get('/api/v1/trustedOrigins')).find((o: any) => o.origin === 'http://localhost:8585');
  assert.deepEqual(origin.scopes, [{ type: 'CORS' }, { type: 'REDIRECT' }]);

  // The demo user can sign in with the password from the environment.
  const authn = await fetch(`${server.url}/api/v1/authn`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo@example.com', password: DEMO_PASSWORD }),
  });
  assert.equal((await json(authn)).status, 'SUCCESS');
});

test('a second apply changes nothing and says so, without a single write', async () => {
  const run = await apply(EXAMPLE);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^No changes\. The org matches examples\/openmetadata\/gatehouse\.yaml\.$/m);
  assert.doesNotMatch(run.stdout, /^[+~] /m);
  assert.match(run.stdout, /^= unchanged app OpenMetadata$/m);
  assert.doesNotMatch(run.stdout, /client_secret/);
  assert.deepEqual(proxy.writes(), []);
});

test('an edited file updates only what changed; a dry run of it first writes nothing', async () => {
  const file = edited('edited.yaml', (doc) => {
    doc.authorizationServers[0].issuerMode = 'DYNAMIC';
    doc.apps[0].settings.oauthClient.redirect_uris.push('http://localhost:8585/other-callback');
    doc.authorizationServers[0].policies[0].rules[0].actions.token.accessTokenLifetimeMinutes = 30;
  });
  const as = await findServer();
  const scopesBefore = await get(`/api/v1/authorizationServers/${as.id}/scopes`);
  const originsBefore = await get('/api/v1/trustedOrigins');

  const dry = await apply(file, '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(proxy.writes(), []);

  const run = await apply(file);
  assert.equal(run.code, 0, run.stderr);
  for (const out of [dry.stdout, run.stdout]) {
    assert.deepEqual(out.split('\n').filter((l) => /^[+~] /.test(l)), [
      '~ update app OpenMetadata: settings.oauthClient.redirect_uris [http://localhost:8585/callback, http://localhost:8585/silent-callback] → '
        + '[http://localhost:8585/callback, http://localhost:8585/silent-callback, http://localhost:8585/other-callback]',
      '~ update authorizationServer openmetadata: issuerMode ORG_URL → DYNAMIC',
      '~ update rule "Everyone, any scope" in policy "OpenMetadata access" of authorizationServer openmetadata: actions.token.accessTokenLifetimeMinutes 60 → 30',
    ]);
  }
  assert.deepEqual(proxy.writes().map((w) => w.method), ['PUT', 'PUT', 'PUT']);

  const app = await findApp();
  assert.equal(app.settings.oauthClient.redirect_uris.length, 3);
  assert.equal(app.settings.oauthClient.refresh_token.rotation_type, 'ROTATE', 'fields the file leaves alone keep their values');
  assert.equal((await findServer()).issuerMode, 'DYNAMIC');
  assert.deepEqual(await get(`/api/v1/authorizationServers/${as.id}/scopes`), scopesBefore);
  assert.deepEqual(await get('/api/v1/trustedOrigins'), originsBefore);

  // And back to the example: again exactly those three fields.
  const back = await apply(EXAMPLE);
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stdout, /^~ update authorizationServer openmetadata: issuerMode DYNAMIC → ORG_URL$/m);
  assert.equal(proxy.writes().length, 3);
  assert.equal((await apply(EXAMPLE)).stdout.includes('No changes.'), true);
});

test('a client secret given in the file replaces the app\'s, once; the plan never prints it', async () => {
  const secret = 'a-secret-chosen-by-the-admin-0123456789';
  const file = edited('secret.yaml', (doc) => {
    doc.apps[0].credentials.oauthClient.client_secret = '${OM_CLIENT_SECRET}';
  });
  const run = await runCli(['apply', '-f', file, '--org-url', proxy.url, '--token', server.token], { GATEHOUSE_DEMO_PASSWORD: DEMO_PASSWORD, OM_CLIENT_SECRET: secret });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^~ update app OpenMetadata: credentials\.oauthClient\.client_secret \(secret changed\)$/m);
  assert.ok(!run.stdout.includes(secret));
  assert.equal((await findApp()).credentials.oauthClient.client_secret, secret);
  proxy.reset();
  const again = await runCli(['apply', '-f', file, '--org-url', proxy.url, '--token', server.token], { GATEHOUSE_DEMO_PASSWORD: DEMO_PASSWORD, OM_CLIENT_SECRET: secret });
  assert.match(again.stdout, /^No changes\. /m);
  assert.deepEqual(proxy.writes(), []);
});

test('--output-env writes the gateway\'s settings for the app (0600)', async () => {
  const envFile = join(dir, 'gateway.env');
  const run = await apply(EXAMPLE, '--output-env', envFile);
  assert.equal(run.code, 0, run.stderr);
  const app = await findApp();
  const as = await findServer();
  const values = Object.fromEntries(readFileSync(envFile, 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  assert.equal(values.OIDC_CLIENT_ID, app.credentials.oauthClient.client_id);
  assert.equal(values.OIDC_CLIENT_SECRET, app.credentials.oauthClient.client_secret);
  assert.equal(values.OIDC_CLIENT_AUTH_METHOD, 'client_secret_basic');
  assert.equal(values.AUTHENTICATION_AUTHORITY, as.issuer);
  assert.equal(values.OIDC_DISCOVERY_URI, `${as.issuer}/.well-known/openid-configuration`);
  assert.equal(values.OIDC_CALLBACK, 'http://localhost:8585/callback');
  assert.match(values.OIDC_SCOPE ?? '', /offline_access/);
  const discovery = await json(await fetch(values.OIDC_DISCOVERY_URI!));
  assert.equal(discovery.issuer, values.AUTHENTICATION_AUTHORITY);
  const { statSync } = await import('node:fs');
  assert.equal(statSync(envFile).mode & 0o777, 0o600);
  assert.deepEqual(proxy.writes(), []);
});

test('an invalid file is refused with path-qualified problems, before any request', async () => {
  const file = edited('invalid.yaml', (doc) => {
    doc.apps[0].settings.oauthClient.grant_types[1] = 'foo';
    doc.apps[0].settings.oauthClient.colour = 'red';
    doc.authorizationServers[0].policies[0].rules[0].actions.token.accessTokenLifetimeMinutes = 2;
  });
  const run = await apply(file);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /is not valid:/);
  assert.match(run.stderr, /^ {2}apps\[0\]\.settings\.oauthClient\.grant_types\[1\]: invalid value "foo" \(expected one of: /m);
  assert.match(run.stderr, /^ {2}apps\[0\]\.settings\.oauthClient\.colour: unknown field/m);
  assert.match(run.stderr, /^ {2}authorizationServers\[0\]\.policies\[0\]\.rules\[0\]\.actions\.token\.accessTokenLifetimeMinutes: must be at least 5, got 2$/m);
  assert.deepEqual(proxy.requests, []);

  const noPassword = await runCli(['apply', '-f', EXAMPLE, '--org-url', proxy.url, '--token', server.token]);
  assert.equal(noPassword.code, 1);
  assert.match(noPassword.stderr, /users\[0\]\.credentials\.password\.value: environment variable GATEHOUSE_DEMO_PASSWORD is not set/);
});

test('references to things neither the file nor the org holds are refused before any write', async () => {
  const file = edited('dangling.yaml', (doc) => {
    doc.apps[0].assignments.groups.push('Ghosts');
    doc.authorizationServers[0].audiences = ['app:Nope'];
  });
  const run = await apply(file);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^ {2}apps\[0\]\.assignments\.groups\[1\]: no group "Ghosts" in the file or the org$/m);
  assert.match(run.stderr, /^ {2}authorizationServers\[0\]\.audiences\[0\]: no app labelled "Nope" in the file or the org$/m);
  assert.deepEqual(proxy.writes(), []);
});

test('a request the org refuses stops the run with Okta\'s error and the resource it concerns', async () => {
  const file = edited('refused.yaml', (doc) => {
    doc.authorizationServers[0].name = 'second';
    doc.authorizationServers[0].policies[0].rules[0].conditions.scopes.include = ['no-such-scope'];
    doc.trustedOrigins[0].origin = 'http://localhost:9999';
  });
  const run = await apply(file);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /stopped: could not create rule "Everyone, any scope" in policy "OpenMetadata access" of authorizationServer second:/);
  assert.match(run.stderr, /E0000001 Api validation failed/);
  assert.match(run.stderr, /conditions\.scopes\.include: The scope 'no-such-scope' does not exist/);
  // It stopped there: the trusted origin after the rule was not created.
  const origins = await get('/api/v1/trustedOrigins');
  assert.equal(origins.some((o: any) => o.origin === 'http://localhost:9999'), false);
  assert.equal(proxy.writes().at(-1)?.method, 'POST');
  assert.match(proxy.writes().at(-1)?.path ?? '', /\/rules$/);
});

test('connection settings: a missing token and an unreachable org are refused clearly', async () => {
  const noToken = await runCli(['apply', '-f', EXAMPLE, '--org-url', proxy.url], { GATEHOUSE_DEMO_PASSWORD: DEMO_PASSWORD });
  assert.equal(noToken.code, 2);
  assert.match(noToken.stderr, /no API token: pass --token TOKEN or set GATEHOUSE_API_TOKEN/);

  const fromEnv = await runCli(['apply', '-f', EXAMPLE, '--dry-run'], {
    GATEHOUSE_DEMO_PASSWORD: DEMO_PASSWORD, GATEHOUSE_ORG_URL: server.url, GATEHOUSE_API_TOKEN: server.token,
  });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);

  const badToken = await runCli(['apply', '-f', EXAMPLE, '--org-url', server.url, '--token', 'wrong'], { GATEHOUSE_DEMO_PASSWORD: DEMO_PASSWORD });
  assert.equal(badToken.code, 1);
  assert.match(badToken.stderr, /reading the org failed: .*(E0000011|token)/i);

  const unreachable = await runCli(['apply', '-f', EXAMPLE, '--org-url', 'http://127.0.0.1:1', '--token', 'x'], { GATEHOUSE_DEMO_PASSWORD: DEMO_PASSWORD });
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /cannot reach the org at http:\/\/127\.0\.0\.1:1/);

  const noFile = await runCli(['apply', '--token', 'x']);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /pass -f FILE\.yaml/);
});
