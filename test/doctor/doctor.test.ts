/**
 * `gatehouse doctor` (the CLI, spawned) against a real Gatehouse with the seed's setup applied
 * (examples/openmetadata/gatehouse.yaml through `gatehouse apply --output-env`), then purpose-broken
 * copies of that setup: each misconfiguration is found, one line each; the correct setup exits 0.
 * A stub in front of discovery changes what the provider advertises and its Date header.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runDeclarativeCommand } from '../../src/declarative/cli.js';
import { readEnvFile } from '../../src/doctor/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';

const USER = 'demo@example.com';

function doctor(env: Record<string, string | undefined>, args: string[] = []): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'doctor', ...args], {
      env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

const errorLines = (out: string) => out.split('\n').filter((l) => l.startsWith('✗'));

describe('gatehouse doctor', () => {
  let server: TestServer;
  let dir: string;
  let base: Record<string, string | undefined>;
  let stub: Server;
  let stubUrl: string;
  /** What the stub changes in the real discovery document, and the Date it claims. */
  let overrides: Record<string, unknown> = {};
  let dateOffsetMs = 0;

  before(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-doctor-'));
    const envFile = join(dir, 'gateway.env');
    let out = '';
    const code = await runDeclarativeCommand('apply', ['-f', 'examples/openmetadata/gatehouse.yaml', '--org-url', server.orgUrl, '--token', server.token, '--output-env', envFile], {
      out: (t) => (out += t), err: (t) => (out += t), env: { GATEHOUSE_DEMO_PASSWORD: 'Demo-Passw0rd!' },
    });
    assert.equal(code, 0, out);
    base = readEnvFile(readFileSync(envFile, 'utf8'));
    assert.ok(base.OIDC_CLIENT_SECRET && base.AUTHENTICATION_AUTHORITY);

    stub = createServer(async (req, res) => {
      const real = await fetch(base.OIDC_DISCOVERY_URI!);
      const doc = { ...(await real.json() as object), ...overrides };
      res.writeHead(200, { 'content-type': 'application/json', date: new Date(Date.now() + dateOffsetMs).toUTCString() });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(doc));
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    const addr = stub.address() as { port: number };
    stubUrl = `http://127.0.0.1:${addr.port}/.well-known/openid-configuration`;
  });
  after(async () => {
    await new Promise((r) => stub?.close(r));
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const withToken = ['--token', 'test-token-0123456789abcdef', '--user', USER];

  it('passes the seed setup as applied, with the app, audience and policy read through the API', async () => {
    const r = await doctor(base, withToken);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(errorLines(r.out), []);
    assert.match(r.out, /✓ .*is a sign-in redirect URI of app "OpenMetadata"/);
    assert.match(r.out, /✓ .*is a sign-out redirect URI/);
    assert.match(r.out, /✓ user demo@example.com is assigned to app "OpenMetadata" and matches policy "OpenMetadata access", rule "Everyone, any scope"/);
    assert.match(r.out, /✓ JWKS .* key\(s\), each with a kid/);
    assert.match(r.out, /No problem found/);
  });

  it('passes without an API token too (redirect URIs probed at /authorize)', async () => {
    const r = await doctor(base);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /✓ the provider accepts .*\/callback as a sign-in redirect URI/);
  });

  it('finds an issuer with a trailing slash', async () => {
    const r = await doctor({ ...base, AUTHENTICATION_AUTHORITY: `${base.AUTHENTICATION_AUTHORITY}/` });
    assert.equal(r.code, 1, r.out);
    const [line] = errorLines(r.out);
    assert.match(line!, /^✗ the discovery document's issuer .* is not AUTHENTICATION_AUTHORITY .* — .*trailing slash.* — fix: set AUTHENTICATION_AUTHORITY=/);
  });

  it('finds a callback that is not registered, through the API and through /authorize', async () => {
    const env = { ...base, OIDC_CALLBACK: 'http://localhost:8585/auth/callback' };
    const api = await doctor(env, withToken);
    assert.equal(api.code, 1, api.out);
    assert.ok(errorLines(api.out).some((l) => /OIDC_CALLBACK=http:\/\/localhost:8585\/auth\/callback is not a sign-in redirect URI .* — fix: add http:\/\/localhost:8585\/auth\/callback to the app's Sign-in redirect URIs/.test(l)), api.out);
    const probe = await doctor(env);
    assert.equal(probe.code, 1, probe.out);
    assert.ok(errorLines(probe.out).some((l) => /refuses OIDC_CALLBACK=http:\/\/localhost:8585\/auth\/callback as a redirect URI/.test(l)), probe.out);
  });

  it('finds a sign-out URI that is not registered', async () => {
    const r = await doctor({ ...base, GATEWAY_POST_LOGOUT_URL: 'http://localhost:8585/bye' }, withToken);
    assert.equal(r.code, 1, r.out);
    assert.ok(errorLines(r.out).some((l) => /GATEWAY_POST_LOGOUT_URL=http:\/\/localhost:8585\/bye is not a sign-out redirect URI/.test(l)), r.out);
  });

  it('finds an auth method the provider does not advertise, and one the app does not use', async () => {
    overrides = { token_endpoint_auth_methods_supported: ['client_secret_post'] };
    dateOffsetMs = 0;
    const r = await doctor({ ...base, OIDC_DISCOVERY_URI: stubUrl });
    overrides = {};
    assert.equal(r.code, 1, r.out);
    assert.ok(errorLines(r.out).some((l) => /OIDC_CLIENT_AUTH_METHOD=client_secret_basic is not in the provider's token_endpoint_auth_methods_supported \[client_secret_post\].* — fix: set OIDC_CLIENT_AUTH_METHOD=client_secret_post/.test(l)), r.out);
    const app = await doctor({ ...base, OIDC_CLIENT_AUTH_METHOD: 'client_secret_post' }, withToken);
    assert.equal(app.code, 1, app.out);
    assert.ok(errorLines(app.out).some((l) => /authenticates with client_secret_basic .* fix: set OIDC_CLIENT_AUTH_METHOD=client_secret_basic/.test(l)), app.out);
  });

  it('finds a scope without offline_access while refresh is expected', async () => {
    const r = await doctor({ ...base, OIDC_SCOPE: 'openid email profile' }, withToken);
    assert.equal(r.code, 1, r.out);
    assert.ok(errorLines(r.out).some((l) => /lacks offline_access while GATEWAY_REFRESH=true — .* — fix: set OIDC_SCOPE=openid email profile offline_access/.test(l)), r.out);
  });

  it("finds clock skew against the provider's Date header", async () => {
    dateOffsetMs = 10 * 60_000;
    const r = await doctor({ ...base, OIDC_DISCOVERY_URI: stubUrl });
    dateOffsetMs = 0;
    assert.equal(r.code, 1, r.out);
    assert.ok(errorLines(r.out).some((l) => /^✗ this host's clock is (59\d|60\d) s behind the provider's .* OIDC_MAX_CLOCK_SKEW=60 — .*iat\/exp.* — fix: synchronise the clock/.test(l)), r.out);
  });

  it('finds an audience the app checks that the server does not mint', async () => {
    const r = await doctor({ ...base, AUTHENTICATION_AUDIENCE: 'api://default' }, withToken);
    assert.equal(r.code, 1, r.out);
    const lines = errorLines(r.out);
    assert.ok(lines.some((l) => /authorization server "openmetadata" mints access tokens for \[.*\], but the app checks the audience api:\/\/default/.test(l)), r.out);
    assert.ok(lines.some((l) => /the access token minted for demo@example.com has aud \[.*\], not api:\/\/default/.test(l)), r.out);
  });

  it('finds a user the access policy refuses (token preview)', async () => {
    const created = await server.api('/api/v1/users?activate=true', {
      method: 'POST',
      body: JSON.stringify({ profile: { login: 'ada@example.com', email: 'ada@example.com', firstName: 'Ada', lastName: 'L' }, credentials: { password: { value: 'Correct-Horse-9' } } }),
    });
    assert.equal(created.status, 200);
    const deact = await server.api(`/api/v1/users/${(await created.json() as { id: string }).id}/lifecycle/suspend`, { method: 'POST' });
    assert.equal(deact.status, 200, await deact.text());
    const r = await doctor(base, ['--token', 'test-token-0123456789abcdef', '--user', 'ada@example.com']);
    assert.equal(r.code, 1, r.out);
    assert.ok(errorLines(r.out).some((l) => /^✗ user ada@example.com would be refused: /.test(l)), r.out);
  });
});
