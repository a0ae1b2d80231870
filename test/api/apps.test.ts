/** /api/v1/apps over real HTTP: OIDC app defaults and validation, lifecycle, secrets, assignments. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomToken, sha256 } from '../../src/crypto/ids.js';
import { json, startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s?.close();
});

async function expectError(res: Response, status: number, code: string, causes?: string[]): Promise<any> {
  const body = await json(res);
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.errorCode, code, JSON.stringify(body));
  if (causes) assert.deepEqual(body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary), causes);
  return body;
}

function oidcApp(oauthClient: Record<string, unknown> = {}, credentials: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    name: 'oidc_client',
    label: `App ${randomToken(4)}`,
    signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: credentials },
    settings: {
      oauthClient: {
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: ['https://app.example.com/callback'],
        ...oauthClient,
      },
    },
    ...extra,
  };
}

async function createApp(body: unknown, query = ''): Promise<any> {
  const res = await s.send('POST', `/api/v1/apps${query}`, body);
  const out = await json(res);
  assert.equal(res.status, 200, JSON.stringify(out));
  return out;
}

async function createUser(): Promise<any> {
  const login = `app-user-${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}@example.com`;
  const res = await s.send('POST', '/api/v1/users', { profile: { login, email: login, firstName: 'App', lastName: 'User' } });
  assert.equal(res.status, 200);
  return json(res);
}

async function createGroup(): Promise<any> {
  const res = await s.send('POST', '/api/v1/groups', { profile: { name: `app-group-${randomToken(6)}` } });
  assert.equal(res.status, 200);
  return json(res);
}

describe('POST /api/v1/apps', () => {
  it('creates a web app with Okta defaults and a sealed, hashed client secret', async () => {
    const app = await createApp(oidcApp());
    assert.match(app.id, /^0oa[A-Za-z0-9]{17}$/);
    assert.equal(app.status, 'ACTIVE');
    assert.equal(app.signOnMode, 'OPENID_CONNECT');
    assert.equal(app.name, 'oidc_client');
    assert.deepEqual(app.features, []);
    const oc = app.credentials.oauthClient;
    assert.equal(oc.client_id, app.id);
    assert.equal(oc.token_endpoint_auth_method, 'client_secret_basic');
    assert.equal(oc.autoKeyRotation, true);
    assert.equal(oc.pkce_required, false);
    assert.equal(typeof oc.client_secret, 'string');
    assert.ok(oc.client_secret.length >= 32);
    assert.deepEqual(app.credentials.userNameTemplate, { template: '${source.login}', type: 'BUILT_IN' });
    const settings = app.settings.oauthClient;
    assert.equal(settings.application_type, 'web');
    assert.deepEqual(settings.response_types, ['code']);
    assert.deepEqual(settings.grant_types, ['authorization_code', 'refresh_token']);
    assert.deepEqual(settings.post_logout_redirect_uris, []);
    assert.equal(settings.consent_method, 'TRUSTED');
    assert.equal(settings.issuer_mode, 'ORG_URL');
    assert.equal(settings.wildcard_redirect, 'DISABLED');
    assert.deepEqual(settings.refresh_token, { rotation_type: 'STATIC', leeway: 30 });
    assert.deepEqual(settings.idp_initiated_login, { mode: 'DISABLED', default_scope: [] });
    assert.equal(app._links.users.href, `${s.orgUrl}/api/v1/apps/${app.id}/users`);
    assert.equal(app._links.deactivate.href, `${s.orgUrl}/api/v1/apps/${app.id}/lifecycle/deactivate`);

    const secrets = await s.container.store.apps.listSecrets(app.id);
    assert.equal(secrets.length, 1);
    assert.match(secrets[0]!.id, /^ocs/);
    assert.equal(secrets[0]!.status, 'ACTIVE');
    assert.equal(secrets[0]!.secretHash, sha256(oc.client_secret));
    assert.ok(!secrets[0]!.secretSealed.includes(oc.client_secret));

    const fetched = await json(await s.api(`/api/v1/apps/${app.id}`));
    assert.equal(fetched.credentials.oauthClient.client_secret, oc.client_secret);
  });

  it('makes browser apps public clients with PKCE and rotating refresh tokens', async () => {
    const app = await createApp(oidcApp({ application_type: 'browser' }));
    assert.equal(app.credentials.oauthClient.token_endpoint_auth_method, 'none');
    assert.equal(app.credentials.oauthClient.pkce_required, true);
    assert.equal(app.credentials.oauthClient.client_secret, undefined);
    assert.deepEqual(app.settings.oauthClient.refresh_token, { rotation_type: 'ROTATE', leeway: 30 });
    assert.deepEqual(await s.container.store.apps.listSecrets(app.id), []);
  });

  it('accepts native apps with custom schemes, service apps without redirects, and INACTIVE creation', async () => {
    const native = await createApp(oidcApp({ application_type: 'native', redirect_uris: ['com.example.app:/callback'] }, { token_endpoint_auth_method: 'none' }));
    assert.equal(native.credentials.oauthClient.pkce_required, true);
    const service = await createApp(oidcApp({ application_type: 'service', grant_types: ['client_credentials'], redirect_uris: undefined }), '?activate=false');
    assert.equal(service.status, 'INACTIVE');
    assert.deepEqual(service.settings.oauthClient.response_types, []);
    assert.deepEqual(service.settings.oauthClient.redirect_uris, []);
    assert.ok(service.credentials.oauthClient.client_secret);
    assert.equal(service._links.activate.href, `${s.orgUrl}/api/v1/apps/${service.id}/lifecycle/activate`);
  });

  it('accepts a chosen client_id and client_secret, and refuses a duplicate client_id', async () => {
    const clientId = `my-client-${randomToken(4).replace(/[^A-Za-z0-9]/g, 'x')}`;
    const secret = 'a-chosen-secret-of-enough-length';
    const app = await createApp(oidcApp({}, { client_id: clientId, client_secret: secret }));
    assert.equal(app.credentials.oauthClient.client_id, clientId);
    assert.equal(app.credentials.oauthClient.client_secret, secret);
    assert.equal((await s.container.cache.client(clientId))?.app.id, app.id);
    await expectError(await s.send('POST', '/api/v1/apps', oidcApp({}, { client_id: clientId })), 400, 'E0000001', [
      'client_id: An object with this field already exists in the current organization',
    ]);
  });

  it('accepts wildcard redirect URIs only with SUBDOMAIN', async () => {
    const uri = 'https://*.tenants.example.com/callback';
    const app = await createApp(oidcApp({ wildcard_redirect: 'SUBDOMAIN', redirect_uris: [uri] }));
    assert.deepEqual(app.settings.oauthClient.redirect_uris, [uri]);
    await expectError(await s.send('POST', '/api/v1/apps', oidcApp({ redirect_uris: [uri] })), 400, 'E0000001');
    await expectError(await s.send('POST', '/api/v1/apps', oidcApp({ wildcard_redirect: 'SUBDOMAIN', redirect_uris: ['http://*.example.com/cb'] })), 400, 'E0000001');
  });

  it('validates like Okta, naming every bad field', async () => {
    const cases: [unknown, string[]][] = [
      [oidcApp({}, {}, { signOnMode: 'SAML_2_0' }), ["signOnMode: 'SAML_2_0' is not supported. Gatehouse supports only 'OPENID_CONNECT' applications"]],
      [oidcApp({}, {}, { signOnMode: undefined }), ['signOnMode: The field cannot be left blank']],
      [oidcApp({}, {}, { label: '' }), ['label: The field cannot be left blank']],
      [oidcApp({}, {}, { name: 'bookmark' }), ["name: 'bookmark' is not a supported application name. Use 'oidc_client'"]],
      [oidcApp({ grant_types: undefined }), ['grant_types: The field cannot be left blank']],
      [oidcApp({ grant_types: [] }), ['grant_types: The field cannot be left blank']],
      [oidcApp({ grant_types: ['authorization_code', 'magic'] }), ["grant_types: 'magic' is not a valid grant type"]],
      [oidcApp({ application_type: 'desktop' }), ["application_type: 'desktop' is not a valid value. Valid values: browser, native, service, web"]],
      [oidcApp({}, { token_endpoint_auth_method: 'magic' }), [
        "token_endpoint_auth_method: 'magic' is not a valid value. Valid values: client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, none",
      ]],
      [oidcApp({}, { token_endpoint_auth_method: 'none' }), [
        "pkce_required: PKCE is required when 'token_endpoint_auth_method' is 'none'",
        "token_endpoint_auth_method: 'none' is only allowed for application_type 'browser' or 'native'",
      ]],
      [oidcApp({ application_type: 'native' }, { token_endpoint_auth_method: 'none', pkce_required: false }), [
        "pkce_required: PKCE is required when 'token_endpoint_auth_method' is 'none'",
      ]],
      [oidcApp({ redirect_uris: [] }), ["redirect_uris: At least one redirect URI is required for the 'authorization_code' and 'implicit' grant types"]],
      [oidcApp({ redirect_uris: ['https://app.example.com/cb#frag'] }), [
        "redirect_uris: 'https://app.example.com/cb#frag' is not a valid URI. It must be an absolute URI without a fragment.",
      ]],
      [oidcApp({ redirect_uris: ['/relative'] }), ["redirect_uris: '/relative' is not a valid URI. It must be an absolute URI without a fragment."]],
      [oidcApp({ redirect_uris: ['javascript:alert(1)'] }), ["redirect_uris: 'javascript:alert(1)' is not a valid URI. It must be an absolute URI without a fragment."]],
      [oidcApp({ redirect_uris: 'https://app.example.com/cb' }), ['redirect_uris: The field must be an array of strings']],
      [oidcApp({ response_types: ['token'] }), [
        "response_types: 'token' and 'id_token' require the 'implicit' grant type",
        "response_types: The 'authorization_code' grant type requires the 'code' response type",
      ]],
      [oidcApp({ response_types: ['code', 'bogus'] }), ["response_types: 'bogus' is not a valid response type"]],
      [oidcApp({ refresh_token: { rotation_type: 'ROTATE', leeway: 61 } }), ['leeway: The field must be an integer between 0 and 60']],
      [oidcApp({ refresh_token: { rotation_type: 'SOMETIMES' } }), ["rotation_type: 'SOMETIMES' is not a valid value. Valid values: ROTATE, STATIC"]],
      [oidcApp({ consent_method: 'MAYBE' }), ["consent_method: 'MAYBE' is not a valid value. Valid values: REQUIRED, TRUSTED"]],
      [oidcApp({ issuer_mode: 'ELSEWHERE' }), ["issuer_mode: 'ELSEWHERE' is not a valid value. Valid values: ORG_URL, CUSTOM_URL, DYNAMIC"]],
      [oidcApp({ application_type: 'browser', grant_types: ['client_credentials'] }), [
        "grant_types: 'client_credentials' is not allowed for application_type 'browser'",
      ]],
      [oidcApp({}, { token_endpoint_auth_method: 'private_key_jwt' }), ["jwks: 'jwks' or 'jwks_uri' is required when 'token_endpoint_auth_method' is 'private_key_jwt'"]],
      [oidcApp({}, { client_secret: 'short' }), ["client_secret: 'client_secret' must be at least '14' characters long."]],
      [oidcApp({}, { client_id: 'ALL_CLIENTS' }), ["client_id: The client_id must be 6 to 100 characters: letters, digits or $-_.+!*'(), and not 'ALL_CLIENTS'"]],
      [oidcApp({ application_type: 'browser' }, { client_secret: 'a-long-enough-secret-value' }), [
        "client_secret: 'client_secret' can't be used when 'token_endpoint_auth_method' is 'none'.",
      ]],
      [{ label: 'x', signOnMode: 'OPENID_CONNECT' }, ['grant_types: The field cannot be left blank']],
    ];
    for (const [body, causes] of cases) {
      const res = await s.send('POST', '/api/v1/apps', body);
      const out = await expectError(res, 400, 'E0000001', causes);
      assert.match(out.errorSummary, /^Api validation failed: /);
    }
    await expectError(await s.api('/api/v1/apps', { method: 'POST', body: '{"label":' }), 400, 'E0000003');
    await expectError(await s.api('/api/v1/apps', { method: 'POST', body: 'null' }), 400, 'E0000003');
    const all = await json(await s.api('/api/v1/apps?limit=200'));
    assert.ok(all.every((a: any) => a.settings.oauthClient.grant_types.length > 0), 'nothing invalid was stored');
  });
});

describe('reading, updating and deleting apps', () => {
  it('answers unknown apps with 404 E0000007', async () => {
    const body = await expectError(await s.api('/api/v1/apps/0oaMissing'), 404, 'E0000007');
    assert.equal(body.errorSummary, 'Not found: Resource not found: 0oaMissing (AppInstance)');
    await expectError(await s.send('PUT', '/api/v1/apps/0oaMissing', oidcApp()), 404, 'E0000007');
    await expectError(await s.send('DELETE', '/api/v1/apps/0oaMissing'), 404, 'E0000007');
    await expectError(await s.send('POST', '/api/v1/apps/0oaMissing/lifecycle/activate'), 404, 'E0000007');
  });

  it('lists apps with q, a status filter and pagination', async () => {
    const tag = `Listed${randomToken(4).replace(/[^A-Za-z0-9]/g, 'x')}`;
    const active = await createApp(oidcApp({}, {}, { label: `${tag} one` }));
    const inactive = await createApp(oidcApp({}, {}, { label: `${tag} two` }), '?activate=false');
    const byQ = await json(await s.api(`/api/v1/apps?q=${tag}`));
    assert.deepEqual(byQ.map((a: any) => a.id).sort(), [active.id, inactive.id].sort());
    assert.ok(byQ.every((a: any) => a.credentials.oauthClient.client_secret === undefined), 'lists do not show secrets');
    const filtered = await json(await s.api(`/api/v1/apps?q=${tag}&filter=${encodeURIComponent('status eq "INACTIVE"')}`));
    assert.deepEqual(filtered.map((a: any) => a.id), [inactive.id]);
    const res = await s.api(`/api/v1/apps?q=${tag}&limit=1`);
    assert.equal((await json(res)).length, 1);
    assert.match(res.headers.get('link') ?? '', /rel="next"/);
    await expectError(await s.api(`/api/v1/apps?filter=${encodeURIComponent('label co "x"')}`), 400, 'E0000031');
  });

  it('replaces an app with PUT, keeping client_id and secret unless a new one is given', async () => {
    const app = await createApp(oidcApp());
    const clientId = app.credentials.oauthClient.client_id;
    assert.deepEqual((await s.container.cache.client(clientId))?.app.body.settings.oauthClient.redirect_uris, ['https://app.example.com/callback']);

    const body = oidcApp({ redirect_uris: ['https://app.example.com/new-callback'] }, {}, { label: 'Renamed' });
    let res = await s.send('PUT', `/api/v1/apps/${app.id}`, body);
    let updated = await json(res);
    assert.equal(res.status, 200, JSON.stringify(updated));
    assert.equal(updated.label, 'Renamed');
    assert.equal(updated.status, 'ACTIVE');
    assert.equal(updated.credentials.oauthClient.client_id, clientId);
    assert.equal(updated.credentials.oauthClient.client_secret, app.credentials.oauthClient.client_secret);
    const cached = await s.container.cache.client(clientId);
    assert.deepEqual(cached?.app.body.settings.oauthClient.redirect_uris, ['https://app.example.com/new-callback'], 'cache invalidated');

    const newSecret = 'a-replacement-secret-0123456789';
    res = await s.send('PUT', `/api/v1/apps/${app.id}`, oidcApp({}, { client_secret: newSecret }, { label: 'Renamed' }));
    updated = await json(res);
    assert.equal(updated.credentials.oauthClient.client_secret, newSecret);
    const secrets = await s.container.store.apps.listSecrets(app.id);
    assert.deepEqual(secrets.map((x) => x.secretHash), [sha256(newSecret)]);
    assert.deepEqual((await s.container.cache.client(clientId))?.secrets.map((x) => x.secretHash), [sha256(newSecret)]);

    await expectError(await s.send('PUT', `/api/v1/apps/${app.id}`, oidcApp({}, { client_id: 'another-client' })), 400, 'E0000001', [
      'client_id: The field is immutable and cannot be changed',
    ]);
    await expectError(await s.send('PUT', `/api/v1/apps/${app.id}`, oidcApp({ grant_types: ['nope'] })), 400, 'E0000001');
    assert.equal((await json(await s.api(`/api/v1/apps/${app.id}`))).label, 'Renamed', 'a rejected PUT changes nothing');
  });

  it('deletes only INACTIVE apps', async () => {
    const app = await createApp(oidcApp());
    await expectError(await s.send('DELETE', `/api/v1/apps/${app.id}`), 403, 'E0000056');
    let res = await s.send('POST', `/api/v1/apps/${app.id}/lifecycle/deactivate`);
    assert.equal(res.status, 200);
    assert.deepEqual(await json(res), {});
    assert.equal((await json(await s.api(`/api/v1/apps/${app.id}`))).status, 'INACTIVE');
    assert.equal((await s.container.cache.client(app.id))?.app.status, 'INACTIVE');
    res = await s.send('POST', `/api/v1/apps/${app.id}/lifecycle/activate`);
    assert.equal(res.status, 200);
    assert.equal((await json(await s.api(`/api/v1/apps/${app.id}`))).status, 'ACTIVE');
    await s.send('POST', `/api/v1/apps/${app.id}/lifecycle/deactivate`);
    assert.equal((await s.send('DELETE', `/api/v1/apps/${app.id}`)).status, 204);
    await expectError(await s.api(`/api/v1/apps/${app.id}`), 404, 'E0000007');
    assert.equal(await s.container.cache.client(app.id), undefined);
    assert.deepEqual(await s.container.store.apps.listSecrets(app.id), []);
  });
});

describe('app user assignments', () => {
  it('assigns, reads, updates, lists and removes users', async () => {
    const app = await createApp(oidcApp());
    const user = await createUser();
    let res = await s.send('POST', `/api/v1/apps/${app.id}/users`, { id: user.id, scope: 'USER' });
    const assigned = await json(res);
    assert.equal(res.status, 200, JSON.stringify(assigned));
    assert.equal(assigned.id, user.id);
    assert.equal(assigned.scope, 'USER');
    assert.equal(assigned.status, 'ACTIVE');
    assert.equal(assigned.syncState, 'DISABLED');
    assert.deepEqual(assigned.credentials, { userName: user.profile.login });
    assert.deepEqual(assigned.profile, {});
    assert.equal(assigned._links.user.href, `${s.orgUrl}/api/v1/users/${user.id}`);
    assert.equal(assigned._links.app.href, `${s.orgUrl}/api/v1/apps/${app.id}`);

    assert.equal((await json(await s.api(`/api/v1/apps/${app.id}/users/${user.id}`))).id, user.id);
    res = await s.send('POST', `/api/v1/apps/${app.id}/users/${user.id}`, { credentials: { userName: 'custom-name' }, profile: { role: 'admin' } });
    const updated = await json(res);
    assert.equal(updated.credentials.userName, 'custom-name');
    assert.deepEqual(updated.profile, { role: 'admin' });

    const list = await json(await s.api(`/api/v1/apps/${app.id}/users`));
    assert.deepEqual(list.map((u: any) => u.id), [user.id]);

    assert.equal((await s.send('DELETE', `/api/v1/apps/${app.id}/users/${user.id}`)).status, 204);
    const gone = await expectError(await s.api(`/api/v1/apps/${app.id}/users/${user.id}`), 404, 'E0000007');
    assert.equal(gone.errorSummary, `Not found: Resource not found: ${user.id} (AppUser)`);
    await expectError(await s.send('DELETE', `/api/v1/apps/${app.id}/users/${user.id}`), 404, 'E0000007');
  });

  it('shows users assigned through a group with scope GROUP', async () => {
    const app = await createApp(oidcApp());
    const [user, group] = [await createUser(), await createGroup()];
    await s.send('PUT', `/api/v1/groups/${group.id}/users/${user.id}`);
    await expectError(await s.api(`/api/v1/apps/${app.id}/users/${user.id}`), 404, 'E0000007');
    assert.equal((await s.send('PUT', `/api/v1/apps/${app.id}/groups/${group.id}`)).status, 200);
    const viaGroup = await json(await s.api(`/api/v1/apps/${app.id}/users/${user.id}`));
    assert.equal(viaGroup.scope, 'GROUP');
  });

  it('rejects bad assignments', async () => {
    const app = await createApp(oidcApp());
    const user = await createUser();
    await expectError(await s.send('POST', `/api/v1/apps/${app.id}/users`, {}), 400, 'E0000001', ['id: The field cannot be left blank']);
    await expectError(await s.send('POST', `/api/v1/apps/${app.id}/users`, { id: user.id, scope: 'WORLD' }), 400, 'E0000001', [
      "scope: 'WORLD' is not a valid value. Valid values: USER, GROUP",
    ]);
    await expectError(await s.send('POST', `/api/v1/apps/${app.id}/users`, { id: user.id, credentials: { password: { value: 'x' } } }), 400, 'E0000001');
    await expectError(await s.send('POST', `/api/v1/apps/${app.id}/users`, { id: '00uNobody' }), 404, 'E0000007');
    await expectError(await s.send('POST', '/api/v1/apps/0oaNothing/users', { id: user.id }), 404, 'E0000007');
    await expectError(await s.api('/api/v1/apps/0oaNothing/users'), 404, 'E0000007');
    await expectError(await s.api(`/api/v1/apps/${app.id}/users`, { method: 'POST', body: '{' }), 400, 'E0000003');
    await s.send('POST', `/api/v1/users/${user.id}/lifecycle/deactivate`);
    await expectError(await s.send('POST', `/api/v1/apps/${app.id}/users`, { id: user.id }), 403, 'E0000117');
  });
});

describe('app group assignments', () => {
  it('assigns groups with priorities, lists, reads and removes them', async () => {
    const app = await createApp(oidcApp());
    const [g1, g2, g3] = [await createGroup(), await createGroup(), await createGroup()];
    const a1 = await json(await s.send('PUT', `/api/v1/apps/${app.id}/groups/${g1.id}`));
    assert.equal(a1.id, g1.id);
    assert.equal(a1.priority, 0);
    assert.deepEqual(a1.profile, {});
    assert.equal(a1._links.group.href, `${s.orgUrl}/api/v1/groups/${g1.id}`);
    const a2 = await json(await s.send('PUT', `/api/v1/apps/${app.id}/groups/${g2.id}`, {}));
    assert.equal(a2.priority, 1);
    const a3 = await json(await s.send('PUT', `/api/v1/apps/${app.id}/groups/${g3.id}`, { priority: 7, profile: { tier: 'gold' } }));
    assert.equal(a3.priority, 7);
    assert.deepEqual(a3.profile, { tier: 'gold' });

    const list = await json(await s.api(`/api/v1/apps/${app.id}/groups`));
    assert.deepEqual(list.map((g: any) => g.id).sort(), [g1.id, g2.id, g3.id].sort());
    assert.equal((await json(await s.api(`/api/v1/apps/${app.id}/groups/${g3.id}`))).priority, 7);

    assert.equal((await s.send('DELETE', `/api/v1/apps/${app.id}/groups/${g3.id}`)).status, 204);
    await expectError(await s.api(`/api/v1/apps/${app.id}/groups/${g3.id}`), 404, 'E0000007');
    await expectError(await s.send('DELETE', `/api/v1/apps/${app.id}/groups/${g3.id}`), 404, 'E0000007');
  });

  it('rejects bad group assignments', async () => {
    const app = await createApp(oidcApp());
    const group = await createGroup();
    await expectError(await s.send('PUT', `/api/v1/apps/${app.id}/groups/00gNothing`), 404, 'E0000007');
    await expectError(await s.send('PUT', `/api/v1/apps/0oaNothing/groups/${group.id}`), 404, 'E0000007');
    await expectError(await s.send('PUT', `/api/v1/apps/${app.id}/groups/${group.id}`, { priority: -1 }), 400, 'E0000001', [
      'priority: The field must be a non-negative integer',
    ]);
    await expectError(await s.send('PUT', `/api/v1/apps/${app.id}/groups/${group.id}`, { priority: 'high' }), 400, 'E0000001');
  });
});

describe('client secrets', () => {
  const base = (id: string) => `/api/v1/apps/${id}/credentials/secrets`;

  it('lists, adds (up to two), deactivates, activates and deletes secrets', async () => {
    const app = await createApp(oidcApp());
    const [first] = await json(await s.api(base(app.id)));
    assert.match(first.id, /^ocs/);
    assert.equal(first.status, 'ACTIVE');
    assert.equal(first.client_secret, app.credentials.oauthClient.client_secret);
    assert.ok(first.secret_hash);

    let res = await s.send('POST', base(app.id), {});
    const second = await json(res);
    assert.equal(res.status, 201, JSON.stringify(second));
    assert.equal(second.status, 'ACTIVE');
    assert.notEqual(second.client_secret, first.client_secret);
    assert.equal((await s.container.cache.client(app.id))?.secrets.length, 2);

    await expectError(await s.send('POST', base(app.id), {}), 400, 'E0000001', ["You've reached the maximum number of client secrets per client."]);

    res = await s.send('POST', `${base(app.id)}/${first.id}/lifecycle/deactivate`);
    assert.equal(res.status, 200);
    assert.equal((await json(res)).status, 'INACTIVE');
    assert.deepEqual((await s.container.cache.client(app.id))?.secrets.map((x) => x.id), [second.id]);
    await expectError(await s.send('POST', `${base(app.id)}/${second.id}/lifecycle/deactivate`), 400, 'E0000001', [
      "You can't deactivate the only active client secret.",
    ]);
    await expectError(await s.send('DELETE', `${base(app.id)}/${second.id}`), 400, 'E0000001', [
      "You can't delete an active client secret. Deactivate the secret before deleting it.",
    ]);
    assert.equal((await json(await s.api(`${base(app.id)}/${first.id}`))).status, 'INACTIVE');
    assert.equal((await s.send('DELETE', `${base(app.id)}/${first.id}`)).status, 204);
    await expectError(await s.api(`${base(app.id)}/${first.id}`), 404, 'E0000007');
    assert.equal((await json(await s.api(`/api/v1/apps/${app.id}`))).credentials.oauthClient.client_secret, second.client_secret);

    res = await s.send('POST', base(app.id), { client_secret: 'an-administrator-chosen-secret', status: 'INACTIVE' });
    const third = await json(res);
    assert.equal(res.status, 201);
    assert.equal(third.status, 'INACTIVE');
    assert.equal((await json(await s.send('POST', `${base(app.id)}/${third.id}/lifecycle/activate`))).status, 'ACTIVE');
  });

  it('rejects bad secrets and apps without secrets', async () => {
    const app = await createApp(oidcApp());
    await expectError(await s.send('POST', base(app.id), { client_secret: 'short' }), 400, 'E0000001', [
      "client_secret: 'client_secret' must be at least '14' characters long.",
    ]);
    await expectError(await s.send('POST', base(app.id), { client_secret: 'x'.repeat(101) }), 400, 'E0000001', [
      "client_secret: 'client_secret' can't be more than '100' characters long.",
    ]);
    await expectError(await s.send('POST', base(app.id), { status: 'SOMETIMES' }), 400, 'E0000001');
    const spa = await createApp(oidcApp({ application_type: 'browser' }));
    await expectError(await s.send('POST', base(spa.id), {}), 400, 'E0000001', ["'client_secret' can't be used when 'token_endpoint_auth_method' is 'none'."]);
    await expectError(await s.api(base('0oaNothing')), 404, 'E0000007');
    await expectError(await s.api(`${base(app.id)}/ocsNothing`), 404, 'E0000007');
    await expectError(await s.send('POST', `${base(app.id)}/ocsNothing/lifecycle/activate`), 404, 'E0000007');
  });
});
