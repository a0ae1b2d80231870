/**
 * The plan and the diff logic, on hand-made org states (no server): what is created, updated (and
 * which fields) or unchanged; references by name compared with the org's ids; unresolved references
 * refused with their paths; export's default pruning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subsetDiff, formatDiff } from '../../src/declarative/diff.js';
import { UnresolvedReferenceError } from '../../src/declarative/errors.js';
import { prune, RULE_DEFAULTS } from '../../src/declarative/export-defaults.js';
import { formatPlan, hasChanges } from '../../src/declarative/format-plan.js';
import { parseFileText } from '../../src/declarative/load-file.js';
import { buildPlan } from '../../src/declarative/plan.js';
import type { OrgState } from '../../src/declarative/read-state.js';
import { deepMerge } from '../../src/declarative/api-bodies.js';

test('subsetDiff compares only the fields the file gives; lists whole and in order; null equals absent', () => {
  const current = { a: 1, b: { c: 'x', d: [1, 2] }, e: null, list: [{ type: 'CORS' }, { type: 'IFRAME_EMBED', allowedOktaApps: [] }] };
  assert.deepEqual(subsetDiff({ a: 1 }, current), []);
  assert.deepEqual(subsetDiff({ b: { c: 'x' } }, current), []);
  assert.deepEqual(subsetDiff({ e: null, f: null }, current), []);
  assert.deepEqual(subsetDiff({ list: [{ type: 'CORS' }, { type: 'IFRAME_EMBED' }] }, current), []);
  assert.deepEqual(subsetDiff({ b: { d: [2, 1] } }, current), [{ path: 'b.d', from: [1, 2], to: [2, 1] }]);
  assert.deepEqual(subsetDiff({ b: { c: 'y' }, z: true }, current), [{ path: 'b.c', from: 'x', to: 'y' }, { path: 'z', from: undefined, to: true }]);
  assert.equal(formatDiff({ path: 'issuerMode', from: 'DYNAMIC', to: 'ORG_URL' }), 'issuerMode DYNAMIC → ORG_URL');
  assert.equal(formatDiff({ path: 'x', from: ['a'], to: ['a', 'b c'] }), 'x [a] → [a, "b c"]');
  assert.equal(formatDiff({ path: 'credentials.oauthClient.client_secret', from: 'old', to: 'new' }), 'credentials.oauthClient.client_secret (secret changed)');
});

test('deepMerge lays the file over the org object: objects merged, lists replaced', () => {
  assert.deepEqual(deepMerge({ a: { b: 1, c: [1] }, d: 2 }, { a: { c: [2] } }), { a: { b: 1, c: [2] }, d: 2 });
});

const EVERYONE_ID = '00gEveryone';
const APP = {
  id: '0oaApp', label: 'OpenMetadata', name: 'oidc_client', signOnMode: 'OPENID_CONNECT', status: 'ACTIVE',
  credentials: { userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' }, oauthClient: { client_id: 'client-om', token_endpoint_auth_method: 'client_secret_basic', pkce_required: false, autoKeyRotation: true } },
  settings: { app: {}, oauthClient: { application_type: 'web', grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: ['http://localhost:8585/callback'], issuer_mode: 'ORG_URL', consent_method: 'TRUSTED' } },
};

function state(): OrgState {
  return {
    groups: [{ id: EVERYONE_ID, type: 'BUILT_IN', profile: { name: 'Everyone', description: 'All users' } }, { id: '00gAdmins', type: 'OKTA_GROUP', profile: { name: 'Admins', description: null } }],
    users: [{ id: '00uDemo', status: 'ACTIVE', profile: { login: 'demo@example.com', email: 'demo@example.com', firstName: 'Demo' } }],
    memberships: new Map([['00uDemo', ['00gAdmins']]]),
    apps: [{ raw: APP, groupIds: [EVERYONE_ID], userIds: [] }],
    servers: [{
      raw: { id: 'ausOM', name: 'openmetadata', description: null, audiences: ['client-om'], issuerMode: 'DYNAMIC', status: 'ACTIVE', credentials: { signing: { rotationMode: 'AUTO' } } },
      scopes: [{ id: 'scp1', name: 'openid', system: true, consent: 'IMPLICIT', default: false }, { id: 'scp2', name: 'openmetadata', default: true, consent: 'IMPLICIT', system: false }],
      claims: [],
      policies: [{
        raw: { id: 'pol1', name: 'OM', priority: 1, status: 'ACTIVE', type: 'OAUTH_AUTHORIZATION_POLICY', conditions: { clients: { include: ['client-om'] } } },
        rules: [{
          id: 'rul1', name: 'r', priority: 1, status: 'ACTIVE', type: 'RESOURCE_ACCESS',
          conditions: { people: { users: { include: [], exclude: [] }, groups: { include: ['EVERYONE'], exclude: [] } }, grantTypes: { include: ['authorization_code'] }, scopes: { include: ['*'] } },
          actions: { token: { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
        }],
      }],
    }],
    trustedOrigins: [{ id: 'tos1', name: 'OM', origin: 'http://localhost:8585', status: 'ACTIVE', scopes: [{ type: 'CORS' }] }],
  };
}

const FILE = `
groups:
  - profile: { name: Admins }
  - profile: { name: Readers, description: Read-only }
users:
  - profile: { login: Demo@Example.com, firstName: Demo }
    groups: [Admins, Readers]
apps:
  - label: OpenMetadata
    settings:
      oauthClient:
        application_type: web
        grant_types: [authorization_code]
        redirect_uris: [http://localhost:8585/callback]
    assignments: { groups: [Everyone, Readers] }
  - label: New app
    settings: { oauthClient: { application_type: service, grant_types: [client_credentials] } }
authorizationServers:
  - name: OpenMetadata
    audiences: [app:OpenMetadata]
    issuerMode: ORG_URL
    scopes:
      - { name: openid }
      - { name: openmetadata, default: true }
    policies:
      - name: Second
        priority: 2
        conditions: { clients: { include: ['app:New app'] } }
      - name: OM
        priority: 1
        conditions: { clients: { include: [client-om] } }
        rules:
          - name: r
            conditions:
              people: { groups: { include: [EVERYONE] } }
              grantTypes: { include: [authorization_code] }
              scopes: { include: ['*'] }
trustedOrigins:
  - origin: http://localhost:8585
    scopes: [{ type: CORS }, { type: REDIRECT }]
`;

test('the plan lists creates, updates with their fields, and unchanged resources in dependency order', () => {
  const plan = buildPlan(parseFileText('f.yaml', FILE, {}), state());
  assert.ok(hasChanges(plan));
  assert.deepEqual(formatPlan(plan), [
    '= unchanged group Admins',
    '+ create group Readers',
    // Logins and server names match whatever their case; a different case is a rename.
    '~ update user Demo@Example.com: profile.login demo@example.com → Demo@Example.com',
    '= unchanged membership of user Demo@Example.com in group Admins',
    '+ create membership of user Demo@Example.com in group Readers',
    '= unchanged app OpenMetadata',
    '+ create app "New app"',
    '= unchanged assignment of app OpenMetadata to group Everyone',
    '+ create assignment of app OpenMetadata to group Readers',
    '~ update authorizationServer OpenMetadata: name openmetadata → OpenMetadata; issuerMode DYNAMIC → ORG_URL',
    '= unchanged scope openid in authorizationServer OpenMetadata',
    '= unchanged scope openmetadata in authorizationServer OpenMetadata',
    // Written in priority order, whatever the file's order.
    '= unchanged policy OM in authorizationServer OpenMetadata',
    '+ create policy Second in authorizationServer OpenMetadata',
    '= unchanged rule r in policy OM of authorizationServer OpenMetadata',
    '~ update trustedOrigin http://localhost:8585: scopes [{type: CORS}] → [{type: CORS}, {type: REDIRECT}]',
    'Plan: 5 to create, 3 to update, 8 unchanged.',
  ]);
});

test('a file that matches the org plans no changes', () => {
  const file = parseFileText('f.yaml', `
apps:
  - label: OpenMetadata
    settings: { oauthClient: { application_type: web, grant_types: [authorization_code] } }
    assignments: { groups: [Everyone] }
authorizationServers:
  - name: openmetadata
    audiences: [client-om]
    policies:
      - name: OM
        conditions: { clients: { include: [app:OpenMetadata] } }
        rules:
          - name: r
            conditions: { people: { groups: { include: [Everyone] } }, grantTypes: { include: [authorization_code] }, scopes: { include: ['*'] } }
            actions: { token: { accessTokenLifetimeMinutes: 60 } }
`, {});
  const plan = buildPlan(file, state());
  assert.equal(hasChanges(plan), false);
});

test('references to groups, users and apps that neither the file nor the org holds are refused with their paths', () => {
  const file = parseFileText('f.yaml', `
users:
  - profile: { login: a@example.com }
    groups: [Nobody, Everyone]
apps:
  - label: X
    settings: { oauthClient: { application_type: service, grant_types: [client_credentials] } }
    assignments: { groups: [Ghosts], users: [ghost@example.com] }
authorizationServers:
  - name: s
    audiences: [app:Missing]
    policies:
      - name: p
        conditions: { clients: { include: [app:X, app:Gone] } }
        rules:
          - name: r
            conditions:
              people: { users: { include: [ghost@example.com] }, groups: { exclude: [Everyone] } }
              grantTypes: { include: [client_credentials] }
              scopes: { include: ['*'] }
`, {});
  assert.throws(() => buildPlan(file, state()), (err: unknown) => {
    assert.ok(err instanceof UnresolvedReferenceError);
    assert.deepEqual(err.problems, [
      'users[0].groups[0]: no group "Nobody" in the file or the org',
      'users[0].groups[1]: every user is in Everyone; leave it out',
      'apps[0].assignments.groups[0]: no group "Ghosts" in the file or the org',
      'apps[0].assignments.users[0]: no user "ghost@example.com" in the file or the org',
      'authorizationServers[0].audiences[0]: no app labelled "Missing" in the file or the org',
      'authorizationServers[0].policies[0].conditions.clients.include[1]: no app labelled "Gone" in the file or the org',
      'authorizationServers[0].policies[0].rules[0].conditions.people.users.include[0]: no user "ghost@example.com" in the file or the org',
      'authorizationServers[0].policies[0].rules[0].conditions.people.groups.exclude[0]: every user is in Everyone; leave it out',
    ]);
    return true;
  });
});

test('an app label the org holds twice is refused rather than guessed', () => {
  const s = state();
  s.apps.push({ raw: { ...APP, id: '0oaOther', credentials: { oauthClient: { client_id: 'other' } } }, groupIds: [], userIds: [] });
  const file = parseFileText('f.yaml', 'apps:\n  - label: OpenMetadata\n    settings: { oauthClient: { application_type: web, grant_types: [authorization_code] } }\n', {});
  assert.throws(() => buildPlan(file, s), /apps\[0\]\.label: 2 apps in the org are labelled "OpenMetadata"/);
});

test('export pruning drops nulls, Okta defaults and objects left empty', () => {
  const rule = {
    name: 'r', type: 'RESOURCE_ACCESS', status: 'ACTIVE', priority: 1,
    conditions: { people: { users: { include: [], exclude: [] }, groups: { include: ['Everyone'], exclude: [] } }, grantTypes: { include: ['implicit'] }, scopes: { include: ['*'] } },
    actions: { token: { accessTokenLifetimeMinutes: 5, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
    description: null,
  };
  assert.deepEqual(prune(rule, RULE_DEFAULTS), {
    name: 'r', priority: 1,
    conditions: { people: { groups: { include: ['Everyone'] } }, grantTypes: { include: ['implicit'] }, scopes: { include: ['*'] } },
    actions: { token: { accessTokenLifetimeMinutes: 5 } },
  });
});
