/**
 * Custom claims of an authorization server in the tokens it mints, over real HTTP, set up through the
 * management API: RESOURCE claims in access tokens and IDENTITY claims in ID tokens on every path
 * (code exchange, refresh, client credentials, implicit / hybrid from /authorize) and in /userinfo;
 * EXPRESSION and GROUPS values, conditions.scopes, INACTIVE claims, alwaysIncludeInToken, failing
 * and null expressions, reserved names, and the parsed-expression cache.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ID_PREFIX, newId } from '../../src/crypto/ids.js';
import { cachedExpressionCount } from '../../src/oauth/claims/custom-claims.js';
import { responseParams, type Browser } from '../support/browser.js';
import {
  apiApp, apiCall, apiGroup, apiUser, authorizePath, claimsOf, codeFlow, signedInBrowser, tokenRequest, userinfo, type ApiApp,
} from '../support/oidc-admin.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let app: ApiApp;
let service: ApiApp;
let user: { id: string; login: string };
let b: Browser;
const claimIds: Record<string, string> = {};
const CLAIMS = '/api/v1/authorizationServers/default/claims';

async function addClaim(body: Record<string, unknown>): Promise<string> {
  const claim = await apiCall(s, 'POST', CLAIMS, { status: 'ACTIVE', conditions: { scopes: [] }, ...body }, 201);
  claimIds[claim.name] = claim.id;
  return claim.id;
}

before(async () => {
  s = await startTestServer();
  user = await apiUser(s, 'grace@example.com', { firstName: 'Grace', lastName: 'Hopper', department: 'Navy', costCenter: 'cc-7' });
  const admins = await apiGroup(s, 'Admins', [user.id]);
  await apiGroup(s, 'Sales-East', [user.id]);
  await apiGroup(s, 'Engineering', [user.id]);
  await apiGroup(s, 'Sales-West');
  app = await apiApp(s, {
    label: 'Claims App',
    grantTypes: ['authorization_code', 'refresh_token', 'implicit'],
    responseTypes: ['code', 'token', 'id_token'],
    assign: [user.id],
  });
  service = await apiApp(s, { label: 'Claims Service', grantTypes: ['client_credentials'], responseTypes: [], redirectUris: [] });
  await apiCall(s, 'POST', '/api/v1/authorizationServers/default/scopes', { name: 'claims:read', consent: 'IMPLICIT' }, 201);

  // RESOURCE (access token)
  await addClaim({ name: 'dept', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'String.toUpperCase(user.department)' });
  await addClaim({ name: 'sales_groups', claimType: 'RESOURCE', valueType: 'GROUPS', value: 'Sales', group_filter_type: 'STARTS_WITH' });
  await addClaim({ name: 'client_label', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'app.label + ":" + app.clientId' });
  await addClaim({ name: 'has_scope', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'Arrays.contains(access.scope, "claims:read")' });
  await addClaim({ name: 'user_mail', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'user.email' });
  await addClaim({ name: 'scoped', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: '"only with claims:read"', conditions: { scopes: ['claims:read'] } });
  await addClaim({ name: 'inactive', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: '"never"', status: 'INACTIVE' });
  await addClaim({ name: 'missing', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'user.noSuchAttribute' });
  await addClaim({ name: 'broken', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'user.department - 1' });
  await addClaim({ name: 'unknown_fn', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'Nope.nothing(user.login)' });
  await addClaim({ name: 'admin', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: `isMemberOfGroup("${admins}") ? "yes" : "no"` });
  // IDENTITY (ID token, userinfo)
  await addClaim({ name: 'full', claimType: 'IDENTITY', valueType: 'EXPRESSION', value: 'user.firstName + " " + user.lastName', alwaysIncludeInToken: true });
  await addClaim({ name: 'groups', claimType: 'IDENTITY', valueType: 'GROUPS', value: '.*', group_filter_type: 'REGEX', alwaysIncludeInToken: true });
  await addClaim({ name: 'cost_center', claimType: 'IDENTITY', valueType: 'EXPRESSION', value: 'user.costCenter', alwaysIncludeInToken: false });
  await addClaim({ name: 'id_scoped', claimType: 'IDENTITY', valueType: 'EXPRESSION', value: '"id scoped"', conditions: { scopes: ['claims:read'] } });
  await addClaim({ name: 'id_inactive', claimType: 'IDENTITY', valueType: 'EXPRESSION', value: '"never"', status: 'INACTIVE' });
  b = await signedInBrowser(s, user.login);
});
after(() => s.close());

describe('authorization code and refresh', () => {
  it('puts RESOURCE claims in the access token and IDENTITY claims in the ID token', async () => {
    const { status, body } = await codeFlow(s, b, app, { scope: 'openid profile email offline_access' });
    assert.equal(status, 200, JSON.stringify(body));
    const at = claimsOf(body.access_token);
    assert.equal(at.dept, 'NAVY');
    assert.deepEqual(at.sales_groups, ['Sales-East']);
    assert.equal(at.client_label, `Claims App:${app.clientId}`);
    assert.equal(at.has_scope, false);
    assert.equal(at.user_mail, user.login);
    assert.equal(at.admin, 'yes');
    for (const absent of ['scoped', 'inactive', 'missing', 'broken', 'unknown_fn', 'full', 'groups']) assert.ok(!(absent in at), `${absent} not in the access token`);

    const id = claimsOf(body.id_token);
    assert.equal(id.full, 'Grace Hopper');
    assert.deepEqual(id.groups, ['Admins', 'Engineering', 'Everyone', 'Sales-East']);
    assert.ok(!('cost_center' in id), 'alwaysIncludeInToken false: not in an ID token issued with an access token');
    for (const absent of ['id_scoped', 'id_inactive', 'dept', 'sales_groups']) assert.ok(!(absent in id), `${absent} not in the ID token`);

    const info = await userinfo(s, body.access_token);
    assert.equal(info.status, 200);
    assert.equal(info.body.cost_center, 'cc-7', 'the claim left out of the ID token is at /userinfo');
    assert.equal(info.body.full, 'Grace Hopper');
    assert.deepEqual(info.body.groups, ['Admins', 'Engineering', 'Everyone', 'Sales-East']);
    assert.ok(!('dept' in info.body) && !('id_scoped' in info.body) && !('id_inactive' in info.body));

    const refreshed = await tokenRequest(s, app, { grant_type: 'refresh_token', refresh_token: body.refresh_token });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const at2 = claimsOf(refreshed.body.access_token);
    assert.equal(at2.dept, 'NAVY');
    assert.deepEqual(at2.sales_groups, ['Sales-East']);
    const id2 = claimsOf(refreshed.body.id_token);
    assert.equal(id2.full, 'Grace Hopper');
    assert.ok(!('cost_center' in id2));
  });

  it('emits a claim with conditions.scopes only when one of its scopes is granted', async () => {
    const { body } = await codeFlow(s, b, app, { scope: 'openid claims:read' });
    const at = claimsOf(body.access_token);
    assert.equal(at.scoped, 'only with claims:read');
    assert.equal(at.has_scope, true);
    assert.equal(claimsOf(body.id_token).id_scoped, 'id scoped');
    assert.equal((await userinfo(s, body.access_token)).body.id_scoped, 'id scoped');
  });

  it('follows claim changes made through the API at once (value, status, reserved names refused)', async () => {
    await apiCall(s, 'PUT', `${CLAIMS}/${claimIds.dept}`, {
      name: 'dept', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: 'String.toLowerCase(user.department)', conditions: { scopes: [] },
    });
    await apiCall(s, 'PUT', `${CLAIMS}/${claimIds.admin}`, {
      name: 'admin', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: '"x"', status: 'INACTIVE', conditions: { scopes: [] },
    });
    const reserved = await s.api(CLAIMS, { method: 'POST', body: JSON.stringify({ name: 'sub', claimType: 'RESOURCE', valueType: 'EXPRESSION', value: '"evil"' }) });
    assert.equal(reserved.status, 400);
    const { body } = await codeFlow(s, b, app);
    const at = claimsOf(body.access_token);
    assert.equal(at.dept, 'navy');
    assert.ok(!('admin' in at));
    assert.equal(at.sub, user.login);
  });

  it('never lets a stored claim override a claim the token sets itself', async () => {
    const c = s.container;
    const now = c.clock.now();
    for (const [name, claimType] of [['sub', 'RESOURCE'], ['iss', 'IDENTITY'], ['email', 'IDENTITY']] as const) {
      await c.store.authServers.createClaim({
        id: newId(ID_PREFIX.claim), authServerId: 'default', name, status: 'ACTIVE', claimType, valueType: 'EXPRESSION',
        value: '"overridden"', conditions: { scopes: [] }, alwaysIncludeInToken: true, system: false, created: now, lastUpdated: now,
      });
    }
    c.cache.invalidateServer('default');
    const { body } = await codeFlow(s, b, app);
    assert.equal(claimsOf(body.access_token).sub, user.login);
    const id = claimsOf(body.id_token);
    assert.equal(id.sub, user.id);
    assert.equal(id.iss, `${s.orgUrl}/oauth2/default`);
    assert.equal(id.email, user.login);
    assert.equal((await userinfo(s, body.access_token)).body.email, user.login);
  });

  it('parses each expression once per claim version, not per request', async () => {
    await codeFlow(s, b, app);
    const before = cachedExpressionCount();
    for (let i = 0; i < 3; i++) await codeFlow(s, b, app, { scope: 'openid claims:read' });
    assert.equal(cachedExpressionCount(), before, 'no new parse for the same claims');
    await apiCall(s, 'PUT', `${CLAIMS}/${claimIds.full}`, {
      name: 'full', claimType: 'IDENTITY', valueType: 'EXPRESSION', value: 'user.lastName + ", " + user.firstName', conditions: { scopes: [] },
    });
    const { body } = await codeFlow(s, b, app);
    assert.equal(claimsOf(body.id_token).full, 'Hopper, Grace');
    assert.equal(cachedExpressionCount(), before + 1, 'the changed claim is parsed again');
  });
});

describe('client credentials', () => {
  it('evaluates RESOURCE claims without a user: app and scope expressions only', async () => {
    const { status, body } = await tokenRequest(s, service, { grant_type: 'client_credentials', scope: 'claims:read' });
    assert.equal(status, 200, JSON.stringify(body));
    const at = claimsOf(body.access_token);
    assert.equal(at.client_label, `Claims Service:${service.clientId}`);
    assert.equal(at.has_scope, true);
    assert.equal(at.scoped, 'only with claims:read');
    for (const absent of ['dept', 'user_mail', 'sales_groups', 'full', 'groups', 'missing']) assert.ok(!(absent in at), `${absent} needs a user`);
    assert.equal(at.sub, service.clientId);
  });
});

describe('implicit and hybrid from /authorize', () => {
  const params = (responseType: string, scope = 'openid profile') => authorizePath({
    client_id: app.clientId, redirect_uri: app.redirectUri, response_type: responseType, scope, state: 'st', nonce: 'n-1',
  });

  it('id_token token: claims in both, the not-always-included one left out of the ID token', async () => {
    const res = await b.get(params('id_token token'));
    assert.equal(res.status, 302, await res.text());
    const p = responseParams(res.headers.get('location')!, 'fragment');
    const at = claimsOf(p.access_token!);
    assert.equal(at.client_label, `Claims App:${app.clientId}`);
    assert.deepEqual(at.sales_groups, ['Sales-East']);
    const id = claimsOf(p.id_token!);
    assert.equal(id.full, 'Hopper, Grace');
    assert.ok(Array.isArray(id.groups));
    assert.ok(!('cost_center' in id));
    assert.equal((await userinfo(s, p.access_token!)).body.cost_center, 'cc-7');
  });

  it('id_token alone (fat): every applicable IDENTITY claim', async () => {
    const res = await b.get(params('id_token', 'openid claims:read'));
    const p = responseParams(res.headers.get('location')!, 'fragment');
    const id = claimsOf(p.id_token!);
    assert.equal(id.cost_center, 'cc-7');
    assert.equal(id.id_scoped, 'id scoped');
    assert.ok(!('id_inactive' in id) && !('dept' in id));
  });

  it('code id_token: the ID token from /authorize has no access token beside it', async () => {
    const res = await b.get(params('code id_token'));
    const p = responseParams(res.headers.get('location')!, 'fragment');
    assert.equal(claimsOf(p.id_token!).cost_center, 'cc-7');
    const exchanged = await tokenRequest(s, app, { grant_type: 'authorization_code', code: p.code!, redirect_uri: app.redirectUri });
    assert.ok(!('cost_center' in claimsOf(exchanged.body.id_token)));
    assert.deepEqual(claimsOf(exchanged.body.access_token).sales_groups, ['Sales-East']);
  });
});

describe('GROUPS claims', () => {
  it('lists at most 100 matching groups', async () => {
    const c = s.container;
    const now = c.clock.now();
    for (let i = 0; i < 105; i++) {
      const id = newId(ID_PREFIX.group);
      await c.store.groups.create({ id, type: 'OKTA_GROUP', name: `Team-${String(i).padStart(3, '0')}`, description: null, created: now, lastUpdated: now, lastMembershipUpdated: now });
      await c.store.groups.addMember(id, user.id, now);
    }
    await addClaim({ name: 'teams', claimType: 'RESOURCE', valueType: 'GROUPS', value: 'Team-', group_filter_type: 'STARTS_WITH' });
    await addClaim({ name: 'no_match', claimType: 'RESOURCE', valueType: 'GROUPS', value: 'Nobody', group_filter_type: 'EQUALS' });
    const { body } = await codeFlow(s, b, app);
    const at = claimsOf(body.access_token);
    assert.equal(at.teams.length, 100);
    assert.equal(at.teams[0], 'Team-000');
    assert.ok(!('no_match' in at), 'no matching group: no claim');
  });
});
