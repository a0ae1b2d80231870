/**
 * /v1/logout over real HTTP: id_token_hint verified with the server's keys (expired accepted, forged
 * refused with an error page), post_logout_redirect_uri matched exactly against the hinted app,
 * `state` appended, the session revoked and its cookie cleared, and the signed-out page otherwise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App, User } from '../../src/domain/model.js';
import { signJwt } from '../../src/keys/jwt.js';
import {
  assignUser, authorizeWithSignIn, Browser, createOidcApp, createUserWithPassword, jwtClaims, pageSecurityProblems, responseParams, setCookies,
} from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'Logout-Passw0rd';
const CB = 'https://rp.example.com/callback';
const BYE = 'https://rp.example.com/signed-out';

let s: TestServer;
let user: User;
let app: App;

before(async () => {
  s = await startTestServer();
  user = await createUserWithPassword(s.container, PASSWORD, { login: 'edsger@example.com' });
  app = await createOidcApp(s.container, { redirectUris: [CB], postLogoutRedirectUris: [BYE, 'https://rp.example.com/bye?lang=en'] });
  await assignUser(s.container, app, user);
});
after(() => s.close());

const issuer = (server: string) => (server === 'org' ? s.orgUrl : `${s.orgUrl}/oauth2/${server}`);
const prefix = (server: string) => (server === 'org' ? '/oauth2/v1' : `/oauth2/${server}/v1`);

/** A signed-in browser and an ID token the server issued to the app. */
async function signIn(server = 'default'): Promise<{ b: Browser; idToken: string }> {
  const b = new Browser(s.orgUrl);
  const res = await authorizeWithSignIn(b, `${prefix(server)}/authorize?${new URLSearchParams({
    client_id: app.clientId, redirect_uri: CB, response_type: 'id_token', scope: 'openid', state: 's', nonce: 'n',
  })}`, user.profile.login, PASSWORD);
  const idToken = responseParams(res.headers.get('location')!, 'fragment').id_token!;
  assert.equal(jwtClaims(idToken).iss, issuer(server));
  return { b, idToken };
}

function logoutPath(params: Record<string, string>, server = 'default'): string {
  return `${prefix(server)}/logout?${new URLSearchParams(params)}`;
}

async function isSignedIn(b: Browser): Promise<boolean> {
  const cookie = b.jar.get('sid');
  if (!cookie) return false;
  return (await fetch(`${s.orgUrl}/api/v1/sessions/me`, { headers: { cookie: `sid=${cookie}` } })).status === 200;
}

