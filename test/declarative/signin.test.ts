/**
 * The example file does what the seed's setup is for: after `gatehouse apply -f
 * examples/openmetadata/gatehouse.yaml --output-env`, the demo user signs in to the OpenMetadata app
 * through the new authorization server with the written settings, and gets tokens whose issuer,
 * audience and lifetime are the file's, and a refresh token that rotates.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizeWithSignIn, Browser, jwtClaims, responseParams } from '../support/browser.js';
import { json, startTestServer, type TestServer } from '../support/server.js';
import { runCli } from './support/run-cli.js';

const DEMO_PASSWORD = 'Demo-Passw0rd!';
let server: TestServer;
let dir: string;
let env: Record<string, string>;

before(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-signin-'));
  const envFile = join(dir, 'gateway.env');
  const run = await runCli(['apply', '-f', 'examples/openmetadata/gatehouse.yaml', '--org-url', server.url, '--token', server.token, '--output-env', envFile],
    { GATEHOUSE_DEMO_PASSWORD: DEMO_PASSWORD });
  assert.equal(run.code, 0, run.stderr);
  env = Object.fromEntries(readFileSync(envFile, 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the demo user signs in to OpenMetadata through the applied authorization server', async () => {
  const issuer = env.AUTHENTICATION_AUTHORITY!;
  const discovery = await json(await fetch(env.OIDC_DISCOVERY_URI!));
  assert.equal(discovery.issuer, issuer);
  assert.ok(discovery.scopes_supported.includes('openmetadata'), 'the default scope is published');

  const b = new Browser(server.url);
  const params = new URLSearchParams({
    client_id: env.OIDC_CLIENT_ID!, response_type: 'code', redirect_uri: env.OIDC_CALLBACK!, scope: 'openid offline_access', state: 's1', nonce: 'n1',
  });
  const res = await authorizeWithSignIn(b, `${discovery.authorization_endpoint}?${params}`, 'demo@example.com', DEMO_PASSWORD);
  assert.ok(res.status === 302 || res.status === 303, `redirect back to the app, got ${res.status}: ${await res.clone().text()}`);
  const location = res.headers.get('location')!;
  assert.ok(location.startsWith('http://localhost:8585/callback?'), location);
  const { code, state } = responseParams(location, 'query');
  assert.equal(state, 's1');

  const basic = `Basic ${Buffer.from(`${env.OIDC_CLIENT_ID}:${env.OIDC_CLIENT_SECRET}`).toString('base64')}`;
  const token = async (form: Record<string, string>) => fetch(discovery.token_endpoint, {
    method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form),
  });
  const tokens = await json(await token({ grant_type: 'authorization_code', code: code!, redirect_uri: env.OIDC_CALLBACK! }));
  assert.ok(tokens.access_token, JSON.stringify(tokens));
  const access = jwtClaims(tokens.access_token);
  assert.equal(access.iss, issuer, 'Step 3: the Okta-URL issuer');
  assert.equal(access.aud, env.OIDC_CLIENT_ID, 'Step 2: the audience is the client id');
  assert.equal(access.exp - access.iat, 3600, 'Step 5: the rule\'s access token lifetime');
  const id = jwtClaims(tokens.id_token);
  assert.equal(id.iss, issuer);
  assert.equal(id.aud, env.OIDC_CLIENT_ID);

  // Step 1: refresh tokens rotate after every use.
  assert.ok(tokens.refresh_token);
  const refreshed = await json(await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }));
  assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, JSON.stringify(refreshed));
});
