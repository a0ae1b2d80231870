/**
 * The consent grants APIs over real HTTP (User Grants, User Resources, Application Grants): grants a
 * user gave on the consent page, listed (filter, expansion, pagination) and revoked, with Okta's
 * shapes and errors; a revoked grant brings the consent page back. Also through Okta's Node SDK.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import okta from '@okta/okta-sdk-nodejs';
import { flushSystemLog } from '../../src/audit/system-log.js';
import { formFields, responseParams, type Browser } from '../support/browser.js';
import {
  apiApp, apiCall, apiUser, authorizePath, codeFlow, signedInBrowser, type ApiApp,
} from '../support/oidc-admin.js';
import { json, startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let alice: { id: string; login: string };
let bob: { id: string; login: string };
let carol: { id: string; login: string };
let printer: ApiApp;
let firstParty: ApiApp;
let aliceBrowser: Browser;
const scopeIds: Record<string, string> = {};

function request(app: ApiApp, scope: string): string {
  return authorizePath({ client_id: app.clientId, redirect_uri: app.redirectUri, response_type: 'code', scope, state: 'st' });
}

/** Runs /authorize; answers the consent page with Allow when it comes. Returns the scopes it listed. */
async function consentTo(b: Browser, app: ApiApp, scope: string): Promise<string[]> {
  const res = await b.get(request(app, scope));
  if (res.status === 302) return [];
  assert.equal(res.status, 303, await res.text());
  const page = await b.get(res.headers.get('location')!);
  const html = await page.text();
  const listed = [...html.matchAll(/data-scope="([^"]*)"/g)].map((m) => m[1]!);
  const answered = await b.postForm('/login/consent', { ...formFields(html), decision: 'allow' }, { origin: s.orgUrl });
  assert.equal(answered.status, 303);
  assert.ok(responseParams(answered.headers.get('location')!, 'query').code);
  return listed;
}

before(async () => {
  s = await startTestServer();
  alice = await apiUser(s, 'alice@example.com');
  bob = await apiUser(s, 'bob@example.com');
  carol = await apiUser(s, 'carol@example.com');
  const scopes = '/api/v1/authorizationServers/default/scopes';
  for (const [name, consent] of [['photos:read', 'REQUIRED'], ['photos:write', 'FLEXIBLE']]) {
    const scope = await apiCall(s, 'POST', scopes, { name, displayName: `Display ${name}`, description: `About ${name}`, consent }, 201);
    scopeIds[name!] = scope.id;
  }
  printer = await apiApp(s, {
    label: 'Photo Printer', oauthClient: { consent_method: 'REQUIRED', client_uri: 'https://printer.example.com', logo_uri: 'https://printer.example.com/logo.png' },
    assign: [alice.id, bob.id],
  });
  firstParty = await apiApp(s, { label: 'First Party', assign: [alice.id] });
  aliceBrowser = await signedInBrowser(s, alice.login);
  assert.deepEqual(await consentTo(aliceBrowser, printer, 'openid photos:read photos:write'), ['photos:read', 'photos:write']);
  assert.deepEqual(await consentTo(await signedInBrowser(s, bob.login), printer, 'openid photos:read'), ['photos:read']);
  // Alice holds a refresh token for the first-party app, but no grant.
  const tokens = await codeFlow(s, aliceBrowser, firstParty, { scope: 'openid offline_access' });
  assert.ok(tokens.body.refresh_token);
});
after(() => s.close());

const grantsOf = (userId: string, query = '') => apiCall(s, 'GET', `/api/v1/users/${userId}/grants${query}`);

