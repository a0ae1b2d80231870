/**
 * User consent over real HTTP, set up through the management API: Okta's truth table of prompt ×
 * the app's consent_method × each scope's consent, the consent page (scopes listed by display name
 * and description, Allow / Deny, anti-CSRF, strict headers), remembered grants, prompt=none and
 * prompt=consent, the client credentials grant, and the org server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { flushSystemLog } from '../../src/audit/system-log.js';
import { Browser, formFields, pageSecurityProblems, responseParams, unescapeHtml } from '../support/browser.js';
import {
  apiApp, apiCall, apiUser, authorizePath, PASSWORD, signedInBrowser, tokenRequest, type ApiApp,
} from '../support/oidc-admin.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DENIED = 'The resource owner or authorization server denied the request.';

let s: TestServer;
let alice: { id: string; login: string };
let bob: { id: string; login: string };
let required: ApiApp;
let service: ApiApp;

before(async () => {
  s = await startTestServer();
  alice = await apiUser(s, 'alice@example.com');
  bob = await apiUser(s, 'bob@example.com');
  const scopes = '/api/v1/authorizationServers/default/scopes';
  await apiCall(s, 'POST', scopes, { name: 'photos:read', displayName: 'Read your photos', description: 'Lets the app list & view <your> photos.', consent: 'REQUIRED' }, 201);
  await apiCall(s, 'POST', scopes, { name: 'photos:write', displayName: 'Upload photos', description: 'Lets the app add photos.', consent: 'FLEXIBLE' }, 201);
  await apiCall(s, 'POST', scopes, { name: 'stats', displayName: 'Statistics', consent: 'IMPLICIT' }, 201);
  const grants = ['authorization_code', 'refresh_token'];
  required = await apiApp(s, { label: 'Photo Printer', grantTypes: grants, oauthClient: { consent_method: 'REQUIRED' }, assign: [alice.id, bob.id] });
  service = await apiApp(s, { label: 'Batch', grantTypes: ['client_credentials'], responseTypes: [], redirectUris: [], oauthClient: { consent_method: 'REQUIRED' } });
});
after(() => s.close());

function request(app: ApiApp, scope: string, extra: Record<string, string> = {}, server = 'default'): string {
  return authorizePath({ client_id: app.clientId, redirect_uri: app.redirectUri, response_type: 'code', scope, state: 'st-1', ...extra }, server);
}

/** The consent page the request leads to (asserting it does). */
async function consentPage(b: Browser, res: Response): Promise<{ res: Response; html: string; fields: Record<string, string> }> {
  assert.equal(res.status, 303, `expected the consent redirect, got ${res.status}: ${res.headers.get('location')}`);
  const location = res.headers.get('location')!;
  assert.ok(location.startsWith('/login/consent?tx='), location);
  const page = await b.get(location);
  const html = await page.text();
  assert.equal(page.status, 200, html);
  return { res: page, html, fields: formFields(html) };
}

/** The scopes a consent page lists, by their data-scope attribute. */
function listed(html: string): string[] {
  return [...html.matchAll(/data-scope="([^"]*)"/g)].map((m) => unescapeHtml(m[1]!));
}

function codeFrom(res: Response): string {
  assert.ok(res.status === 302 || res.status === 303, `expected a redirect to the client, got ${res.status}`);
  const p = responseParams(res.headers.get('location')!, 'query');
  assert.ok(p.code, JSON.stringify(p));
  assert.equal(p.state, 'st-1');
  return p.code;
}

async function answer(b: Browser, fields: Record<string, string>, decision: 'allow' | 'deny'): Promise<Response> {
  return b.postForm('/login/consent', { ...fields, decision }, { origin: s.orgUrl });
}

async function remembered(userId: string, clientId: string): Promise<string[]> {
  return (await s.container.store.consents.list(userId, clientId)).map((g) => g.scope).sort();
}

