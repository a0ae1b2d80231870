/**
 * Every env file under deploy/ (the Docker and systemd examples, the Kustomize ConfigMap sources) is
 * strict KEY=value, names only variables Gatehouse or the gateway read, documents all of them where
 * it is a complete example, and carries the seed's values without OpenMetadata's documented mistakes
 * (openmetadata-okta.md §1.3): no `KEY: value`, no `${...}`, no stray quotes, no double scheme,
 * OIDC_SERVER_URL present, offline_access in OIDC_SCOPE, the custom authorization server's keys.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { checkConfig } from '../../src/gateway/checks/index.js';
import { readGatewayConfig } from '../../src/gateway/config.js';
import {
  deployFiles, effective, gatehouseVariablesMentioned, gatehouseVariablesRead, gatewayVariablesMentioned, gatewayVariablesRead,
  parseEnvFile, read, readEnvFile, ROOT,
} from './support.js';

const GATEHOUSE_EXAMPLES = ['deploy/docker/gatehouse.env.example', 'deploy/systemd/gatehouse.env.example'];
const GATEHOUSE_FRAGMENTS = ['deploy/kubernetes/base/gatehouse/gatehouse.env', 'deploy/kubernetes/overlays/dev/gatehouse.env',
  'deploy/kubernetes/overlays/production/gatehouse.env'];
const GATEWAY_EXAMPLES = ['deploy/docker/gateway.env.example', 'deploy/systemd/gateway.env.example'];
/** ConfigMap sources: everything but what the Deployment takes from a Secret or sets itself. */
const GATEWAY_CONFIGMAPS: Record<string, string[]> = {
  'deploy/kubernetes/base/gateway/gateway.env': ['OIDC_CLIENT_SECRET', 'GATEWAY_SESSION_STORE'],
  'deploy/kubernetes/overlays/dev/gateway.env': ['OIDC_CLIENT_SECRET', 'GATEWAY_SESSION_STORE'],
};
const GATEWAY_FRAGMENTS = ['deploy/kubernetes/overlays/production/gateway.env'];
const PLACEHOLDERS = { '{authServerId}': 'ausTestServer0000001', '{clientId}': '0oaTestClient0000001', '{clientSecret}': 'test-client-secret-000000000000' };

const fill = (v: string) => Object.entries(PLACEHOLDERS).reduce((s, [p, x]) => s.replaceAll(p, x), v);
const sorted = (s: Iterable<string>) => [...s].sort();

/** The base's gateway.env with an overlay's values merged over it, as kustomize does. */
function merged(overlay: string): Map<string, string> {
  return new Map([...readEnvFile('deploy/kubernetes/base/gateway/gateway.env'), ...readEnvFile(overlay)]);
}

describe('env files: syntax', () => {
  const files = deployFiles('.env', '.env.example');

  it('finds the env files', () => {
    assert.ok(files.length >= 11, `found only ${files.join(', ')}`);
  });

  for (const file of files) {
    it(`${file} is strict KEY=value`, () => {
      const { problems, values } = parseEnvFile(read(file), file);
      assert.deepEqual(problems, []);
      assert.ok(values.size > 0);
    });
  }

  it('the strict parser refuses what OpenMetadata\'s Docker page has', () => {
    const bad = [
      'OIDC_DISCOVERY_URI: http://https://dev.okta.com/oauth2/aus1/.well-known/openid-configuration',
      'OIDC_CALLBACK=${OIDC_CALLBACK:-"http://localhost:8585/callback"}',
      'OIDC_CALLBACK=http://localhost:8585/callback"',
      'OIDC_DISCOVERY_URI=http://https://dev.okta.com/oauth2/aus1/.well-known/openid-configuration',
      'export OIDC_SCOPE=openid',
      'OIDC_SCOPE = openid',
    ];
    for (const line of bad) assert.notDeepEqual(parseEnvFile(line).problems, [], line);
    assert.deepEqual(parseEnvFile('# comment\n\nOIDC_SCOPE=openid email profile offline_access\nOIDC_MAX_AGE=\n').problems, []);
  });
});

