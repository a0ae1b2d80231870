/**
 * Reading apply files: every problem reported with the path of the field it concerns, `${NAME}`
 * references expanded from the environment (and refused when unset), YAML syntax errors, duplicate
 * natural keys, and the example file itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileError } from '../../src/declarative/errors.js';
import { loadFile, parseFileText } from '../../src/declarative/load-file.js';

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseFileText('f.yaml', text, env);
  } catch (err) {
    assert.ok(err instanceof FileError, String(err));
    return err.problems;
  }
  assert.fail('expected the file to be refused');
}

const APP = `
apps:
  - label: A
    settings:
      oauthClient:
        application_type: web
        grant_types: [authorization_code, foo]
        redirect_uris: [https://a.example/cb]
`;

test('an invalid enum value is reported with its full path and the allowed values', () => {
  const [first, ...rest] = problems(APP);
  assert.equal(rest.length, 0);
  assert.match(first!, /^apps\[0\]\.settings\.oauthClient\.grant_types\[1\]: invalid value "foo" \(expected one of: authorization_code, /);
});

test('unknown fields, wrong types, missing required fields and out-of-range numbers are each reported', () => {
  const found = problems(`
groups:
  - profile: { name: Admins, colour: red }
users:
  - profile: { email: x@example.com }
apps:
  - label: A
    settings:
      oauthClient:
        application_type: web
        grant_types: authorization_code
authorizationServers:
  - name: s
    audiences: [a, b]
    policies:
      - name: p
        conditions: { clients: { include: [ALL_CLIENTS] } }
        rules:
          - name: r
            conditions: { grantTypes: { include: [authorization_code] }, scopes: { include: ['*'] } }
            actions: { token: { accessTokenLifetimeMinutes: 2 } }
`);
  assert.ok(found.includes('groups[0].profile.colour: unknown field (check its spelling against Okta\'s API)'), found.join('\n'));
  assert.ok(found.includes('users[0].profile.login: required'), found.join('\n'));
  assert.ok(found.includes('apps[0].settings.oauthClient.grant_types: expected a list, got the string "authorization_code"'), found.join('\n'));
  assert.ok(found.some((p) => p.startsWith('authorizationServers[0].audiences: ')), found.join('\n'));
  assert.ok(found.includes('authorizationServers[0].policies[0].rules[0].actions.token.accessTokenLifetimeMinutes: must be at least 5, got 2'), found.join('\n'));
});

test('${NAME} references are expanded from the environment; an unset one is refused with its path', () => {
  const text = `
users:
  - profile: { login: demo@example.com }
    credentials: { password: { value: '\${DEMO_PASSWORD}' } }
apps:
  - label: A
    credentials: { userNameTemplate: { template: '\${source.email}' } }
    settings: { oauthClient: { application_type: service, grant_types: [client_credentials] } }
`;
  const file = parseFileText('f.yaml', text, { DEMO_PASSWORD: 'Secret-Passw0rd' });
  assert.equal(file.users?.[0]?.credentials?.password.value, 'Secret-Passw0rd');
  // Okta's own templates are not environment references.
  assert.equal(file.apps?.[0]?.credentials?.userNameTemplate?.template, '${source.email}');
  assert.deepEqual(problems(text, {}), ['users[0].credentials.password.value: environment variable DEMO_PASSWORD is not set (referenced as ${DEMO_PASSWORD})']);
});

test('YAML syntax errors and duplicate keys are refused', () => {
  assert.match(problems('apps: [\n')[0]!, /^YAML: /);
  assert.match(problems('groups: []\ngroups: []\n')[0]!, /^YAML: .*(unique|Map keys)/i);
  assert.match(problems('- just\n- a list\n')[0]!, /^\(top level\): expected an object, got a list/);
});

test('natural keys must be unique within their list, and Everyone cannot be declared', () => {
  const found = problems(`
groups:
  - profile: { name: Admins }
  - profile: { name: Admins }
  - profile: { name: Everyone }
users:
  - profile: { login: a@example.com }
  - profile: { login: A@example.com }
authorizationServers:
  - name: s
    scopes: [{ name: x }, { name: x }]
    claims:
      - { name: groups, claimType: IDENTITY, value: user.email }
      - { name: groups, claimType: RESOURCE, value: user.email }
trustedOrigins:
  - { origin: 'https://a.example', scopes: [{ type: CORS }] }
  - { origin: 'https://A.example', scopes: [{ type: CORS }] }
`);
  assert.deepEqual(found, [
    'groups[1].profile.name: duplicate profile.name "Admins" (also at index 0)',
    'groups[2].profile.name: Everyone is the built-in group of every org and cannot be declared; refer to it by name instead',
    'users[1].profile.login: duplicate profile.login "a@example.com" (also at index 0)',
    'authorizationServers[0].scopes[1].name: duplicate name "x" (also at index 0)',
    'trustedOrigins[1].origin: duplicate origin "https://a.example" (also at index 0)',
  ]);
});

test('an empty file is a valid file that declares nothing', () => {
  assert.deepEqual(parseFileText('f.yaml', '', {}), {});
  assert.deepEqual(parseFileText('f.yaml', '# nothing yet\n', {}), {});
});

test('examples/openmetadata/gatehouse.yaml is valid and holds the seed\'s setup', () => {
  const file = loadFile('examples/openmetadata/gatehouse.yaml', { GATEHOUSE_DEMO_PASSWORD: 'Demo-Passw0rd!' });
  const app = file.apps?.[0];
  assert.equal(app?.label, 'OpenMetadata');
  assert.deepEqual(app?.settings.oauthClient.grant_types, ['authorization_code', 'refresh_token', 'implicit']);
  assert.deepEqual(app?.settings.oauthClient.response_types, ['code', 'id_token', 'token']);
  assert.equal(app?.settings.oauthClient.refresh_token?.rotation_type, 'ROTATE');
  assert.equal(app?.settings.oauthClient.consent_method, 'TRUSTED');
  assert.deepEqual(app?.assignments?.groups, ['Everyone']);
  const server = file.authorizationServers?.[0];
  assert.deepEqual(server?.audiences, ['app:OpenMetadata']);
  assert.equal(server?.issuerMode, 'ORG_URL');
  assert.equal(server?.scopes?.[0]?.default, true);
  assert.deepEqual(server?.policies?.[0]?.conditions.clients.include, ['app:OpenMetadata']);
  assert.deepEqual(file.trustedOrigins?.[0]?.scopes.map((s) => s.type), ['CORS', 'REDIRECT']);
  assert.throws(() => loadFile('examples/openmetadata/gatehouse.yaml', {}), /not valid|problem/);
});