describe('/v1/logout', () => {
  for (const server of ['default', 'org']) {
    it(`${server}: redirects to the registered URI with state, ending the session`, async () => {
      const { b, idToken } = await signIn(server);
      const cookie = b.jar.get('sid')!;
      const res = await b.get(logoutPath({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 'bye state' }, server));
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), `${BYE}?state=bye%20state`);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      const cleared = setCookies(res).find((c) => c.name === 'sid')!;
      assert.ok(cleared.attributes.includes('Max-Age=0'));
      const me = await fetch(`${s.orgUrl}/api/v1/sessions/me`, { headers: { cookie: `sid=${cookie}` } });
      assert.equal(me.status, 404);
    });
  }

  it('keeps the query of a registered URI and accepts POST (303)', async () => {
    const { b, idToken } = await signIn();
    const res = await b.postForm('/oauth2/default/v1/logout', { id_token_hint: idToken, post_logout_redirect_uri: 'https://rp.example.com/bye?lang=en', state: 'x' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), 'https://rp.example.com/bye?lang=en&state=x');
    assert.equal(await isSignedIn(b), false);
  });

  it('accepts an expired but genuine ID token', async () => {
    const { b } = await signIn();
    const key = await s.container.keys.activeKey('default');
    const now = Math.floor(Date.now() / 1000);
    const expired = signJwt({ sub: user.id, iss: issuer('default'), aud: app.clientId, iat: now - 7200, exp: now - 3600 }, key.privateKey, key.kid);
    const res = await b.get(logoutPath({ id_token_hint: expired, post_logout_redirect_uri: BYE }));
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), BYE);
    assert.equal(await isSignedIn(b), false);
  });

  it('a post_logout_redirect_uri that is not registered exactly is an error page; nothing changes', async () => {
    const { b, idToken } = await signIn();
    for (const uri of [`${BYE}/`, 'https://rp.example.com/Signed-out', 'https://evil.example/', `${BYE}?x=1`, CB, 'https://rp.example.com/bye']) {
      const res = await b.get(logoutPath({ id_token_hint: idToken, post_logout_redirect_uri: uri }));
      assert.equal(res.status, 400, uri);
      assert.equal(res.headers.get('location'), null);
      assert.deepEqual(pageSecurityProblems(res), []);
      const html = await res.text();
      assert.ok(html.includes('invalid_request'));
      assert.ok(html.includes('The &#39;post_logout_redirect_uri&#39; parameter must be a Logout redirect URI in the client app settings.'));
    }
    assert.equal(await isSignedIn(b), true);
  });

  it('a forged, unsigned or foreign id_token_hint is an error page; nothing changes', async () => {
    const { b, idToken } = await signIn();
    const [h, p] = idToken.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...jwtClaims(idToken), sub: '00uattacker' })).toString('base64url');
    const orgToken = (await signIn('org')).idToken;
    const cases: [string, string][] = [
      [`${h}.${forgedPayload}.${idToken.split('.')[2]}`, 'The id_token_hint signature is invalid.'],
      [`${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`, 'The id_token_hint signature is invalid.'],
      [`${Buffer.from(JSON.stringify({ alg: 'HS256', kid: JSON.parse(Buffer.from(h!, 'base64url').toString()).kid })).toString('base64url')}.${p}.AAAA`,
        'The id_token_hint signature is invalid.'],
      ['not.a.jwt', 'The id_token_hint cannot be parsed.'],
      [orgToken, 'The id_token_hint signature is invalid.'],
    ];
    for (const [hint, description] of cases) {
      const res = await b.get(logoutPath({ id_token_hint: hint, post_logout_redirect_uri: BYE }));
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.deepEqual(pageSecurityProblems(res), []);
      assert.ok((await res.text()).includes(description), description);
    }
    assert.equal(await isSignedIn(b), true);
  });

  it('a token signed by the org server but claiming the custom issuer is refused', async () => {
    const { b } = await signIn();
    const orgKey = await s.container.keys.activeKey('org');
    const now = Math.floor(Date.now() / 1000);
    const mixed = signJwt({ sub: user.id, iss: issuer('default'), aud: app.clientId, iat: now, exp: now + 60 }, orgKey.privateKey, orgKey.kid);
    const res = await b.get(logoutPath({ id_token_hint: mixed, post_logout_redirect_uri: BYE }));
    assert.equal(res.status, 400);
    const wrongIss = signJwt({ sub: user.id, iss: 'https://elsewhere', aud: app.clientId, iat: now, exp: now + 60 }, orgKey.privateKey, orgKey.kid);
    const res2 = await b.get(logoutPath({ id_token_hint: wrongIss, post_logout_redirect_uri: BYE }, 'org'));
    assert.equal(res2.status, 400);
    assert.ok((await res2.text()).includes('The issuer of the id_token_hint is invalid.'));
  });

  it('without post_logout_redirect_uri: the signed-out page, session ended', async () => {
    const { b, idToken } = await signIn();
    const res = await b.get(logoutPath({ id_token_hint: idToken }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('location'), null);
    assert.deepEqual(pageSecurityProblems(res), []);
    assert.ok((await res.text()).includes('You have been signed out'));
    assert.equal(await isSignedIn(b), false);
  });

  it('without id_token_hint: no redirect, even to a registered URI', async () => {
    const { b } = await signIn();
    const res = await b.get(logoutPath({ post_logout_redirect_uri: BYE, state: 'x' }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('location'), null);
    assert.ok((await res.text()).includes('You have been signed out'));
    assert.equal(await isSignedIn(b), false);
  });

  it("a hint naming another user does not end this browser's session", async () => {
    const { b } = await signIn();
    const someone = await createUserWithPassword(s.container, PASSWORD);
    await assignUser(s.container, app, someone);
    const theirs = new Browser(s.orgUrl);
    const res = await authorizeWithSignIn(theirs, `/oauth2/default/v1/authorize?${new URLSearchParams({
      client_id: app.clientId, redirect_uri: CB, response_type: 'id_token', scope: 'openid', state: 's', nonce: 'n',
    })}`, someone.profile.login, PASSWORD);
    const theirToken = responseParams(res.headers.get('location')!, 'fragment').id_token!;
    const out = await b.get(logoutPath({ id_token_hint: theirToken, post_logout_redirect_uri: BYE }));
    assert.equal(out.status, 302);
    assert.equal(await isSignedIn(b), true);
  });

  it('without any session or parameter: still the signed-out page', async () => {
    const res = await fetch(`${s.orgUrl}/oauth2/v1/logout`, { redirect: 'manual' });
    assert.equal(res.status, 200);
    assert.deepEqual(pageSecurityProblems(res), []);
  });

  it('an unknown authorization server or repeated parameters are error pages', async () => {
    const bad = await fetch(`${s.orgUrl}/oauth2/nope/v1/logout`, { redirect: 'manual' });
    assert.equal(bad.status, 400);
    assert.ok((await bad.text()).includes('The authorization server id is invalid.'));
    const dup = await fetch(`${s.orgUrl}/oauth2/v1/logout?state=a&state=b`, { redirect: 'manual' });
    assert.equal(dup.status, 400);
    assert.deepEqual(pageSecurityProblems(dup), []);
  });
});
