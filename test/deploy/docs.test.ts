/**
 * docs/deploy-*.md: one page per deployment, each telling someone configuring the seed's setup which
 * Gatehouse value goes into which variable, how to create the app and authorization server, and how
 * to verify. Checked here: the files and variables they name exist, their env snippets are strict
 * KEY=value, and no URL has a double scheme.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  effective, gatehouseVariablesMentioned, gatehouseVariablesRead, gatewayVariablesMentioned, gatewayVariablesRead, parseEnvFile, read, readEnvFile, ROOT,
} from './support.js';

const PAGES = ['docs/deploy-docker.md', 'docs/deploy-kubernetes.md', 'docs/deploy-bare-metal.md'];
const complete = effective(readEnvFile('deploy/docker/gateway.env.example'));
const KNOWN = new Set([
  ...gatehouseVariablesRead(), ...gatehouseVariablesMentioned(),
  ...gatewayVariablesRead(Object.fromEntries(Object.entries(complete).map(([k, v]) => [k, v.replace(/\{\w+\}/g, 'x')]))), ...gatewayVariablesMentioned(),
  ...readEnvFile('deploy/docker/postgres.env.example').keys(),
  // The setup script's own inputs.
  'GATEWAY_URL', 'APP_LABEL', 'CLIENT_ID', 'CLIENT_SECRET', 'DEMO_USER_LOGIN', 'DEMO_USER_PASSWORD', 'API_TOKEN',
]);

describe('deployment docs', () => {
  for (const page of PAGES) {
    describe(page, () => {
      const text = read(page);

      it('names only files that exist', () => {
        const paths = new Set([...text.matchAll(/(?<![\w/])(deploy\/(?:docker|kubernetes|systemd|setup)[\w./-]*[\w/]|docs\/[\w.-]+\.md)/g)].map((m) => m[1]!.replace(/\/$/, '')));
        assert.ok(paths.size > 3);
        for (const p of paths) assert.ok(existsSync(join(ROOT, p)), `${page} mentions ${p}, which does not exist`);
        for (const m of text.matchAll(/\]\((deploy-[\w-]+\.md)\)/g)) assert.ok(existsSync(join(ROOT, 'docs', m[1]!)), m[1]);
      });

      it('names only variables Gatehouse, the gateway or the setup read', () => {
        const names = new Set([...text.matchAll(/\b((?:GATEHOUSE|GATEWAY|OIDC|AUTHENTICATION|AUTHORIZER|POSTGRES)_[A-Z0-9_]*[A-Z0-9])\b/g)].map((m) => m[1]!));
        const unknown = [...names].filter((n) => !KNOWN.has(n));
        assert.deepEqual(unknown, []);
      });

      it('has env snippets in strict KEY=value and no double scheme', () => {
        assert.doesNotMatch(text, /https?:\/\/https?:\/\//);
        assert.doesNotMatch(text, /^(OIDC|AUTHENTICATION|GATEHOUSE|GATEWAY)_[A-Z_]+: /m, 'no KEY: value');
        for (const m of text.matchAll(/```env\n([\s\S]*?)```/g)) assert.deepEqual(parseEnvFile(m[1]!, page).problems, []);
      });

      it('tells where each of the seed\'s values goes, how to create the setup and how to verify', () => {
        for (const v of ['AUTHENTICATION_AUTHORITY', 'OIDC_DISCOVERY_URI', 'AUTHENTICATION_PUBLIC_KEYS', 'OIDC_CLIENT_ID', 'AUTHENTICATION_CLIENT_ID',
          'OIDC_CLIENT_SECRET', 'OIDC_CALLBACK', 'GATEWAY_SILENT_CALLBACK_URL', 'OIDC_SERVER_URL', 'OIDC_SCOPE', 'GATEHOUSE_ORG_URL']) {
          assert.ok(text.includes(v), `${page} explains ${v}`);
        }
        for (const s of ['http://localhost:8585/callback', 'http://localhost:8585/silent-callback', 'offline_access', '{issuer}/v1/keys',
          '/.well-known/openid-configuration', 'deploy/setup/create-seed-app.sh', 'gatehouse apply -f examples/openmetadata/gatehouse.yaml', '/readyz',
          'Step 6', 'Okta URL']) {
          assert.ok(text.includes(s), `${page} mentions ${s}`);
        }
      });
    });
  }
});
