/**
 * The guides' setup, for real: deploy/setup/create-seed-app.sh (curl and an SSWS token) creates the
 * seed's app integration, authorization server, default scope, access policy and rule in a running
 * Gatehouse; its output, pasted into each gateway env example, passes every start-up check of the
 * gateway (discovery, issuer, client authentication, both redirect URIs registered), and the gateway
 * started from the Docker example sends a visitor to Gatehouse's sign-in.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkSetup } from '../../src/gateway/checks/index.js';
import { formatFinding } from '../../src/gateway/findings.js';
import { startGateway } from '../../src/gateway/server.js';
import { freePort, json, startTestServer, type TestServer } from '../support/server.js';
import { effective, parseEnvFile, readEnvFile, ROOT } from './support.js';
import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';

const SCRIPT = join(ROOT, 'deploy/setup/create-seed-app.sh');
const SEED_ORG = 'http://localhost:8080';

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function requireTools(): void {
  const missing = ['bash', 'curl', 'jq'].filter((t) => spawnSync(t, ['--version'], { encoding: 'utf8' }).error);
  if (missing.length) {
    assert.fail(`${missing.join(', ')} not installed: deploy/setup/create-seed-app.sh needs them (Debian: apt-get install -y ${missing.join(' ')})`);
  }
}

describe('the seed\'s setup through the API, and the gateway env examples against it', () => {
  let s: TestServer;
  let output: Map<string, string>;
  let upstream: Server;
  let upstreamUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-seed-setup-'));

  before(async () => {
    s = await startTestServer();
    upstream = createServer((req, res) => res.end(JSON.stringify({ user: req.headers['x-auth-request-user'] ?? null })));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  });

  after(async () => {
    upstream?.close();
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The example with the script's output pasted in, pointed at the test org, store and upstream. */
  function filledIn(values: Map<string, string>, store: string): Record<string, string> {
    const env = effective(new Map([...values, ...output]));
    for (const [k, v] of Object.entries(env)) env[k] = v.replaceAll(SEED_ORG, s.orgUrl);
    env.GATEWAY_SESSION_STORE = `sqlite:${join(dir, store)}`;
    env.GATEWAY_UPSTREAM_URL = upstreamUrl;
    env.GATEWAY_HOST = '127.0.0.1';
    return env;
  }

  it('create-seed-app.sh creates the setup and prints the gateway\'s variables as KEY=value', async () => {
    requireTools();
    // Not spawnSync: Gatehouse answers the script from this very process.
    const r = await run('bash', [SCRIPT], {
      PATH: process.env.PATH ?? '',
      GATEHOUSE_ORG_URL: s.orgUrl,
      GATEHOUSE_API_TOKEN: s.token,
      DEMO_USER_LOGIN: 'demo@example.com',
      DEMO_USER_PASSWORD: 'Demo-Passw0rd!2024',
    });
    assert.equal(r.status, 0, r.stderr);
    const parsed = parseEnvFile(r.stdout, 'create-seed-app.sh output');
    assert.deepEqual(parsed.problems, []);
    output = parsed.values;
    assert.deepEqual([...output.keys()].sort(), ['AUTHENTICATION_AUTHORITY', 'AUTHENTICATION_CLIENT_ID', 'AUTHENTICATION_PUBLIC_KEYS',
      'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_DISCOVERY_URI']);
    const issuer = output.get('AUTHENTICATION_AUTHORITY')!;
    assert.match(issuer, new RegExp(`^${s.orgUrl}/oauth2/aus\\w+$`), 'a custom authorization server, Okta URL issuer');
    assert.equal(output.get('OIDC_DISCOVERY_URI'), `${issuer}/.well-known/openid-configuration`);
    assert.equal(output.get('AUTHENTICATION_PUBLIC_KEYS'), `[${issuer}/v1/keys]`);
    assert.equal(output.get('AUTHENTICATION_CLIENT_ID'), output.get('OIDC_CLIENT_ID'));
    assert.match(r.stderr, /app "OpenMetadata" created/);
  });

  it('the app and authorization server are the seed\'s Steps 1 to 6', async () => {
    assert.ok(output, 'the script ran');
    const clientId = output.get('OIDC_CLIENT_ID')!;
    const app = await json(await s.api(`/api/v1/apps/${clientId}`));
    const oc = app.settings.oauthClient;
    assert.equal(oc.application_type, 'web');
    assert.deepEqual(oc.redirect_uris, ['http://localhost:8585/callback', 'http://localhost:8585/silent-callback']);
    assert.deepEqual(oc.post_logout_redirect_uris, ['http://localhost:8585/']);
    assert.deepEqual(oc.grant_types.sort(), ['authorization_code', 'refresh_token']);
    assert.equal(oc.consent_method, 'TRUSTED', 'user consent off (Step 6)');
    assert.equal(oc.issuer_mode, 'ORG_URL', 'ID token issuer: Okta URL (Step 6)');
    assert.equal(oc.refresh_token.rotation_type, 'ROTATE', 'rotate the refresh token after every use (Step 1)');
    assert.equal(app.credentials.oauthClient.token_endpoint_auth_method, 'client_secret_post');

    const serverId = output.get('AUTHENTICATION_AUTHORITY')!.split('/').at(-1)!;
    const server = await json(await s.api(`/api/v1/authorizationServers/${serverId}`));
    assert.deepEqual(server.audiences, [clientId], 'the audience is the client id (Step 2)');
    assert.equal(server.issuerMode, 'ORG_URL', 'Okta URL, not Dynamic (Step 3)');
    const scopes = await json(await s.api(`/api/v1/authorizationServers/${serverId}/scopes`));
    assert.ok(scopes.some((x: any) => x.default === true && !x.system), 'a default scope (Step 4)');
    const policies = await json(await s.api(`/api/v1/authorizationServers/${serverId}/policies`));
    assert.equal(policies.length, 1);
    assert.deepEqual(policies[0].conditions.clients.include, [clientId], 'the policy is assigned to the client (Step 5)');
    const rules = await json(await s.api(`/api/v1/authorizationServers/${serverId}/policies/${policies[0].id}/rules`));
    assert.ok(rules[0].conditions.grantTypes.include.includes('authorization_code'));
  });

  for (const example of ['deploy/docker/gateway.env.example', 'deploy/systemd/gateway.env.example']) {
    it(`${example}, filled in, passes every start-up check of the gateway against Gatehouse`, async () => {
      assert.ok(output, 'the script ran');
      const env = filledIn(readEnvFile(example), 'checks.db');
      const result = await checkSetup(env);
      assert.deepEqual(result.findings.filter((f) => f.severity !== 'info').map(formatFinding), []);
      assert.equal(result.metadata?.issuer, output.get('AUTHENTICATION_AUTHORITY')!.replace(SEED_ORG, s.orgUrl));
    });
  }

  it('the Kubernetes dev configuration, filled in, passes them too', async () => {
    assert.ok(output, 'the script ran');
    const values = new Map([...readEnvFile('deploy/kubernetes/base/gateway/gateway.env'), ...readEnvFile('deploy/kubernetes/overlays/dev/gateway.env')]);
    const result = await checkSetup(filledIn(values, 'k8s.db'));
    assert.deepEqual(result.findings.filter((f) => f.severity !== 'info').map(formatFinding), []);
  });

  it('the gateway started from the Docker example sends a visitor to Gatehouse\'s sign-in', async () => {
    assert.ok(output, 'the script ran');
    const port = await freePort();
    const env = filledIn(readEnvFile('deploy/docker/gateway.env.example'), 'gateway.db');
    const gateway = await startGateway(env, { port, log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger });
    try {
      const base = `http://127.0.0.1:${port}`;
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      const page = await fetch(`${base}/reports`, { redirect: 'manual', headers: { accept: 'text/html' } });
      assert.equal(page.status, 302);
      const login = await fetch(new URL(page.headers.get('location')!, base), { redirect: 'manual', headers: { accept: 'text/html' } });
      assert.equal(login.status, 302);
      const authorize = new URL(login.headers.get('location')!);
      assert.equal(`${authorize.origin}${authorize.pathname}`, `${output.get('AUTHENTICATION_AUTHORITY')!.replace(SEED_ORG, s.orgUrl)}/v1/authorize`);
      assert.equal(authorize.searchParams.get('client_id'), output.get('OIDC_CLIENT_ID'));
      assert.equal(authorize.searchParams.get('redirect_uri'), 'http://localhost:8585/callback');
      assert.equal(authorize.searchParams.get('scope'), 'openid email profile offline_access');
      assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
      const answer = await fetch(authorize, { redirect: 'manual', headers: { accept: 'text/html' } });
      const location = answer.headers.get('location') ?? '';
      assert.ok(answer.status === 200 || (answer.status >= 300 && answer.status < 400), `Gatehouse answered ${answer.status}`);
      if (location) assert.equal(new URL(location, s.orgUrl).origin, s.orgUrl, `to Gatehouse's own sign-in page, not back to the app: ${location}`);
      assert.doesNotMatch(location, /[?&#]error=/, 'Gatehouse accepts the request and asks the visitor to sign in');
      assert.ok(!location.startsWith('http://localhost:8585/callback'), 'no code without signing in');
    } finally {
      await gateway.close();
    }
  });
});
