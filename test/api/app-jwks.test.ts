/**
 * /api/v1/apps/{id}/credentials/jwks over real HTTP: list, add, get, deactivate, activate and delete
 * an OIDC app's public keys, the same keys as the app body's settings.oauthClient.jwks, used (when
 * ACTIVE) by private_key_jwt client authentication at the token endpoint; Okta's errors for bad keys.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import okta from '@okta/okta-sdk-nodejs';
import { parse } from 'yaml';
import { randomToken } from '../../src/crypto/ids.js';
import { runCli } from '../declarative/support/run-cli.js';
import { clientKey, postForm } from '../oauth/fixtures.js';
import { expectJson, json, startTestServer, type TestServer } from '../support/server.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SCOPE = 'jwks:test';

let s: TestServer;
let tokenUrl: string;
before(async () => {
  s = await startTestServer();
  tokenUrl = `${s.orgUrl}/oauth2/default/v1/token`;
  await expectJson(await s.send('POST', '/api/v1/authorizationServers/default/scopes', { name: SCOPE }), 201);
});
after(async () => {
  await s?.close();
});

async function expectError(res: Response, status: number, code: string, causes?: (string | RegExp)[]): Promise<any> {
  const body = await json(res);
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.errorCode, code, JSON.stringify(body));
  for (const key of ['errorSummary', 'errorLink', 'errorId', 'errorCauses']) assert.ok(key in body, key);
  if (causes) {
    const got = body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary);
    assert.equal(got.length, causes.length, JSON.stringify(got));
    causes.forEach((want, i) => (typeof want === 'string' ? assert.equal(got[i], want) : assert.match(got[i], want)));
  }
  return body;
}

async function createServiceApp(keys: Record<string, unknown>[]): Promise<any> {
  return expectJson(await s.send('POST', '/api/v1/apps', {
    name: 'oidc_client',
    label: `Jwks ${randomToken(4)}`,
    signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: { token_endpoint_auth_method: 'private_key_jwt' } },
    settings: { oauthClient: { application_type: 'service', grant_types: ['client_credentials'], jwks: { keys } } },
  }));
}

function tokenRequest(clientId: string, key: ReturnType<typeof clientKey>) {
  const now = Math.floor(Date.now() / 1000);
  const assertion = key.assertion({ iss: clientId, sub: clientId, aud: tokenUrl, iat: now, exp: now + 300, jti: randomUUID() });
  return postForm(tokenUrl, { grant_type: 'client_credentials', scope: SCOPE, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion });
}

const jwksPath = (appId: string) => `/api/v1/apps/${appId}/credentials/jwks`;

describe('the JWKS sub-resource', () => {
  it('adds a key that signs private_key_jwt assertions until it is deactivated', async () => {
    const first = clientKey('RS256');
    const app = await createServiceApp([first.jwk]);
    const clientId = app.credentials.oauthClient.client_id;

    // The key given with the app is listed with Okta's metadata, in both views.
    const [listed] = await expectJson(await s.api(jwksPath(app.id)));
    assert.match(listed.id, /^pks[A-Za-z0-9]{17}$/);
    assert.equal(listed.kid, first.jwk.kid);
    assert.equal(listed.status, 'ACTIVE');
    assert.equal(listed.n, first.jwk.n);
    assert.equal(app.settings.oauthClient.jwks.keys[0].id, listed.id);
    assert.equal(app.settings.oauthClient.jwks.keys[0].status, 'ACTIVE');
    assert.equal((await tokenRequest(clientId, first)).status, 200);

    // Add an EC key through the sub-resource: it shows in the app and authenticates the client.
    const second = clientKey('ES256');
    const added = await expectJson(await s.send('POST', jwksPath(app.id), second.jwk), 201);
    assert.deepEqual(Object.keys(added), ['id', 'kid', 'kty', 'alg', 'use', 'crv', 'x', 'y', 'status', 'created', 'lastUpdated', '_links']);
    assert.equal(added.status, 'ACTIVE');
    assert.equal(added.kid, second.jwk.kid);
    assert.equal(added.crv, 'P-256');
    assert.match(added.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const self = `${s.orgUrl}${jwksPath(app.id)}/${added.id}`;
    assert.deepEqual(added._links, { deactivate: { href: `${self}/lifecycle/deactivate`, hints: { allow: ['POST'] } } });
    assert.deepEqual(await expectJson(await s.api(`${jwksPath(app.id)}/${added.id}`)), added);
    const appView = await expectJson(await s.api(`/api/v1/apps/${app.id}`));
    assert.deepEqual(appView.settings.oauthClient.jwks.keys.map((k: any) => [k.id, k.kid, k.status]),
      [[listed.id, first.jwk.kid, 'ACTIVE'], [added.id, second.jwk.kid, 'ACTIVE']]);
    const token = await tokenRequest(clientId, second);
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal(token.body.token_type, 'Bearer');

    // Deactivated: kept and listed, no longer accepted; the other key still is.
    const inactive = await expectJson(await s.send('POST', `${jwksPath(app.id)}/${added.id}/lifecycle/deactivate`));
    assert.equal(inactive.status, 'INACTIVE');
    assert.deepEqual(inactive._links, {
      activate: { href: `${self}/lifecycle/activate`, hints: { allow: ['POST'] } },
      delete: { href: self, hints: { allow: ['DELETE'] } },
    });
    const refused = await tokenRequest(clientId, second);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'invalid_client');
    assert.equal((await tokenRequest(clientId, first)).status, 200);
    assert.equal((await expectJson(await s.api(`/api/v1/apps/${app.id}`))).settings.oauthClient.jwks.keys[1].status, 'INACTIVE');

    // Activated again: accepted again.
    assert.equal((await expectJson(await s.send('POST', `${jwksPath(app.id)}/${added.id}/lifecycle/activate`))).status, 'ACTIVE');
    assert.equal((await tokenRequest(clientId, second)).status, 200);

    // An ACTIVE key can't be deleted; the only ACTIVE key of a private_key_jwt app can't be deactivated.
    await expectError(await s.send('DELETE', `${jwksPath(app.id)}/${added.id}`), 400, 'E0000001', [
      "You can't delete an active JSON Web Key. Deactivate the key before deleting it.",
    ]);
    await expectJson(await s.send('POST', `${jwksPath(app.id)}/${listed.id}/lifecycle/deactivate`));
    const only = await expectError(await s.send('POST', `${jwksPath(app.id)}/${added.id}/lifecycle/deactivate`), 400, 'E0000001', [
      "Can't deactivate the only active JSON Web Key when the value for `token_endpoint_auth_method` is `private_key_jwt`.",
    ]);
    assert.equal(only.errorSummary, 'Api validation failed: JsonWebKey');
    assert.equal((await tokenRequest(clientId, first)).status, 401);

    // An INACTIVE key is deleted, from both views.
    assert.equal((await s.send('DELETE', `${jwksPath(app.id)}/${listed.id}`)).status, 204);
    await expectError(await s.api(`${jwksPath(app.id)}/${listed.id}`), 404, 'E0000007');
    assert.deepEqual((await expectJson(await s.api(jwksPath(app.id)))).map((k: any) => k.id), [added.id]);
    assert.deepEqual((await expectJson(await s.api(`/api/v1/apps/${app.id}`))).settings.oauthClient.jwks.keys.map((k: any) => k.id), [added.id]);
  });

  it('keeps key ids when the app is replaced with PUT, and validates keys there too', async () => {
    const key = clientKey('RS256');
    const app = await createServiceApp([key.jwk]);
    const added = await expectJson(await s.send('POST', jwksPath(app.id), { ...clientKey('RS256').jwk, status: 'INACTIVE' }), 201);
    assert.equal(added.status, 'INACTIVE');
    const current = await expectJson(await s.api(`/api/v1/apps/${app.id}`));
    const replaced = await expectJson(await s.send('PUT', `/api/v1/apps/${app.id}`, current));
    assert.deepEqual(replaced.settings.oauthClient.jwks.keys, current.settings.oauthClient.jwks.keys);

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const body = structuredClone(current);
    body.settings.oauthClient.jwks.keys.push({ ...privateKey.export({ format: 'jwk' }), kid: 'private' });
    await expectError(await s.send('PUT', `/api/v1/apps/${app.id}`, body), 400, 'E0000001', [/^jwks: Only public keys are allowed/]);
    const inactiveOnly = structuredClone(current);
    inactiveOnly.settings.oauthClient.jwks.keys = inactiveOnly.settings.oauthClient.jwks.keys.map((k: any) => ({ ...k, status: 'INACTIVE' }));
    await expectError(await s.send('PUT', `/api/v1/apps/${app.id}`, inactiveOnly), 400, 'E0000001', [/^jwks: At least one key must be ACTIVE/]);
  });

  it('refuses private, symmetric, short, malformed and duplicate keys with Okta errors', async () => {
    const existing = clientKey('RS256', 'existing-kid');
    const app = await createServiceApp([existing.jwk]);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const publicRsa = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'new-kid' };
    const cases: [unknown, (string | RegExp)[]][] = [
      [{ ...rsa.privateKey.export({ format: 'jwk' }), kid: 'k1' }, [/^Only public keys are allowed: remove the private key members 'd', 'p', 'q', 'dp', 'dq', 'qi'\.$/]],
      [{ ...ec.privateKey.export({ format: 'jwk' }), kid: 'k2' }, ["Only public keys are allowed: remove the private key member 'd'."]],
      [{ kty: 'oct', k: 'c2VjcmV0', kid: 'k3' }, [/private key member 'k'/, "'oct' is not a valid key type. Valid values: RSA, EC"]],
      [{}, ["The 'kty' member is required. Valid values: RSA, EC"]],
      [{ kty: 'RSA', kid: 'k4' }, ["The 'n' member is required for a 'RSA' key.", "The 'e' member is required for a 'RSA' key."]],
      [{ kty: 'RSA', n: 42, e: 'AQAB', kid: 'k5' }, ["The 'n' member must be a base64url string."]],
      [{ ...publicRsa, kid: 'k6', n: 'AAAA' }, [/^RSA key length in the 'jwks' is less than '2,048' bits|is not a valid public key/]],
      [{ ...short.publicKey.export({ format: 'jwk' }), kid: 'k7' }, ["RSA key length in the 'jwks' is less than '2,048' bits for the given key."]],
      [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'k8', crv: 'P-192' }, [/^'P-192' is not a valid curve/]],
      [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'k9', alg: 'ES384' }, ["'ES384' is not a valid algorithm for a 'P-256' key. Use ES256"]],
      [{ ...publicRsa, kid: 'k10', alg: 'HS256' }, [/^'HS256' is not a valid algorithm for an RSA key/]],
      [{ ...publicRsa, kid: 'k11', use: 'enc' }, [/^'enc' is not a valid value for 'use'/]],
      [{ ...publicRsa, kid: 'k12', status: 'REVOKED' }, [/^'REVOKED' is not a valid value for 'status'/]],
      [{ ...publicRsa, kid: 12 }, [/^The 'kid' member must be a non-empty string/]],
      [{ ...publicRsa, kid: 'existing-kid' }, ["All keys in the 'jwks' must have a unique `kid`."]],
      [{ ...publicRsa, kid: undefined }, [/^Each key should have a unique kid when adding multiple keys/]],
    ];
    for (const [body, causes] of cases) {
      const err = await expectError(await s.send('POST', jwksPath(app.id), body), 400, 'E0000001', causes);
      assert.equal(err.errorSummary, 'Api validation failed: JsonWebKey');
    }
    await expectError(await s.api(jwksPath(app.id), { method: 'POST', body: '[1]' }), 400, 'E0000003');
    await expectError(await s.api(jwksPath(app.id), { method: 'POST', body: '{' }), 400, 'E0000003');
    // Nothing was added.
    assert.deepEqual((await expectJson(await s.api(jwksPath(app.id)))).map((k: any) => k.kid), ['existing-kid']);
    // The same public key with a new kid is fine.
    assert.equal((await expectJson(await s.send('POST', jwksPath(app.id), publicRsa), 201)).kid, 'new-kid');
  });

  it('answers unknown apps and keys with 404 E0000007', async () => {
    const app = await createServiceApp([clientKey('RS256').jwk]);
    const key = clientKey('RS256').jwk;
    await expectError(await s.api(jwksPath('0oaNothing')), 404, 'E0000007');
    await expectError(await s.send('POST', jwksPath('0oaNothing'), key), 404, 'E0000007');
    for (const [method, suffix] of [['GET', ''], ['DELETE', ''], ['POST', '/lifecycle/activate'], ['POST', '/lifecycle/deactivate']] as const) {
      await expectError(await s.send(method, `${jwksPath(app.id)}/pksNothing${suffix}`), 404, 'E0000007');
      await expectError(await s.send(method, `${jwksPath('0oaNothing')}/pksNothing${suffix}`), 404, 'E0000007');
    }
  });

  it('serves keys written into an app body without metadata as ACTIVE, with a stable id', async () => {
    // An app stored before keys had ids (an older node, a fixture): the key has no id or status.
    const key = clientKey('RS256');
    const app = await createServiceApp([key.jwk]);
    const stored = await s.container.store.apps.get(app.id);
    const bare = { ...stored!, body: structuredClone(stored!.body) };
    bare.body.settings.oauthClient.jwks = { keys: [key.jwk] };
    await s.container.store.apps.update(bare);
    const first = await expectJson(await s.api(jwksPath(app.id)));
    const second = await expectJson(await s.api(jwksPath(app.id)));
    assert.equal(first[0].status, 'ACTIVE');
    assert.match(first[0].id, /^pks[A-Za-z0-9]{17}$/);
    assert.deepEqual(first, second);
    const deactivated = await s.send('POST', `${jwksPath(app.id)}/${first[0].id}/lifecycle/deactivate`);
    await expectError(deactivated, 400, 'E0000001');
  });

  it('works through @okta/okta-sdk-nodejs', async () => {
    const client = new okta.Client({ orgUrl: s.orgUrl, token: s.token, ...({ testing: { disableHttpsCheck: true } } as object) });
    const app = await createServiceApp([clientKey('RS256').jwk]);
    const jwk = clientKey('RS256').jwk;
    const api = client.applicationSSOPublicKeysApi;
    const added: any = await api.addJwk({ appId: app.id, addJwkRequest: jwk as any });
    assert.equal(added.id.slice(0, 3), 'pks');
    assert.equal(added.status, 'ACTIVE');
    const fetched: any = await api.getJwk({ appId: app.id, keyId: added.id });
    assert.equal(fetched.kid, jwk.kid);
    const off: any = await api.deactivateOAuth2ClientJsonWebKey({ appId: app.id, keyId: added.id });
    assert.equal(off.status, 'INACTIVE');
    await api.deletejwk({ appId: app.id, keyId: added.id });
    await assert.rejects(api.getJwk({ appId: app.id, keyId: added.id }), (err: any) => err.status === 404);
  });

  it('exports keys without their org-specific ids, and an apply of the export changes nothing', async () => {
    const key = clientKey('RS256');
    const app = await createServiceApp([key.jwk]);
    const added = await expectJson(await s.send('POST', jwksPath(app.id), { ...clientKey('ES256').jwk, status: 'INACTIVE' }), 201);
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-jwks-export-'));
    try {
      const path = join(dir, 'org.yaml');
      const exported = await runCli(['export', '-o', path, '--org-url', s.url, '--token', s.token]);
      assert.equal(exported.code, 0, exported.stderr);
      const text = readFileSync(path, 'utf8');
      assert.ok(!text.includes(added.id), 'no key id in the file');
      const entry = parse(text).apps.find((a: any) => a.label === app.label);
      const keys = entry.settings.oauthClient.jwks.keys;
      assert.deepEqual(keys.map((k: any) => [k.kid, k.status, 'id' in k, 'created' in k, 'lastUpdated' in k]), [
        [key.jwk.kid, 'ACTIVE', false, false, false],
        [added.kid, 'INACTIVE', false, false, false],
      ]);
      const applied = await runCli(['apply', '-f', path, '--org-url', s.url, '--token', s.token]);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /No changes\./);
      assert.deepEqual((await expectJson(await s.api(jwksPath(app.id)))).map((k: any) => k.id).slice(1), [added.id]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