describe('GET /api/v1/users/{userId}/grants', () => {
  it("lists the user's grants as OAuth2ScopeConsentGrant objects", async () => {
    const grants = await grantsOf(alice.id);
    assert.equal(grants.length, 2);
    const read = grants.find((g: any) => g.scopeId === scopeIds['photos:read']);
    assert.ok(read, JSON.stringify(grants));
    assert.match(read.id, /^oag/);
    assert.equal(read.status, 'ACTIVE');
    assert.equal(read.issuer, `${s.orgUrl}/oauth2/default`);
    assert.equal(read.clientId, printer.clientId);
    assert.equal(read.userId, alice.id);
    assert.equal(read.source, 'END_USER');
    assert.deepEqual(read.createdBy, { id: alice.id, type: 'User' });
    assert.match(read.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(read.lastUpdated, /^\d{4}-\d\d-\d\dT/);
    assert.equal(read._embedded, undefined);
    const self = `${s.orgUrl}/api/v1/users/${alice.id}/grants/${read.id}`;
    assert.deepEqual(read._links.self, { href: self, hints: { allow: ['GET', 'DELETE'] } });
    assert.equal(read._links.user.href, `${s.orgUrl}/api/v1/users/${alice.id}`);
    assert.deepEqual(read._links.app, { href: `${s.orgUrl}/api/v1/apps/${printer.id}`, title: 'Photo Printer' });
    assert.equal(read._links.client.href, `${s.orgUrl}/oauth2/v1/clients/${printer.clientId}`);
    assert.equal(read._links.scope.href, `${s.orgUrl}/api/v1/authorizationServers/default/scopes/${scopeIds['photos:read']}`);
    assert.equal(read._links.authorizationServer.href, `${s.orgUrl}/api/v1/authorizationServers/default`);
    assert.deepEqual(await grantsOf(carol.id), []);
    assert.deepEqual((await grantsOf(alice.login)).map((g: any) => g.id), grants.map((g: any) => g.id), 'by login too');
  });

  it('filters by scopeId (the scope id or its name) and expands the scope', async () => {
    const byId = await grantsOf(alice.id, `?scopeId=${scopeIds['photos:write']}`);
    assert.deepEqual(byId.map((g: any) => g.scopeId), [scopeIds['photos:write']]);
    assert.equal((await grantsOf(alice.id, '?scopeId=photos:read')).length, 1);
    assert.deepEqual(await grantsOf(alice.id, '?scopeId=scpNothing'), []);
    const expanded = await grantsOf(alice.id, `?expand=scope&scopeId=${scopeIds['photos:read']}`);
    assert.deepEqual(expanded[0]._embedded.scope, {
      id: scopeIds['photos:read'], name: 'photos:read', displayName: 'Display photos:read', description: 'About photos:read',
    });
  });

  it('paginates with limit and a Link rel="next"', async () => {
    const first = await s.api(`/api/v1/users/${alice.id}/grants?limit=1`);
    assert.equal(first.status, 200);
    const page1 = await json(first);
    assert.equal(page1.length, 1);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    assert.ok(next, first.headers.get('link') ?? '');
    const page2 = await json(await s.api(next!.slice(s.orgUrl.length)));
    assert.equal(page2.length, 1);
    assert.notEqual(page2[0].id, page1[0].id);
    const last = await s.api(`/api/v1/users/${alice.id}/grants?limit=2`);
    assert.ok(!(last.headers.get('link') ?? '').includes('rel="next"'));
  });

  it('answers unknown users and grants with E0000007, and requires the API token', async () => {
    const missing = await s.api('/api/v1/users/00uNoSuchUser/grants');
    assert.equal(missing.status, 404);
    assert.equal((await json(missing)).errorCode, 'E0000007');
    const bobGrant = (await grantsOf(bob.id))[0];
    const other = await s.api(`/api/v1/users/${alice.id}/grants/${bobGrant.id}`);
    assert.equal(other.status, 404, "another user's grant is not found under this user");
    assert.equal((await json(other)).errorSummary, `Not found: Resource not found: ${bobGrant.id} (OAuth2ScopeConsentGrant)`);
    const unauthenticated = await fetch(`${s.orgUrl}/api/v1/users/${alice.id}/grants`);
    assert.equal(unauthenticated.status, 401);
    assert.equal((await json(unauthenticated)).errorCode, 'E0000011');
    const badLimit = await s.api(`/api/v1/users/${alice.id}/grants?limit=abc`);
    assert.equal(badLimit.status, 400);
  });
});

describe('GET /api/v1/users/{userId}/grants/{grantId}', () => {
  it('reads one grant, with expand=scope', async () => {
    const [grant] = await grantsOf(alice.id);
    assert.deepEqual(await apiCall(s, 'GET', `/api/v1/users/${alice.id}/grants/${grant.id}`), grant);
    const expanded = await apiCall(s, 'GET', `/api/v1/users/${alice.id}/grants/${grant.id}?expand=scope`);
    assert.equal(expanded._embedded.scope.id, grant.scopeId);
    assert.equal((await s.api(`/api/v1/users/${alice.id}/grants/oagNope`)).status, 404);
  });
});

describe('GET /api/v1/users/{userId}/clients', () => {
  it('lists the clients the user has grants or refresh tokens for', async () => {
    const clients = await apiCall(s, 'GET', `/api/v1/users/${alice.id}/clients`);
    const byId = new Map(clients.map((c: any) => [c.client_id, c]));
    assert.equal(clients.length, 2, JSON.stringify(clients));
    assert.deepEqual(byId.get(printer.clientId), {
      client_id: printer.clientId,
      client_name: 'Photo Printer',
      client_uri: 'https://printer.example.com',
      logo_uri: 'https://printer.example.com/logo.png',
      _links: {
        self: { href: `${s.orgUrl}/oauth2/v1/clients/${printer.clientId}` },
        grants: { href: `${s.orgUrl}/api/v1/users/${alice.id}/clients/${printer.clientId}/grants` },
        tokens: { href: `${s.orgUrl}/api/v1/users/${alice.id}/clients/${printer.clientId}/tokens` },
      },
    });
    const fp: any = byId.get(firstParty.clientId);
    assert.equal(fp.client_name, 'First Party');
    assert.equal(fp.client_uri, null);
    assert.equal(fp.logo_uri, null);
    assert.deepEqual(await apiCall(s, 'GET', `/api/v1/users/${carol.id}/clients`), []);
    assert.equal((await s.api('/api/v1/users/00uNoSuchUser/clients')).status, 404);
  });

  it("lists one client's grants", async () => {
    const grants = await apiCall(s, 'GET', `/api/v1/users/${alice.id}/clients/${printer.clientId}/grants?expand=scope`);
    assert.deepEqual(grants.map((g: any) => g._embedded.scope.name).sort(), ['photos:read', 'photos:write']);
    assert.deepEqual(await apiCall(s, 'GET', `/api/v1/users/${alice.id}/clients/${firstParty.clientId}/grants`), []);
  });
});

describe('GET /api/v1/apps/{appId}/grants', () => {
  it("lists every user's grants to the app", async () => {
    const grants = await apiCall(s, 'GET', `/api/v1/apps/${printer.id}/grants`);
    assert.deepEqual(grants.map((g: any) => `${g.userId}:${g.scopeId}`).sort(), [
      `${alice.id}:${scopeIds['photos:read']}`, `${alice.id}:${scopeIds['photos:write']}`, `${bob.id}:${scopeIds['photos:read']}`,
    ].sort());
    assert.equal(grants[0]._links.self.href, `${s.orgUrl}/api/v1/apps/${printer.id}/grants/${grants[0].id}`);
    assert.deepEqual(await apiCall(s, 'GET', `/api/v1/apps/${firstParty.id}/grants`), []);
    const missing = await s.api('/api/v1/apps/0oaNoSuchApp/grants');
    assert.equal(missing.status, 404);
    assert.equal((await json(missing)).errorCode, 'E0000007');
  });
});

describe('revoking grants', () => {
  it('DELETE one grant: 204, gone, and the consent page asks for that scope again', async () => {
    const read = (await grantsOf(alice.id, '?scopeId=photos:read'))[0];
    const res = await s.api(`/api/v1/users/${alice.id}/grants/${read.id}`, { method: 'DELETE' });
    assert.equal(res.status, 204);
    assert.equal((await s.api(`/api/v1/users/${alice.id}/grants/${read.id}`)).status, 404);
    assert.equal((await s.api(`/api/v1/users/${alice.id}/grants/${read.id}`, { method: 'DELETE' })).status, 404);
    assert.deepEqual((await grantsOf(alice.id, '?expand=scope')).map((g: any) => g._embedded.scope.name), ['photos:write']);
    assert.deepEqual(await consentTo(aliceBrowser, printer, 'openid photos:read photos:write'), ['photos:read']);
    assert.equal((await grantsOf(alice.id)).length, 2);

    await flushSystemLog(s.container);
    const events = await apiCall(s, 'GET', `/api/v1/logs?filter=${encodeURIComponent('eventType eq "app.oauth2.as.consent.revoke"')}`);
    assert.ok(events.some((e: any) => e.target.some((t: any) => t.id === alice.id)), JSON.stringify(events));
  });

  it("DELETE a client's grants: all of them, and the page lists every scope again", async () => {
    const res = await s.api(`/api/v1/users/${alice.id}/clients/${printer.clientId}/grants`, { method: 'DELETE' });
    assert.equal(res.status, 204);
    assert.deepEqual(await grantsOf(alice.id), []);
    assert.equal((await grantsOf(bob.id)).length, 1, "other users' grants stay");
    assert.deepEqual(await consentTo(aliceBrowser, printer, 'openid photos:read photos:write'), ['photos:read', 'photos:write']);
  });

  it("DELETE an app's grant, and all of a user's grants", async () => {
    const [bobGrant] = await apiCall(s, 'GET', `/api/v1/apps/${printer.id}/grants?expand=scope`).then((gs: any[]) => gs.filter((g) => g.userId === bob.id));
    const { _embedded: _scope, ...plain } = bobGrant;
    assert.deepEqual(await apiCall(s, 'GET', `/api/v1/apps/${printer.id}/grants/${bobGrant.id}`), plain);
    assert.equal((await s.api(`/api/v1/apps/${printer.id}/grants/${bobGrant.id}`, { method: 'DELETE' })).status, 204);
    assert.deepEqual(await grantsOf(bob.id), []);
    assert.equal((await s.api(`/api/v1/apps/${firstParty.id}/grants/${bobGrant.id}`)).status, 404);

    assert.equal((await s.api(`/api/v1/users/${alice.id}/grants`, { method: 'DELETE' })).status, 204);
    assert.deepEqual(await grantsOf(alice.id), []);
    assert.equal((await s.api('/api/v1/users/00uNoSuchUser/grants', { method: 'DELETE' })).status, 404);
  });
});

describe('@okta/okta-sdk-nodejs', () => {
  it('lists, reads and revokes user grants, and lists app grants and user clients', async () => {
    await consentTo(aliceBrowser, printer, 'openid photos:read');
    const client = new okta.Client({ orgUrl: s.orgUrl, token: s.token, ...({ testing: { disableHttpsCheck: true } } as object) });
    const seen: string[] = [];
    for await (const g of await client.userApi.listUserGrants({ userId: alice.id, limit: 1 })) if (g) seen.push(g.id!);
    assert.equal(seen.length, 1);
    const grant = await client.userApi.getUserGrant({ userId: alice.id, grantId: seen[0]!, expand: 'scope' });
    assert.equal(grant.scopeId, scopeIds['photos:read']);
    assert.equal(grant.source, 'END_USER');
    const appGrants: string[] = [];
    for await (const g of await client.applicationApi.listScopeConsentGrants({ appId: printer.id })) if (g) appGrants.push(g.id!);
    assert.deepEqual(appGrants, seen);
    const clients: string[] = [];
    for await (const c of await client.userApi.listUserClients({ userId: alice.id })) if (c) clients.push(c.client_id!);
    assert.ok(clients.includes(printer.clientId));
    await client.userApi.revokeUserGrant({ userId: alice.id, grantId: seen[0]! });
    assert.deepEqual(await grantsOf(alice.id), []);
  });
});