describe('the truth table', () => {
  let b: Browser;
  before(async () => {
    b = await signedInBrowser(s, bob.login);
  });

  it('no prompt: a REQUIRED app asks for REQUIRED and FLEXIBLE scopes only', async () => {
    const { html } = await consentPage(b, await b.get(request(required, 'openid photos:read photos:write stats')));
    assert.deepEqual(listed(html), ['photos:read', 'photos:write']);
    codeFrom(await b.get(request(required, 'openid profile stats')));
  });

  it('no prompt: a TRUSTED app never asks', async () => {
    const trustedBob = await apiApp(s, { oauthClient: { consent_method: 'TRUSTED' }, assign: [bob.id] });
    codeFrom(await b.get(request(trustedBob, 'openid photos:read photos:write')));
  });

  it('prompt=consent asks for REQUIRED and FLEXIBLE scopes even of a TRUSTED app, never for IMPLICIT ones', async () => {
    const trustedBob = await apiApp(s, { oauthClient: { consent_method: 'TRUSTED' }, assign: [bob.id] });
    const { html } = await consentPage(b, await b.get(request(trustedBob, 'openid photos:read stats', { prompt: 'consent' })));
    assert.deepEqual(listed(html), ['photos:read']);
    codeFrom(await b.get(request(trustedBob, 'openid stats', { prompt: 'consent' })));
    codeFrom(await b.get(request(required, 'openid stats', { prompt: 'consent' })));
  });

  it('prompt=none: consent_required for a REQUIRED app, nothing for a TRUSTED one', async () => {
    const res = await b.get(request(required, 'openid photos:read photos:write', { prompt: 'none' }));
    assert.equal(res.status, 302);
    const p = responseParams(res.headers.get('location')!, 'query');
    assert.equal(p.error, 'consent_required');
    assert.equal(p.error_description, 'The following scopes require user consent: [photos:read, photos:write].');
    assert.equal(p.state, 'st-1');
    assert.equal(p.code, undefined);
    const trustedBob = await apiApp(s, { oauthClient: { consent_method: 'TRUSTED' }, assign: [bob.id] });
    codeFrom(await b.get(request(trustedBob, 'openid photos:read', { prompt: 'none' })));
  });

  it('the org server has only IMPLICIT system scopes: it never asks', async () => {
    codeFrom(await b.get(request(required, 'openid profile email', {}, 'org')));
    codeFrom(await b.get(request(required, 'openid profile', { prompt: 'consent' }, 'org')));
  });
});