describe('env files: Gatehouse', () => {
  const read_ = gatehouseVariablesRead();
  const known = new Set([...read_, ...gatehouseVariablesMentioned()]);

  for (const file of [...GATEHOUSE_EXAMPLES, ...GATEHOUSE_FRAGMENTS]) {
    it(`${file} names only variables Gatehouse reads`, () => {
      const unknown = [...readEnvFile(file).keys()].filter((k) => !known.has(k));
      assert.deepEqual(unknown, [], `not read by Gatehouse (src/config/config.ts): ${unknown.join(', ')}`);
    });
  }

  for (const file of GATEHOUSE_EXAMPLES) {
    it(`${file} documents every variable and loads`, () => {
      const values = readEnvFile(file);
      const missing = sorted(read_).filter((k) => !values.has(k));
      assert.deepEqual(missing, [], `add these (empty for the default) to ${file}`);
      const config = loadConfig(effective(values));
      assert.equal(config.orgUrl, 'http://localhost:8080', 'the seed runs Gatehouse at http://localhost:8080');
      assert.match(values.get('GATEHOUSE_SECRET_KEY')!, /^change-me-/, 'the secret key is a placeholder that init-env/the guide replaces');
      assert.match(values.get('GATEHOUSE_API_TOKEN')!, /^change-me-/);
    });
  }

  it('the Docker example runs on the Compose PostgreSQL with the password of postgres.env', () => {
    const gatehouse = readEnvFile('deploy/docker/gatehouse.env.example');
    const postgres = readEnvFile('deploy/docker/postgres.env.example');
    const url = new URL(gatehouse.get('GATEHOUSE_DATABASE_URL')!);
    assert.equal(url.protocol, 'postgres:');
    assert.equal(url.hostname, 'postgres', 'the Compose service name');
    assert.equal(url.username, postgres.get('POSTGRES_USER'));
    assert.equal(url.password, postgres.get('POSTGRES_PASSWORD'));
    assert.equal(url.pathname, `/${postgres.get('POSTGRES_DB')}`);
    assert.equal(gatehouse.get('GATEHOUSE_HOST'), '0.0.0.0', 'reachable from outside the container');
  });

  it('the systemd example keeps Gatehouse on loopback and its data in the unit\'s state directory', () => {
    const values = readEnvFile('deploy/systemd/gatehouse.env.example');
    assert.equal(values.get('GATEHOUSE_HOST'), '127.0.0.1');
    assert.equal(values.get('GATEHOUSE_DATABASE_URL'), 'sqlite:/var/lib/gatehouse/gatehouse.db');
    assert.equal(values.get('GATEHOUSE_DATA_DIR'), '/var/lib/gatehouse');
  });

  it('the Kubernetes ConfigMaps hold no secret', () => {
    for (const file of GATEHOUSE_FRAGMENTS) {
      for (const secret of ['GATEHOUSE_DATABASE_URL', 'GATEHOUSE_SECRET_KEY', 'GATEHOUSE_API_TOKEN', 'GATEHOUSE_ADMIN_PASSWORD']) {
        assert.ok(!readEnvFile(file).has(secret), `${secret} belongs in the Secret, not in ${file}`);
      }
    }
  });
});

