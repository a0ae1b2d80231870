/**
 * POST /oauth2/{id}/v1/token with grant_type=client_credentials, and everything the token endpoint
 * checks before any grant runs: parameters, client authentication (secret, private_key_jwt, none),
 * grant-type rules and malformed input.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  addScope, basic, clientKey, createApp, jwtHeader, jwtPayload, postForm, request, startOAuthServer,
  type OAuthTestServer, type TestApp,
} from './fixtures.js';

const INVALID_CLIENT = {
  error: 'invalid_client',
  error_description: 'Client authentication failed. Either the client or the client credentials are invalid.',
};

let s: OAuthTestServer;
let service: TestApp;
let tokenUrl: string;

before(async () => {
  s = await startOAuthServer();
  await addScope(s.container, 'default', 'api:read', { default: true });
  await addScope(s.container, 'default', 'api:write');
  await addScope(s.container, 'default', 'api:admin', { consent: 'REQUIRED' });
  service = await createApp(s.container, { applicationType: 'service', grantTypes: ['client_credentials'] });
  tokenUrl = `${s.orgUrl}/oauth2/default/v1/token`;
});
after(() => s.close());

describe('client_credentials', () => {
  it('issues an access token with Basic authentication', async () => {
    const res = await postForm(tokenUrl, { grant_type: 'client_credentials', scope: 'api:read api:write' }, { authorization: basic(service.clientId, service.secret) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('pragma'), 'no-cache');
    assert.deepEqual(Object.keys(res.body), ['token_type', 'expires_in', 'access_token', 'scope']);
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 3600);
    assert.equal(res.body.scope, 'api:read api:write');
    const claims = jwtPayload(res.body.access_token);
    assert.equal(claims.sub, service.clientId);
    assert.equal(claims.cid, service.clientId);
    assert.equal(claims.uid, undefined);
    assert.deepEqual(claims.scp, ['api:read', 'api:write']);
    assert.equal(claims.iss, `${s.orgUrl}/oauth2/default`);
    assert.equal(claims.aud, 'api://default');
    assert.equal(claims.ver, 1);
    assert.match(claims.jti, /^AT\./);
    assert.equal(claims.exp - claims.iat, 3600);
    const header = jwtHeader(res.body.access_token);
    assert.equal(header.alg, 'RS256');
    assert.equal(typeof header.kid, 'string');
  });

  it('accepts client_secret_post for a client_secret_basic app', async () => {
    const res = await postForm(tokenUrl, { grant_type: 'client_credentials', client_id: service.clientId, client_secret: service.secret!, scope: 'api:read' });
    assert.equal(res.status, 200);
  });

  it('accepts form-encoded Basic credentials (RFC 6749 §2.3.1)', async () => {
    const res = await postForm(tokenUrl, { grant_type: 'client_credentials' }, {
      authorization: basic(encodeURIComponent(service.clientId), encodeURIComponent(service.secret!)),
    });
    assert.equal(res.status, 200);
  });

  it('uses the default scopes when none are requested', async () => {
    const res = await postForm(tokenUrl, { grant_type: 'client_credentials' }, { authorization: basic(service.clientId, service.secret) });
    assert.equal(res.status, 200);
    assert.equal(res.body.scope, 'api:read');
  });

  it('is rejected on the org server', async () => {
    const res = await postForm(`${s.orgUrl}/oauth2/v1/token`, { grant_type: 'client_credentials', scope: 'api:read' }, { authorization: basic(service.clientId, service.secret) });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'unsupported_grant_type', error_description: "'client_credentials' grant type can only be used with a custom authorization server." });
  });

  it('rejects openid and other OIDC scopes', async () => {
    for (const scope of ['openid', 'api:read openid', 'profile']) {
      const res = await postForm(tokenUrl, { grant_type: 'client_credentials', scope }, { authorization: basic(service.clientId, service.secret) });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, { error: 'invalid_scope', error_description: "Cannot request 'openid' scopes using client credentials." });
    }
  });

  it('rejects unknown scopes and malformed scope strings', async () => {
    let res = await postForm(tokenUrl, { grant_type: 'client_credentials', scope: 'api:read nope' }, { authorization: basic(service.clientId, service.secret) });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_scope', error_description: 'One or more scopes are not configured for the authorization server resource.' });
    res = await postForm(tokenUrl, { grant_type: 'client_credentials', scope: 'api:read "quoted"' }, { authorization: basic(service.clientId, service.secret) });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_scope');
  });

  it('rejects scopes that require consent', async () => {
    const res = await postForm(tokenUrl, { grant_type: 'client_credentials', scope: 'api:admin' }, { authorization: basic(service.clientId, service.secret) });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      error: 'consent_required',
      error_description: 'The following scopes require user consent and cannot be granted for the client credentials grant type: [api:admin].',
    });
  });

  it('requires the app to allow the grant type', async () => {
    const web = await createApp(s.container, { grantTypes: ['authorization_code', 'refresh_token'] });
    const res = await postForm(tokenUrl, { grant_type: 'client_credentials', scope: 'api:read' }, { authorization: basic(web.clientId, web.secret) });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      error: 'unauthorized_client',
      error_description: 'The client is not authorized to use the provided grant type. Configured grant types: [authorization_code, refresh_token].',
    });
  });

  it('fails with no_matching_policy (401) when no rule allows it', async () => {
    const c = s.container;
    const [policy] = await c.store.authServers.listPolicies('default');
    const [rule] = await c.store.authServers.listRules('default', policy!.id);
    const include = rule!.conditions.grantTypes.include;
    await c.store.authServers.updateRule({ ...rule!, conditions: { ...rule!.conditions, grantTypes: { include: include.filter((g) => g !== 'client_credentials') } } });
    c.cache.invalidateServer('default');
    try {
      const res = await postForm(tokenUrl, { grant_type: 'client_credentials', scope: 'api:read' }, { authorization: basic(service.clientId, service.secret) });
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, { error: 'access_denied', error_description: 'Policy evaluation failed for this request, please check the policy configurations.' });
    } finally {
      await c.store.authServers.updateRule(rule!);
      c.cache.invalidateServer('default');
    }
  });

  it('does no database reads or writes once warm (but for the System Log\'s batched append)', async () => {
    const c = s.container;
    await postForm(tokenUrl, { grant_type: 'client_credentials' }, { authorization: basic(service.clientId, service.secret) });
    const calls: string[] = [];
    const spied: Array<() => void> = [];
    for (const [repoName, repo] of Object.entries(c.store)) {
      if (typeof repo !== 'object' || repo === null) continue;
      for (const [name, fn] of Object.entries(repo)) {
        if (typeof fn !== 'function') continue;
        const r = repo as Record<string, unknown>;
        r[name] = (...args: unknown[]) => { calls.push(`${repoName}.${name}`); return (fn as (...a: unknown[]) => unknown).apply(repo, args); };
        spied.push(() => { r[name] = fn; });
      }
    }
    try {
      const res = await postForm(tokenUrl, { grant_type: 'client_credentials' }, { authorization: basic(service.clientId, service.secret) });
      assert.equal(res.status, 200);
    } finally {
      for (const undo of spied) undo();
    }
    // The grant's System Log events are queued and written after the response, in batches.
    assert.deepEqual(calls.filter((call) => call !== 'systemLog.append'), []);
  });
});

describe('token endpoint: parameters and grant types', () => {
  const auth = () => ({ authorization: basic(service.clientId, service.secret) });

  it('requires grant_type', async () => {
    const res = await postForm(tokenUrl, { scope: 'api:read' }, auth());
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      error: 'invalid_request',
      error_description: "The token request must specify a 'grant_type'. Valid values: [authorization_code, refresh_token, client_credentials]",
    });
  });

  it('rejects an unknown grant_type', async () => {
    const res = await postForm(tokenUrl, { grant_type: 'password', username: 'a', password: 'b' }, auth());
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      error: 'unsupported_grant_type',
      error_description: 'The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].',
    });
  });

  it('rejects repeated parameters', async () => {
    const res = await postForm(tokenUrl, { grant_type: 'client_credentials', scope: ['api:read', 'api:write'] }, auth());
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'Duplicate parameter provided in request. Duplicated parameters: [scope].' });
    const twice = await postForm(tokenUrl, { grant_type: ['client_credentials', 'client_credentials'] }, auth());
    assert.equal(twice.status, 400);
    assert.equal(twice.body.error, 'invalid_request');
  });

  it('ignores unknown parameters', async () => {
    const res = await postForm(tokenUrl, { grant_type: 'client_credentials', foo: ['1', '2'], code: 'x' }, auth());
    assert.equal(res.status, 200);
  });

  it('answers malformed bodies with OAuth errors, never a 500', async () => {
    const cases: RequestInit[] = [
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials' }) },
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' },
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' },
      { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'grant_type=client_credentials' },
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' },
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '%%%&&&==' },
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&scope=${'a'.repeat(60000)}` },
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=${'x'.repeat(200000)}` },
      { method: 'POST' },
    ];
    for (const init of cases) {
      const res = await request(tokenUrl, { ...init, headers: { ...(init.headers as Record<string, string>), ...auth() } });
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${JSON.stringify(init).slice(0, 80)}`);
      assert.equal(typeof res.body.error, 'string');
      assert.equal(typeof res.body.error_description, 'string');
    }
  });

  it('rejects a GET with 405, naming POST', async () => {
    const res = await request(`${tokenUrl}?grant_type=client_credentials`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST, OPTIONS');
    assert.equal(res.body.access_token, undefined);
  });

  it('rejects client credentials in the query string', async () => {
    const res = await postForm(`${tokenUrl}?client_secret=${service.secret}`, { grant_type: 'client_credentials', client_id: service.clientId });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'Client credentials cannot be supplied via query parameters.' });
  });

  it('answers an unknown or inactive server id with invalid_request', async () => {
    const res = await postForm(`${s.orgUrl}/oauth2/nope/v1/token`, { grant_type: 'client_credentials' }, auth());
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'The authorization server id is invalid.' });
    const org = await postForm(`${s.orgUrl}/oauth2/org/v1/token`, { grant_type: 'client_credentials' }, auth());
    assert.equal(org.status, 400);
    assert.deepEqual(org.body, res.body);
  });

  it('answers the CORS preflight', async () => {
    const res = await request(tokenUrl, { method: 'OPTIONS', headers: { origin: 'https://spa.example.com', 'access-control-request-method': 'POST' } });
    assert.equal(res.status, 204);
  });
});

describe('client authentication', () => {
  const cc = { grant_type: 'client_credentials' };

  it('rejects a wrong secret with 401 and a Basic challenge', async () => {
    const res = await postForm(tokenUrl, cc, { authorization: basic(service.clientId, 'wrong-secret') });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, INVALID_CLIENT);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /);
  });

  it('rejects a wrong secret in the body without a Basic challenge', async () => {
    const res = await postForm(tokenUrl, { ...cc, client_id: service.clientId, client_secret: 'wrong' });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, INVALID_CLIENT);
    assert.equal(res.headers.get('www-authenticate'), null);
  });

  it('rejects an unknown client, a missing client and a missing secret', async () => {
    for (const [params, headers] of [
      [cc, { authorization: basic('0oaUnknownClient000', 'secret') }],
      [{ ...cc, client_id: '0oaUnknownClient000', client_secret: 'x' }, {}],
      [cc, {}],
      [{ ...cc, client_id: service.clientId }, {}],
      [{ ...cc, client_id: service.clientId, client_secret: '' }, {}],
      [cc, { authorization: 'Basic !!!notbase64' }],
      [cc, { authorization: 'Basic ' }],
      [cc, { authorization: basic(service.clientId) }],
    ] as const) {
      const res = await postForm(tokenUrl, params, headers);
      assert.equal(res.status, 401, JSON.stringify(params));
      assert.deepEqual(res.body, INVALID_CLIENT);
    }
  });

  it('rejects a client_id in the body that differs from the Basic one', async () => {
    const other = await createApp(s.container, { applicationType: 'service', grantTypes: ['client_credentials'] });
    const res = await postForm(tokenUrl, { ...cc, client_id: other.clientId }, { authorization: basic(service.clientId, service.secret) });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, INVALID_CLIENT);
  });

  it('rejects two kinds of credentials at once', async () => {
    const res = await postForm(tokenUrl, { ...cc, client_secret: service.secret! }, { authorization: basic(service.clientId, service.secret) });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_request');
  });

  it('rejects an inactive app', async () => {
    const inactive = await createApp(s.container, { applicationType: 'service', grantTypes: ['client_credentials'], status: 'INACTIVE' });
    const res = await postForm(tokenUrl, cc, { authorization: basic(inactive.clientId, inactive.secret) });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, INVALID_CLIENT);
  });

  it('rejects a public client sending a secret, and a confidential client sending none', async () => {
    const spa = await createApp(s.container, { method: 'none', grantTypes: ['authorization_code'] });
    let res = await postForm(tokenUrl, { ...cc, client_id: spa.clientId, client_secret: 'anything' });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, INVALID_CLIENT);
    res = await postForm(tokenUrl, { ...cc, client_id: service.clientId });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, INVALID_CLIENT);
  });

  it('accepts a rotated-in second secret', async () => {
    const c = s.container;
    const app = await createApp(c, { applicationType: 'service', grantTypes: ['client_credentials'] });
    const { sha256 } = await import('../../src/crypto/ids.js');
    const second = 'second-secret-value-0123456789';
    await c.store.apps.createSecret({
      id: `ocs${randomUUID().replace(/-/g, '').slice(0, 17)}`, appId: app.app.id, secretSealed: c.box.seal(second), secretHash: sha256(second),
      status: 'ACTIVE', created: c.clock.now(), lastUpdated: c.clock.now(),
    });
    c.cache.invalidateClient(app.clientId);
    for (const secret of [app.secret!, second]) {
      const res = await postForm(tokenUrl, cc, { authorization: basic(app.clientId, secret) });
      assert.equal(res.status, 200);
    }
  });
});

describe('private_key_jwt', () => {
  const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
  let rsa: ReturnType<typeof clientKey>;
  let ec: ReturnType<typeof clientKey>;
  let app: TestApp;

  before(async () => {
    rsa = clientKey('RS256');
    ec = clientKey('ES256');
    app = await createApp(s.container, {
      method: 'private_key_jwt', applicationType: 'service', grantTypes: ['client_credentials'], jwks: { keys: [rsa.jwk, ec.jwk] },
    });
  });

  const claims = (over: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: app.clientId, sub: app.clientId, aud: tokenUrl, iat: now, exp: now + 300, jti: randomUUID(), ...over };
  };
  const post = (assertion: string, extra: Record<string, string> = {}) =>
    postForm(tokenUrl, { grant_type: 'client_credentials', client_assertion_type: assertionType, client_assertion: assertion, ...extra });

  it('accepts RS256 and ES256 assertions', async () => {
    for (const key of [rsa, ec]) {
      const res = await post(key.assertion(claims()));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(jwtPayload(res.body.access_token).sub, app.clientId);
    }
  });

  it('accepts RS384, RS512, ES384 and ES512 assertions from keys registered for them, and refuses a mismatched one', async () => {
    const keys = (['RS384', 'RS512', 'ES384', 'ES512'] as const).map((alg) => clientKey(alg));
    const other = await createApp(s.container, {
      method: 'private_key_jwt', applicationType: 'service', grantTypes: ['client_credentials'], jwks: { keys: keys.map((k) => k.jwk) },
    });
    const now = Math.floor(Date.now() / 1000);
    const mine = () => ({ iss: other.clientId, sub: other.clientId, aud: tokenUrl, iat: now, exp: now + 300, jti: randomUUID() });
    for (const key of keys) {
      const res = await post(key.assertion(mine()));
      assert.equal(res.status, 200, `${String(key.jwk.alg)}: ${JSON.stringify(res.body)}`);
      assert.equal(jwtPayload(res.body.access_token).sub, other.clientId);
    }
    // An RS384 key does not verify an assertion that claims RS512 (and signs with SHA-512).
    const rs384 = keys[0]!;
    const res = await post(rs384.assertion(mine(), { alg: 'RS512' }));
    assert.equal(res.status, 401, JSON.stringify(res.body));
  });

  it('accepts the issuer as audience, and a matching client_id parameter', async () => {
    const res = await post(rsa.assertion(claims({ aud: `${s.orgUrl}/oauth2/default` })), { client_id: app.clientId });
    assert.equal(res.status, 200);
  });

  it('rejects a replayed assertion', async () => {
    const assertion = rsa.assertion(claims());
    assert.equal((await post(assertion)).status, 200);
    const res = await post(assertion);
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { error: 'invalid_client', error_description: 'The client_assertion token has already been used.' });
  });

  it('accepts a replayed assertion at most once when sent concurrently', async () => {
    const assertion = rsa.assertion(claims());
    const results = await Promise.all(Array.from({ length: 5 }, () => post(assertion)));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
  });

  it('rejects bad assertions', async () => {
    const stranger = clientKey('RS256', rsa.jwk.kid as string);
    const cases: Array<[string, string]> = [
      [rsa.assertion(claims({ aud: 'https://elsewhere.example.com/token' })), 'The audience claim for client_assertion must be the endpoint invoked for the request.'],
      [rsa.assertion(claims({ exp: Math.floor(Date.now() / 1000) - 120 })), 'The client_assertion token is expired.'],
      [rsa.assertion(claims({ exp: undefined })), "The client_assertion must contain the 'exp' claim as seconds since epoch."],
      [rsa.assertion(claims({ exp: Math.floor(Date.now() / 1000) + 86400 })), 'The client_assertion token has an expiration too far into the future.'],
      [rsa.assertion(claims({ iat: Math.floor(Date.now() / 1000) + 3000 })), 'The client_assertion token must be issued before the current time.'],
      [rsa.assertion(claims({ sub: 'someone-else' })), 'The subject claim for client_assertion is not a valid client_id.'],
      [rsa.assertion(claims({ iss: '0oaNoSuchClient', sub: '0oaNoSuchClient' })), 'The issuer claim for client_assertion is not a valid client_id.'],
      [rsa.assertion(claims({ jti: undefined })), 'The parsing of the client_assertion failed.'],
      [stranger.assertion(claims()), 'The client_assertion signature is invalid.'],
      [stranger.assertion(claims(), { kid: 'unknown-kid' }), 'The client_assertion JWT kid is invalid.'],
      [stranger.assertion(claims(), { jku: 'https://attacker.example.com/jwks', kid: 'attacker' }), 'The client_assertion JWT kid is invalid.'],
      [rsa.assertion(claims(), { alg: 'HS256' }), 'The client_assertion JWT signature algorithm is invalid.'],
      [rsa.assertion(claims(), { alg: 'none' }), 'The client_assertion JWT signature algorithm is invalid.'],
      [rsa.assertion(claims(), { alg: 'ES256' }), 'The client_assertion JWT signature algorithm is invalid.'],
      ['not.a.jwt', 'The parsing of the client_assertion failed.'],
      ['garbage', 'The parsing of the client_assertion failed.'],
    ];
    for (const [assertion, description] of cases) {
      const res = await post(assertion);
      assert.equal(res.status, 401, description);
      assert.deepEqual(res.body, { error: 'invalid_client', error_description: description });
    }
  });

  it('rejects an unsigned (alg none) token with the signature stripped', async () => {
    const h = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const p = Buffer.from(JSON.stringify(claims())).toString('base64url');
    const res = await post(`${h}.${p}.`);
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
  });

  it('rejects a wrong client_assertion_type and an assertion for another client_id', async () => {
    let res = await postForm(tokenUrl, { grant_type: 'client_credentials', client_assertion_type: 'urn:other', client_assertion: rsa.assertion(claims()) });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'The client_assertion_type is invalid.' });
    res = await post(rsa.assertion(claims()), { client_id: service.clientId });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, INVALID_CLIENT);
  });

  it('rejects a secret from a private_key_jwt app, and an assertion from a secret app', async () => {
    let res = await postForm(tokenUrl, { grant_type: 'client_credentials', client_id: app.clientId, client_secret: 'whatever' });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, INVALID_CLIENT);
    const assertion = rsa.assertion(claims({ iss: service.clientId, sub: service.clientId }));
    res = await post(assertion);
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
  });
});