describe('the consent page', () => {
  let b: Browser;
  before(async () => {
    b = await signedInBrowser(s, alice.login);
  });

  it('lists display names and descriptions, escaped, with strict headers and an anti-CSRF token', async () => {
    const fresh = await signedInBrowser(s, alice.login);
    fresh.jar.delete('gh_csrf');
    const { res, html, fields } = await consentPage(fresh, await fresh.get(request(required, 'openid photos:read photos:write')));
    assert.deepEqual(pageSecurityProblems(res), []);
    assert.match(res.headers.get('content-security-policy')!, /form-action 'self' https:\/\/app\.example\.com(;|$)/);
    assert.ok(html.includes('Photo Printer'));
    assert.ok(html.includes('alice@example.com'));
    assert.ok(html.includes('Read your photos') && html.includes('Upload photos'));
    assert.ok(html.includes('Lets the app list &amp; view &lt;your&gt; photos.'), 'descriptions are escaped');
    assert.ok(!html.includes('<your>'));
    assert.match(html, /<button type="submit" name="decision" value="allow">/);
    assert.match(html, /<button type="submit" name="decision" value="deny">/);
    assert.ok(fields.csrf && fields.tx);
    assert.equal(fresh.jar.get('gh_csrf'), fields.csrf, 'the token is also a cookie (double submit)');
  });

  it('Deny: access_denied to the client, nothing remembered', async () => {
    const { fields } = await consentPage(b, await b.get(request(required, 'openid photos:read')));
    const res = await answer(b, fields, 'deny');
    assert.equal(res.status, 303);
    const p = responseParams(res.headers.get('location')!, 'query');
    assert.deepEqual([p.error, p.error_description, p.state], ['access_denied', DENIED, 'st-1']);
    assert.equal(p.iss, `${s.orgUrl}/oauth2/default`);
    assert.deepEqual(await remembered(alice.id, required.clientId), []);
  });

  it('Allow: the code for the client, the grants remembered; only scopes still lacking consent are asked next', async () => {
    const { fields } = await consentPage(b, await b.get(request(required, 'openid photos:read stats')));
    const res = await answer(b, fields, 'allow');
    assert.equal(res.status, 303);
    const p = responseParams(res.headers.get('location')!, 'query');
    assert.ok(p.code, JSON.stringify(p));
    const tokens = await tokenRequest(s, required, { grant_type: 'authorization_code', code: p.code!, redirect_uri: required.redirectUri });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(tokens.body.scope, 'openid photos:read stats');
    assert.deepEqual(await remembered(alice.id, required.clientId), ['photos:read']);

    codeFrom(await b.get(request(required, 'openid photos:read')));
    codeFrom(await b.get(request(required, 'openid photos:read', { prompt: 'none' })));
    const { html, fields: more } = await consentPage(b, await b.get(request(required, 'openid photos:read photos:write')));
    assert.deepEqual(listed(html), ['photos:write']);
    codeFrom(await answer(b, more, 'allow'));
    assert.deepEqual(await remembered(alice.id, required.clientId), ['photos:read', 'photos:write']);
    // Remembered per client: the same scopes for another app are asked again.
    const other = await apiApp(s, { oauthClient: { consent_method: 'REQUIRED' }, assign: [alice.id] });
    await consentPage(b, await b.get(request(other, 'openid photos:read')));
  });

  it('prompt=consent asks again for granted scopes', async () => {
    const { html, fields } = await consentPage(b, await b.get(request(required, 'openid photos:read stats', { prompt: 'consent' })));
    assert.deepEqual(listed(html), ['photos:read']);
    codeFrom(await answer(b, fields, 'allow'));
  });

  it('refuses a forged or cross-site answer, and a tampered request', async () => {
    const { fields } = await consentPage(b, await b.get(request(required, 'openid photos:read', { prompt: 'consent' })));
    for (const [form, headers] of [
      [{ ...fields, csrf: 'x'.repeat(43), decision: 'allow' }, { origin: s.orgUrl }],
      [{ tx: fields.tx!, decision: 'allow' }, { origin: s.orgUrl }],
      [{ ...fields, decision: 'allow' }, { origin: 'https://evil.example' }],
    ] as const) {
      const res = await b.postForm('/login/consent', form, headers);
      assert.equal(res.status, 403, JSON.stringify(form));
      assert.equal(res.headers.get('location'), null);
      assert.deepEqual(pageSecurityProblems(res), []);
    }
    const tampered = await answer(b, { ...fields, tx: `${fields.tx!.slice(0, -4)}AAAA` }, 'allow');
    assert.equal(tampered.status, 400);
    assert.equal(tampered.headers.get('location'), null);
    const undecided = await b.postForm('/login/consent', { ...fields, decision: 'maybe' }, { origin: s.orgUrl });
    assert.equal(undecided.status, 400);
    assert.equal((await s.api(`/login/consent?tx=${encodeURIComponent('garbage')}`, { headers: { accept: 'text/html' } })).status, 400);
  });

  it("an answer counts only for the user it was asked of", async () => {
    const { fields } = await consentPage(b, await b.get(request(required, 'openid photos:read', { prompt: 'consent' })));
    const asBob = await signedInBrowser(s, bob.login);
    const before = await remembered(bob.id, required.clientId);
    // Bob's browser posting Alice's page (with his own anti-CSRF token): Bob is asked himself.
    const page = await asBob.get(`/login/consent?tx=${encodeURIComponent(fields.tx!)}`);
    assert.equal(page.status, 303, 'the page is not shown to someone else: back through /authorize');
    const res = await answer(asBob, { ...fields, csrf: asBob.jar.get('gh_csrf') ?? (await primeCsrf(asBob)) }, 'allow');
    assert.equal(res.status, 303);
    assert.ok(res.headers.get('location')!.startsWith('/login/consent?tx='), 'Bob gets his own consent page');
    assert.deepEqual(await remembered(bob.id, required.clientId), before);
  });

  it('sign-in, then consent, then the client (prompt=login too: no loop)', async () => {
    const fresh = new Browser(s.orgUrl);
    const first = await fresh.get(request(required, 'openid photos:read', { prompt: 'login consent' }));
    assert.equal(first.status, 303);
    const signIn = await fresh.get(first.headers.get('location')!);
    const posted = await fresh.postForm('/login/login.htm', { ...formFields(await signIn.text()), username: alice.login, password: PASSWORD });
    assert.equal(posted.status, 303);
    const { fields } = await consentPage(fresh, await fresh.get(posted.headers.get('location')!));
    const res = await answer(fresh, fields, 'allow');
    assert.equal(res.status, 303);
    assert.ok(responseParams(res.headers.get('location')!, 'query').code, res.headers.get('location')!);
  });

  it('records the answer in the System Log', async () => {
    await flushSystemLog(s.container);
    const events = await apiCall(s, 'GET', `/api/v1/logs?filter=${encodeURIComponent('eventType eq "app.oauth2.as.consent.grant"')}`);
    assert.ok(events.some((e: any) => e.actor.id === alice.id && e.outcome.result === 'SUCCESS'));
    assert.ok(events.some((e: any) => e.actor.id === alice.id && e.outcome.result === 'DENY'));
  });
});

async function primeCsrf(b: Browser): Promise<string> {
  await b.get('/login/login.htm');
  return b.jar.get('gh_csrf')!;
}

describe('client credentials', () => {
  it('a REQUIRED scope is an error, a FLEXIBLE one is granted silently', async () => {
    const refused = await tokenRequest(s, service, { grant_type: 'client_credentials', scope: 'photos:read photos:write' });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body, {
      error: 'consent_required',
      error_description: 'The following scopes require user consent and cannot be granted for the client credentials grant type: [photos:read].',
    });
    const granted = await tokenRequest(s, service, { grant_type: 'client_credentials', scope: 'photos:write stats' });
    assert.equal(granted.status, 200, JSON.stringify(granted.body));
    assert.equal(granted.body.scope, 'photos:write stats');
  });
});