describe('env files: the gateway', () => {
  const complete = effective(readEnvFile('deploy/docker/gateway.env.example'));
  const read_ = gatewayVariablesRead(Object.fromEntries(Object.entries(complete).map(([k, v]) => [k, fill(v)])));
  const known = new Set([...read_, ...gatewayVariablesMentioned()]);

  for (const file of [...GATEWAY_EXAMPLES, ...Object.keys(GATEWAY_CONFIGMAPS), ...GATEWAY_FRAGMENTS]) {
    it(`${file} names only variables the gateway reads`, () => {
      const unknown = [...readEnvFile(file).keys()].filter((k) => !known.has(k));
      assert.deepEqual(unknown, [], `not read by the gateway (src/gateway/config.ts): ${unknown.join(', ')}`);
    });
  }

  for (const [file, fromElsewhere] of [...GATEWAY_EXAMPLES.map((f): [string, string[]] => [f, []]), ...Object.entries(GATEWAY_CONFIGMAPS)]) {
    it(`${file} documents every variable the gateway reads`, () => {
      const values = readEnvFile(file);
      const missing = sorted(read_).filter((k) => !values.has(k) && !fromElsewhere.includes(k));
      assert.deepEqual(missing, [], `add these (empty for the default) to ${file}`);
      for (const k of fromElsewhere) assert.ok(!values.has(k), `${k} comes from the Secret or the Deployment, not ${file}`);
    });
  }

  const seedFiles: [string, Map<string, string>][] = [
    ...GATEWAY_EXAMPLES.map((f) => [f, readEnvFile(f)] as [string, Map<string, string>]),
    ['deploy/kubernetes/overlays/dev (base + overlay)', merged('deploy/kubernetes/overlays/dev/gateway.env')],
    ['deploy/kubernetes/overlays/production (base + overlay)', merged('deploy/kubernetes/overlays/production/gateway.env')],
  ];

  for (const [name, values] of seedFiles) {
    it(`${name} has the seed's values, without OpenMetadata's mistakes`, () => {
      const v = (k: string) => values.get(k) ?? '';
      const server = v('OIDC_SERVER_URL');
      assert.ok(server, 'OIDC_SERVER_URL is set (OpenMetadata\'s Docker page leaves it out)');
      assert.equal(new URL(server).origin, server, 'OIDC_SERVER_URL is an origin, no path');
      assert.equal(v('OIDC_CALLBACK'), `${server}/callback`, 'Step 1: the sign-in redirect URI');
      assert.equal(v('AUTHENTICATION_CALLBACK_URL'), v('OIDC_CALLBACK'));
      assert.equal(v('GATEWAY_SILENT_CALLBACK_URL'), `${server}/silent-callback`, 'Step 1: the second sign-in redirect URI');
      assert.equal(v('GATEWAY_POST_LOGOUT_URL'), `${server}/`);

      const authority = v('AUTHENTICATION_AUTHORITY');
      assert.match(authority, /^https?:\/\/[^/]+\/oauth2\/\{authServerId\}$/, 'the issuer of a custom authorization server, {org URL}/oauth2/{authServerId}');
      assert.equal(v('OIDC_DISCOVERY_URI'), `${authority}/.well-known/openid-configuration`, 'discovery of that issuer, no second scheme');
      assert.equal(v('AUTHENTICATION_PUBLIC_KEYS'), `[${authority}/v1/keys]`, "the custom server's keys, not the org server's /oauth2/v1/keys");

      assert.equal(v('OIDC_CLIENT_ID'), '{clientId}');
      assert.equal(v('AUTHENTICATION_CLIENT_ID'), '{clientId}');
      if (values.has('OIDC_CLIENT_SECRET')) assert.equal(v('OIDC_CLIENT_SECRET'), '{clientSecret}');
      assert.deepEqual(v('OIDC_SCOPE').split(' '), ['openid', 'email', 'profile', 'offline_access'], 'offline_access for refresh tokens');
      assert.equal(v('GATEWAY_REFRESH'), 'true');
      assert.equal(v('AUTHENTICATION_CLIENT_TYPE'), 'confidential');
      assert.equal(v('OIDC_RESPONSE_TYPE'), 'code');
      assert.equal(v('OIDC_PROMPT_TYPE'), '', 'no forced prompt (OpenMetadata #16062)');
      assert.equal(v('OIDC_MAX_AGE'), '', 'no max_age=0 (OpenMetadata #16062)');

      const braces = [...values.values()].flatMap((x) => x.match(/\{[^}]*\}/g) ?? []);
      for (const b of braces) assert.ok(b in PLACEHOLDERS, `unknown placeholder ${b}`);
    });

    it(`${name} passes the gateway's own reading and configuration checks once filled in`, () => {
      const env = Object.fromEntries(Object.entries(effective(values)).map(([k, x]) => [k, fill(x)]));
      env.OIDC_CLIENT_SECRET ??= PLACEHOLDERS['{clientSecret}'];
      env.GATEWAY_SESSION_STORE ??= 'redis://redis:6379/0';
      const reading = readGatewayConfig(env);
      const findings = [...reading.findings, ...checkConfig(reading)].filter((f) => f.severity !== 'info');
      assert.deepEqual(findings.map((f) => `${f.code}: ${f.problem}`), []);
    });
  }

  it('the gateway refuses to start while a placeholder is left', () => {
    const reading = readGatewayConfig(effective(readEnvFile('deploy/docker/gateway.env.example')));
    assert.ok(reading.findings.some((f) => f.severity === 'error' && f.code === 'placeholder'), 'a {placeholder} is reported');
  });

  it('Docker: the gateway listens on all interfaces and keeps sessions in its own PostgreSQL database', () => {
    const gateway = readEnvFile('deploy/docker/gateway.env.example');
    const postgres = readEnvFile('deploy/docker/postgres.env.example');
    assert.equal(gateway.get('GATEWAY_HOST'), '0.0.0.0');
    assert.equal(gateway.get('GATEWAY_PORT'), '8585');
    assert.equal(gateway.get('GATEWAY_UPSTREAM_URL'), 'http://demo-app:3000', 'the demo app of compose.yaml');
    const store = new URL(gateway.get('GATEWAY_SESSION_STORE')!);
    assert.equal(store.hostname, 'postgres');
    assert.equal(store.username, postgres.get('GATEWAY_DB_USER'));
    assert.equal(store.password, postgres.get('GATEWAY_DB_PASSWORD'));
    assert.equal(store.pathname, `/${postgres.get('GATEWAY_DB_USER')}`, 'postgres-init creates a database named after the role');
    assert.notEqual(store.username, postgres.get('POSTGRES_USER'), 'not the owner of Gatehouse\'s database');
  });

  it('systemd: the gateway listens on loopback, with SQLite sessions in its state directory', () => {
    const values = readEnvFile('deploy/systemd/gateway.env.example');
    assert.equal(values.get('GATEWAY_HOST'), '127.0.0.1');
    assert.equal(values.get('GATEWAY_SESSION_STORE'), 'sqlite:/var/lib/gatehouse-gateway/sessions.db');
    assert.equal(values.get('OIDC_SERVER_URL'), 'http://localhost:8585');
  });

  it('Kubernetes: dev reaches the issuer at its own org URL, production is https everywhere', () => {
    const devOrg = readEnvFile('deploy/kubernetes/overlays/dev/gatehouse.env').get('GATEHOUSE_ORG_URL')!;
    const dev = merged('deploy/kubernetes/overlays/dev/gateway.env');
    assert.equal(devOrg, 'http://localhost:8080');
    assert.ok(dev.get('AUTHENTICATION_AUTHORITY')!.startsWith(`${devOrg}/oauth2/`));
    assert.equal(dev.get('OIDC_SERVER_URL'), 'http://localhost:8585');

    const prodOrg = readEnvFile('deploy/kubernetes/overlays/production/gatehouse.env').get('GATEHOUSE_ORG_URL')!;
    const prod = merged('deploy/kubernetes/overlays/production/gateway.env');
    assert.match(prodOrg, /^https:\/\//);
    assert.ok(prod.get('AUTHENTICATION_AUTHORITY')!.startsWith(`${prodOrg}/oauth2/`));
    for (const [k, x] of prod) if (/^https?:\/\//.test(x) && k !== 'GATEWAY_UPSTREAM_URL') assert.match(x, /^https:/, `${k} is https`);
    assert.ok(prod.get('GATEWAY_TRUSTED_PROXIES'), 'behind the Ingress, the controller is a trusted proxy');
    assert.equal(readEnvFile('deploy/kubernetes/overlays/production/gatehouse.env').get('GATEHOUSE_TRUST_PROXY'), 'true');
  });
});

describe('deploy/docker/init-env.sh', () => {
  it('writes the env files with random, matching passwords and leaves existing files alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-init-env-'));
    try {
      cpSync(join(ROOT, 'deploy/docker'), dir, { recursive: true, filter: (src) => !/\.env$/.test(src) });
      const run = () => spawnSync('sh', [join(dir, 'init-env.sh')], { encoding: 'utf8' });
      const first = run();
      assert.equal(first.status, 0, first.stderr);
      const env = (name: string) => {
        const parsed = parseEnvFile(readFileSync(join(dir, name), 'utf8'), name);
        assert.deepEqual(parsed.problems, []);
        return parsed.values;
      };
      const postgres = env('postgres.env');
      const gatehouse = env('gatehouse.env');
      const gateway = env('gateway.env');
      for (const [name, values] of [['postgres.env', postgres], ['gatehouse.env', gatehouse], ['gateway.env', gateway]] as const) {
        for (const [k, x] of values) assert.doesNotMatch(x, /change-me/, `${name}: ${k} still has its placeholder`);
      }
      assert.match(postgres.get('POSTGRES_PASSWORD')!, /^[0-9a-f]{48}$/);
      assert.notEqual(postgres.get('POSTGRES_PASSWORD'), postgres.get('GATEWAY_DB_PASSWORD'));
      assert.equal(new URL(gatehouse.get('GATEHOUSE_DATABASE_URL')!).password, postgres.get('POSTGRES_PASSWORD'));
      assert.equal(new URL(gateway.get('GATEWAY_SESSION_STORE')!).password, postgres.get('GATEWAY_DB_PASSWORD'));
      assert.ok(gatehouse.get('GATEHOUSE_API_TOKEN')!.length >= 16);
      assert.equal(gateway.get('OIDC_CLIENT_ID'), '{clientId}', 'the setup\'s own values are left for the operator');

      const second = run();
      assert.equal(second.status, 0, second.stderr);
      assert.equal(readFileSync(join(dir, 'postgres.env'), 'utf8').includes(postgres.get('POSTGRES_PASSWORD')!), true, 'kept');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
