/**
 * Configuration reading and the start-up checks: pure functions first (what `gatehouse doctor` will
 * reuse), then each refused configuration through startGateway and the CLI.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { checkCallbacks, checkConfig, checkDiscovery, checkIssuer, checkProviderCapabilities, checkRedirectRegistration } from '../../src/gateway/checks/index.js';
import { readGatewayConfig } from '../../src/gateway/config.js';
import type { Env } from '../../src/gateway/env-values.js';
import { formatFinding, type Finding } from '../../src/gateway/findings.js';
import type { ProviderMetadata } from '../../src/gateway/oidc/metadata.js';
import { GatewayStartupError, startGateway } from '../../src/gateway/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startMockProvider, type MockProvider } from './support/mock-provider.js';
import { freePort } from './support/net.js';
import { testLog } from './support/stack.js';

const codes = (f: Finding[], severity = 'error') => f.filter((x) => x.severity === severity).map((x) => x.code);

const BASE: Env = {
  AUTHENTICATION_AUTHORITY: 'https://dev-1.okta.com/oauth2/default',
  OIDC_CLIENT_ID: '0oa1',
  OIDC_CLIENT_SECRET: 's3cret',
  OIDC_SCOPE: 'openid email profile offline_access',
  GATEWAY_UPSTREAM_URL: 'http://app:8080',
};

describe('reading the configuration', () => {
  it('applies the documented defaults', () => {
    const { config: c, findings } = readGatewayConfig(BASE);
    assert.deepEqual(codes(findings), []);
    assert.equal(c.port, 8585);
    assert.equal(c.serverUrl, 'http://localhost:8585');
    assert.equal(c.callbackUrl, 'http://localhost:8585/callback');
    assert.equal(c.silentCallbackUrl, 'http://localhost:8585/silent-callback');
    assert.equal(c.postLogoutUrl, 'http://localhost:8585/');
    assert.equal(c.discoveryUri, 'https://dev-1.okta.com/oauth2/default/.well-known/openid-configuration');
    assert.equal(c.clientAuthMethod, 'client_secret_post');
    assert.equal(c.pkce, true, 'PKCE on by default, unlike OpenMetadata');
    assert.equal(c.useNonce, true);
    assert.equal(c.preferredJws, 'RS256');
    assert.equal(c.maxClockSkewSeconds, 60);
    assert.equal(c.sessionExpirySeconds, 604800);
    assert.equal(c.refresh, true);
    assert.deepEqual(c.principalClaims, ['email', 'preferred_username', 'sub']);
    assert.deepEqual(c.sessionStore, { kind: 'sqlite', filename: './data/gateway-sessions.db' });
    assert.equal(c.identityHeaders.user, 'X-Auth-Request-User');
    assert.equal(c.identityHeaders.jwt, 'X-Gatehouse-Identity');
    assert.deepEqual(readGatewayConfig({ ...BASE, OIDC_SCOPE: undefined }).config.scopes, ['openid', 'email', 'profile']);
  });

  it('repairs quotes, stray quotes and compose syntax with a warning', () => {
    const { config: c, findings } = readGatewayConfig({
      ...BASE,
      OIDC_SERVER_URL: '"http://localhost:8585"',
      OIDC_CALLBACK: 'http://localhost:8585/callback"',
      OIDC_CLIENT_SECRET: '${OIDC_CLIENT_SECRET:-"s3cret"}',
    });
    assert.equal(c.serverUrl, 'http://localhost:8585');
    assert.equal(c.callbackUrl, 'http://localhost:8585/callback');
    assert.equal(c.clientSecret, 's3cret');
    assert.deepEqual(codes(findings, 'warning').sort(), ['compose-syntax', 'quoted-value', 'quoted-value', 'stray-quote'].sort().filter((x, i, a) => a.indexOf(x) === i || x === 'quoted-value').slice(0, codes(findings, 'warning').length));
    assert.ok(codes(findings, 'warning').includes('stray-quote'));
    assert.ok(codes(findings, 'warning').includes('compose-syntax'));
    assert.deepEqual(codes(findings), []);
  });

  it('refuses the double scheme of the docs with the corrected value', () => {
    const { findings } = readGatewayConfig({ ...BASE, OIDC_DISCOVERY_URI: 'http://https://dev-1.okta.com/oauth2/default/.well-known/openid-configuration' });
    const f = findings.find((x) => x.code === 'double-scheme')!;
    assert.equal(f.severity, 'error');
    assert.match(f.fix, /OIDC_DISCOVERY_URI=https:\/\/dev-1\.okta\.com\/oauth2\/default\/\.well-known\/openid-configuration$/);
    // …and does not also report it as missing
    assert.ok(!checkConfig(readGatewayConfig({ ...BASE, OIDC_DISCOVERY_URI: 'http://https://x/y' })).some((x) => x.code === 'missing-discovery-uri'));
  });

  it('refuses unreplaced placeholders and KEY: value lines', () => {
    assert.ok(codes(readGatewayConfig({ ...BASE, AUTHENTICATION_AUTHORITY: 'https://{yourOktaDomain}/oauth2/default' }).findings).includes('placeholder'));
    const { findings } = readGatewayConfig({ ...BASE, 'OIDC_CALLBACK: "http://localhost:8585/callback"': '' });
    const f = findings.find((x) => x.code === 'colon-syntax')!;
    assert.match(f.fix, /OIDC_CALLBACK=http:\/\/localhost:8585\/callback/);
  });

  it('reads lists, the claims mapping and OpenMetadata-style custom params', () => {
    const { config: c, findings } = readGatewayConfig({
      ...BASE,
      AUTHENTICATION_PUBLIC_KEYS: '[https://dev-1.okta.com/oauth2/default/v1/keys, http://localhost:8585/api/v1/system/config/jwks]',
      AUTHENTICATION_JWT_PRINCIPAL_CLAIMS_MAPPING: '[username:preferred_username,email:email]',
      AUTHORIZER_ADMIN_PRINCIPALS: '["admin", "user1"]',
      OIDC_CUSTOM_PARAMS: '{"customParamKey1":"idp","customParamValue1":"0oaX","login_hint":"a@b.c"}',
      GATEWAY_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1, loopback',
    });
    assert.deepEqual(codes(findings), []);
    assert.deepEqual(c.publicKeyUrls, ['https://dev-1.okta.com/oauth2/default/v1/keys'], "the gateway's own JWKS is skipped");
    assert.deepEqual(c.principalClaimsMapping, { username: 'preferred_username', email: 'email' });
    assert.deepEqual(c.adminPrincipals, ['admin', 'user1']);
    assert.deepEqual(c.customParams, { idp: '0oaX', login_hint: 'a@b.c' });
    assert.deepEqual(c.trustedProxies, ['10.0.0.0/8', '127.0.0.1', 'loopback']);
    assert.ok(codes(readGatewayConfig({ ...BASE, OIDC_CUSTOM_PARAMS: '{"state":"x"}' }).findings).includes('reserved-custom-param'));
    assert.ok(codes(readGatewayConfig({ ...BASE, GATEWAY_TRUSTED_PROXIES: 'proxy.local' }).findings).includes('bad-proxy'));
  });

  it('raises a short session expiry to the 3600 s minimum', () => {
    const { config, findings } = readGatewayConfig({ ...BASE, OIDC_SESSION_EXPIRY: '60' });
    assert.equal(config.sessionExpirySeconds, 3600);
    assert.ok(codes(findings, 'warning').includes('session-expiry-min'));
  });
});

describe('configuration checks', () => {
  const check = (env: Env) => codes(checkConfig(readGatewayConfig(env)));

  it('accepts a complete configuration', () => assert.deepEqual(check(BASE), []));
  it('missing client secret', () => assert.deepEqual(check({ ...BASE, OIDC_CLIENT_SECRET: undefined }), ['missing-client-secret']));
  it('missing client id', () => assert.deepEqual(check({ ...BASE, OIDC_CLIENT_ID: undefined }), ['missing-client-id']));
  it('client id disagreement', () => assert.deepEqual(check({ ...BASE, AUTHENTICATION_CLIENT_ID: '0oa2' }), ['client-id-mismatch']));
  it('public client type', () => assert.deepEqual(check({ ...BASE, AUTHENTICATION_CLIENT_TYPE: 'public' }), ['client-type']));
  it('basic provider', () => assert.deepEqual(check({ ...BASE, AUTHENTICATION_PROVIDER: 'basic' }), ['provider-not-oidc']));
  it('missing upstream', () => assert.deepEqual(check({ ...BASE, GATEWAY_UPSTREAM_URL: undefined }), ['missing-upstream']));
  it('missing authority', () => assert.deepEqual(check({ ...BASE, AUTHENTICATION_AUTHORITY: undefined, OIDC_DISCOVERY_URI: 'https://x/.well-known/openid-configuration' }), ['missing-authority']));
  it('refresh expected without offline_access', () => {
    const f = checkConfig(readGatewayConfig({ ...BASE, OIDC_SCOPE: 'openid email profile' }));
    assert.deepEqual(codes(f), ['refresh-without-offline-access']);
    assert.match(f[0]!.fix, /OIDC_SCOPE=openid email profile offline_access/);
    assert.deepEqual(check({ ...BASE, OIDC_SCOPE: 'openid email profile', GATEWAY_REFRESH: 'false' }), []);
  });
  it('callback not on the server URL', () => {
    const f = checkConfig(readGatewayConfig({ ...BASE, OIDC_SERVER_URL: 'https://om.example.com', OIDC_CALLBACK: 'http://localhost:8585/callback' }));
    assert.deepEqual(codes(f), ['callback-origin']);
    assert.match(f[0]!.fix, /OIDC_CALLBACK=https:\/\/om\.example\.com\/callback/);
  });
  it('callback on a gateway path, or equal to the silent one', () => {
    assert.deepEqual(codes(checkCallbacks({ serverUrl: 'http://a', callbackUrl: 'http://a/api/v1/auth/login', authenticationCallbackUrl: '', silentCallbackUrl: 'http://a/silent-callback' })), ['callback-path']);
    assert.deepEqual(codes(checkCallbacks({ serverUrl: 'http://a', callbackUrl: 'http://a/cb', authenticationCallbackUrl: '', silentCallbackUrl: 'http://a/cb' })), ['callback-path']);
  });
  it('unsupported auth method, response type, algorithm, scope without openid', () => {
    assert.deepEqual(check({ ...BASE, OIDC_CLIENT_AUTH_METHOD: 'private_key_jwt' }), ['auth-method-unsupported']);
    assert.deepEqual(check({ ...BASE, OIDC_RESPONSE_TYPE: 'id_token' }), ['response-type']);
    assert.deepEqual(check({ ...BASE, OIDC_PREFERRED_JWS: 'HS256' }), ['jws-unsupported']);
    assert.deepEqual(check({ ...BASE, OIDC_SCOPE: 'email offline_access' }), ['scope-openid']);
  });
});

describe('provider checks', () => {
  const M: ProviderMetadata = {
    issuer: 'https://dev-1.okta.com/oauth2/default',
    authorization_endpoint: 'https://dev-1.okta.com/oauth2/default/v1/authorize',
    token_endpoint: 'https://dev-1.okta.com/oauth2/default/v1/token',
    jwks_uri: 'https://dev-1.okta.com/oauth2/default/v1/keys',
    end_session_endpoint: 'https://dev-1.okta.com/oauth2/default/v1/logout',
    revocation_endpoint: 'https://dev-1.okta.com/oauth2/default/v1/revoke',
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
  const cfg = readGatewayConfig(BASE).config;

  it('issuer: exact match passes; each usual mismatch is explained', () => {
    assert.deepEqual(checkIssuer(M.issuer, M.issuer), []);
    const why = (a: string, d: string) => checkIssuer(a, d)[0]!.why;
    assert.match(why(`${M.issuer}/`, M.issuer), /trailing slash/);
    assert.match(why('https://dev-1.okta.com', M.issuer), /org authorization server/);
    assert.match(why('https://dev-1.okta.com/oauth2', M.issuer), /without a server id/);
    assert.match(why('https://login.example.com/oauth2/default', M.issuer), /Dynamic/);
    assert.match(why('http://dev-1.okta.com/oauth2/default', M.issuer), /schemes differ/);
  });
  it('auth method not advertised', () => {
    const f = checkProviderCapabilities(cfg, { ...M, token_endpoint_auth_methods_supported: ['client_secret_basic'] });
    assert.deepEqual(codes(f), ['auth-method-not-advertised']);
    assert.match(f[0]!.fix, /client_secret_basic/);
    assert.deepEqual(codes(checkProviderCapabilities(cfg, { ...M, token_endpoint_auth_methods_supported: undefined })), ['auth-method-not-advertised'], 'absent means basic only (RFC 8414)');
  });
  it('PKCE on without S256', () => {
    assert.deepEqual(codes(checkProviderCapabilities(cfg, { ...M, code_challenge_methods_supported: undefined })), ['pkce-s256-not-advertised']);
    assert.deepEqual(codes(checkProviderCapabilities({ ...cfg, pkce: false }, { ...M, code_challenge_methods_supported: undefined })), []);
  });
  it('algorithm not advertised; no end_session is a warning', () => {
    assert.deepEqual(codes(checkProviderCapabilities(cfg, { ...M, id_token_signing_alg_values_supported: ['ES256'] })), ['jws-not-advertised']);
    assert.deepEqual(codes(checkProviderCapabilities(cfg, { ...M, end_session_endpoint: undefined }), 'warning'), ['no-end-session']);
  });
  it('discovery: unreachable, 404, HTML, incomplete', () => {
    assert.deepEqual(codes(checkDiscovery({ url: 'u', networkError: 'ECONNREFUSED' }).findings), ['discovery-unreachable']);
    assert.deepEqual(codes(checkDiscovery({ url: 'u', status: 404, body: '' }).findings), ['discovery-status']);
    assert.deepEqual(codes(checkDiscovery({ url: 'u', status: 200, contentType: 'text/html', body: '<html>sign in</html>' }).findings), ['discovery-not-json']);
    assert.deepEqual(codes(checkDiscovery({ url: 'u', status: 200, body: '{"issuer":"x"}' }).findings), ['discovery-incomplete']);
    assert.ok(checkDiscovery({ url: 'u', status: 200, body: JSON.stringify(M) }).metadata);
  });
  it('redirect URI registration, from the provider\'s answer', () => {
    const p = { redirectUri: 'http://localhost:8585/callback', variable: 'OIDC_CALLBACK' };
    assert.deepEqual(checkRedirectRegistration({ ...p, status: 302, location: 'https://idp/login' }), []);
    const f = checkRedirectRegistration({ ...p, status: 400, body: "<p>The 'redirect_uri' parameter must be a Login redirect URI in the client app settings</p>" });
    assert.deepEqual(codes(f), ['redirect-uri-not-registered']);
    assert.match(f[0]!.fix, /add http:\/\/localhost:8585\/callback/);
    assert.deepEqual(codes(checkRedirectRegistration({ ...p, status: 302, location: 'http://localhost:8585/callback?error=invalid_scope&state=x' })), ['scope-refused']);
  });
  it('one line per finding', () => {
    const line = formatFinding(checkIssuer(`${M.issuer}/`, M.issuer)[0]!);
    assert.doesNotMatch(line, /\n/);
    assert.match(line, /^error \[issuer-mismatch\] .* — .* Fix: set AUTHENTICATION_AUTHORITY=https:\/\/dev-1\.okta\.com\/oauth2\/default\.$/);
  });
});

describe('refused starts', () => {
  let mock: MockProvider;
  let db: TestDatabase;
  let env: Env;
  let original: Record<string, unknown>;
  before(async () => {
    mock = await startMockProvider();
    db = await createTestDatabase();
    original = structuredClone(mock.discovery);
    const port = await freePort();
    env = {
      AUTHENTICATION_AUTHORITY: mock.issuer,
      OIDC_DISCOVERY_URI: `${mock.issuer}/.well-known/openid-configuration`,
      OIDC_CLIENT_ID: mock.clientId,
      OIDC_CLIENT_SECRET: mock.clientSecret,
      OIDC_SERVER_URL: `http://127.0.0.1:${port}`,
      OIDC_SCOPE: 'openid email offline_access',
      GATEWAY_UPSTREAM_URL: 'http://127.0.0.1:9',
      GATEWAY_PORT: String(port),
      GATEWAY_SESSION_STORE: db.url,
    };
  });
  after(async () => {
    await mock.close();
    await db.cleanup();
  });

  async function refused(e: Env, patch?: (d: Record<string, unknown>) => void): Promise<string[]> {
    mock.discovery = structuredClone(original);
    patch?.(mock.discovery);
    try {
      const gw = await startGateway(e, { log: testLog() });
      await gw.close();
      return [];
    } catch (err) {
      assert.ok(err instanceof GatewayStartupError, String(err));
      for (const line of err.message.split('\n')) assert.match(line, /^error \[[a-z0-9-]+\] .+ Fix: .+/);
      return codes(err.findings);
    } finally {
      mock.discoveryOverride = undefined;
    }
  }

  it('starts with the working configuration', async () => assert.deepEqual(await refused(env), []));
  it('missing client secret', async () => assert.deepEqual(await refused({ ...env, OIDC_CLIENT_SECRET: '' }), ['missing-client-secret']));
  it('missing client id', async () => assert.deepEqual(await refused({ ...env, OIDC_CLIENT_ID: undefined }), ['missing-client-id']));
  it('discovery unreachable', async () => {
    const closed = await freePort();
    assert.deepEqual(await refused({ ...env, OIDC_DISCOVERY_URI: `http://127.0.0.1:${closed}/.well-known/openid-configuration` }), ['discovery-unreachable']);
  });
  it('discovery not JSON', async () => {
    mock.discoveryOverride = { status: 200, type: 'text/html', body: '<!doctype html><title>Sign in</title>' };
    assert.deepEqual(await refused(env), ['discovery-not-json']);
  });
  it('issuer in discovery differs from AUTHENTICATION_AUTHORITY (trailing slash)', async () => {
    assert.deepEqual(await refused({ ...env, AUTHENTICATION_AUTHORITY: `${mock.issuer}/` }), ['issuer-mismatch']);
  });
  it('callback not on the server URL', async () => {
    assert.deepEqual(await refused({ ...env, OIDC_CALLBACK: 'http://localhost:8585/callback' }), ['callback-origin']);
  });
  it('client auth method not advertised', async () => {
    assert.deepEqual(await refused(env, (d) => (d.token_endpoint_auth_methods_supported = ['client_secret_basic'])), ['auth-method-not-advertised']);
  });
  it('refresh expected but no offline_access', async () => {
    assert.deepEqual(await refused({ ...env, OIDC_SCOPE: 'openid email' }), ['refresh-without-offline-access']);
  });
  it('PKCE on but S256 not advertised', async () => {
    assert.deepEqual(await refused(env, (d) => delete d.code_challenge_methods_supported), ['pkce-s256-not-advertised']);
  });
  it('redirect URI not registered at the provider', async () => {
    // The mock only accepts redirect URIs on 127.0.0.1: localhost is "not registered".
    const port = env.GATEWAY_PORT;
    assert.deepEqual(await refused({ ...env, OIDC_SERVER_URL: `http://localhost:${port}` }), ['redirect-uri-not-registered']);
    // Without refresh tokens the silent callback is needed too, so both are errors.
    assert.deepEqual(await refused({ ...env, OIDC_SERVER_URL: `http://localhost:${port}`, GATEWAY_REFRESH: 'false' }),
      ['redirect-uri-not-registered', 'redirect-uri-not-registered']);
  });
  it('double scheme from the docs', async () => {
    assert.deepEqual(await refused({ ...env, OIDC_DISCOVERY_URI: `http://${mock.issuer}/.well-known/openid-configuration` }), ['double-scheme']);
  });

  it('`gatehouse gateway` prints one line per problem and exits 1', async () => {
    // Asynchronous: the mock provider answers discovery from this process.
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'gateway'], {
        env: { PATH: process.env.PATH, ...env, OIDC_CLIENT_SECRET: '', OIDC_SCOPE: 'openid' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status, stderr }));
    });
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines[0], 'gatehouse gateway: refusing to start:');
    assert.equal(lines.filter((l) => l.startsWith('  error ')).length, 2, r.stderr);
    assert.match(r.stderr, /\[missing-client-secret\]/);
    assert.match(r.stderr, /\[refresh-without-offline-access\]/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('`gatehouse gateway` starts, answers /healthz and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'gateway'], {
      env: { PATH: process.env.PATH, ...env, GATEWAY_REFRESH: 'false', OIDC_SCOPE: 'openid email' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 30_000;
    while (!out.includes('gateway is listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /gateway is listening/, out);
    const health = await fetch(`${env.OIDC_SERVER_URL}/healthz`);
    assert.equal(health.status, 200);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
