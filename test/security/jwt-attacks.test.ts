/**
 * JWT attacks (RFC 8725 §2.1, §3.1, §3.10; ASVS 9.1.2, 9.1.3) on every JWT Gatehouse accepts:
 * id_token_hint at /authorize and /logout, access tokens at userinfo, introspection and revocation,
 * and private_key_jwt client assertions at the token endpoint. Each is tried with `alg: none`,
 * HS256 keyed with the server's (or client's) public key, a stripped or foreign signature, a
 * tampered payload, hostile `kid` values, and `jku` / `x5u` / `jwk` headers pointing at a key the
 * attacker controls; the jku/x5u host counts requests, and must see none. Client assertions are also
 * replayed, expired, given a wrong `aud` and too long a life.
 */
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/domain/model.js';
import { Browser, pageSecurityProblems } from '../support/browser.js';
import { freePort } from '../support/server.js';
import { clientKey, jwtHeader, jwtPayload } from '../oauth/fixtures.js';
import {
  authorizePath, codeFlowTokens, codeRequest, newApp, newUser, pkce, postForm, signedInBrowser, startSecurityServer, tokenUrl, userinfo,
  type SecurityServer, type TestApp,
} from './support.js';

let s: SecurityServer;
let web: TestApp;
let jwtApp: TestApp;
let user: User;
let b: Browser;
let tokens: Record<string, any>;
let serverPublicPem: string;
let serverJwkJson: string;
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attackerJwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid: 'attacker', alg: 'RS256', use: 'sig' };
const clientSigner = clientKey('RS256', 'client-key-1');
let jwksHost: Server;
let jwksHits = 0;
let jwksUrl: string;

before(async () => {
  const port = await freePort();
  jwksHost = createServer((_req, res) => {
    jwksHits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [attackerJwk] }));
  });
  await new Promise<void>((resolve) => jwksHost.listen(port, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${port}/jwks.json`;

  s = await startSecurityServer();
  web = await newApp(s, { postLogoutRedirectUris: ['https://app.example.com/bye'] });
  jwtApp = await newApp(s, { method: 'private_key_jwt', jwks: { keys: [clientSigner.jwk] } });
  user = await newUser(s, [web, jwtApp]);
  b = await signedInBrowser(s, web, user);
  tokens = await codeFlowTokens(s, b, web);
  const keys = await (await fetch(`${s.url}/oauth2/default/v1/keys`)).json() as { keys: Record<string, unknown>[] };
  const jwk = keys.keys.find((k) => k.kid === jwtHeader(tokens.access_token).kid)!;
  serverJwkJson = JSON.stringify(jwk);
  serverPublicPem = createPublicKey({ key: jwk as any, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
});
after(async () => {
  await s.close();
  await new Promise((resolve) => jwksHost.close(resolve));
  assert.equal(jwksHits, 0, 'Gatehouse fetched a key from a URL named in a token header');
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function rs256(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function hs256(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string): string {
  const input = `${b64({ ...header, alg: 'HS256' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Forgeries of a genuine JWT, each with a name. `edit` changes the payload (privilege escalation). */
function forgeries(genuine: string, edit: (p: Record<string, any>) => Record<string, any>): [string, string][] {
  const [h, p, sig] = genuine.split('.') as [string, string, string];
  const header = jwtHeader(genuine);
  const payload = edit(jwtPayload(genuine));
  const noneHeader = { ...header, alg: 'none' };
  return [
    ['alg none, empty signature', `${b64(noneHeader)}.${b64(payload)}.`],
    ['alg none, no signature part', `${b64(noneHeader)}.${b64(payload)}`],
    ['alg None (case)', `${b64({ ...header, alg: 'None' })}.${b64(payload)}.`],
    ['alg none, original signature kept', `${b64(noneHeader)}.${p}.${sig}`],
    ['HS256 keyed with the public PEM', hs256(header, payload, serverPublicPem)],
    ['HS256 keyed with the public JWK', hs256(header, payload, serverJwkJson)],
    ['stripped signature', `${h}.${p}.`],
    ['tampered payload, original signature', `${h}.${b64(payload)}.${sig}`],
    ['signed by an attacker key under our kid', rs256(header, payload, attacker.privateKey)],
    ['attacker key named by jku', rs256({ alg: 'RS256', kid: 'attacker', jku: jwksUrl }, payload, attacker.privateKey)],
    ['attacker key named by x5u', rs256({ alg: 'RS256', kid: 'attacker', x5u: jwksUrl }, payload, attacker.privateKey)],
    ['attacker key embedded as jwk', rs256({ alg: 'RS256', jwk: attackerJwk }, payload, attacker.privateKey)],
    ['attacker key, our kid and jku', rs256({ ...header, jku: jwksUrl }, payload, attacker.privateKey)],
    ['kid path traversal', rs256({ alg: 'RS256', kid: '../../../../dev/null' }, payload, attacker.privateKey)],
    ['kid SQL injection', rs256({ alg: 'RS256', kid: "' OR 1=1 --" }, payload, attacker.privateKey)],
    ['kid as an object', rs256({ alg: 'RS256', kid: { $ne: null } }, payload, attacker.privateKey)],
    ['no kid', rs256({ alg: 'RS256' }, payload, attacker.privateKey)],
    ['crit header', `${b64({ ...header, crit: ['exp'] })}.${p}.${sig}`],
    ['garbage', 'not.a.jwt'],
    ['four parts', `${genuine}.x`],
  ];
}

describe('access tokens at userinfo, introspection and revocation', () => {
  const escalate = (p: Record<string, any>) => ({ ...p, scp: [...p.scp, 'admin'], exp: p.exp + 86400 });

  it('the genuine token works (control)', async () => {
    assert.equal((await userinfo(s, tokens.access_token)).status, 200);
  });

  it('every forgery is 401 invalid_token at userinfo', async () => {
    for (const [name, forged] of forgeries(tokens.access_token, escalate)) {
      const res = await userinfo(s, forged);
      assert.equal(res.status, 401, name);
      assert.match(res.headers.get('www-authenticate') ?? '', /invalid_token/, name);
    }
  });

  it('every forgery is inactive at introspection', async () => {
    for (const [name, forged] of forgeries(tokens.access_token, escalate)) {
      const res = await postForm(`${s.url}/oauth2/default/v1/introspect`, { token: forged, token_type_hint: 'access_token' },
        { authorization: `Basic ${Buffer.from(`${web.clientId}:${web.secret}`).toString('base64')}` });
      assert.equal(res.status, 200, name);
      assert.deepEqual(res.body, { active: false }, name);
    }
  });

  it('revoking a forgery revokes nothing', async () => {
    // Same jti, same grant: only the signature decides.
    for (const [, forged] of forgeries(tokens.access_token, (p) => ({ ...p, exp: p.exp + 1 }))) {
      await postForm(`${s.url}/oauth2/default/v1/revoke`, { token: forged },
        { authorization: `Basic ${Buffer.from(`${web.clientId}:${web.secret}`).toString('base64')}` });
    }
    assert.equal((await userinfo(s, tokens.access_token)).status, 200);
  });

  it("an org-server token is not accepted by a custom server (and the reverse)", async () => {
    const orgTokens = await codeFlowTokens(s, b, web, 'org');
    assert.equal((await userinfo(s, orgTokens.access_token, 'default')).status, 401);
    assert.equal((await userinfo(s, tokens.access_token, 'org')).status, 401);
  });

  it('an ID token is not an access token', async () => {
    assert.equal((await userinfo(s, tokens.id_token)).status, 401);
  });
});

describe('id_token_hint at /authorize and /logout', () => {
  const otherUser = (p: Record<string, any>) => ({ ...p, sub: '00uSomeoneElse00000000' });

  it('/authorize: every forgery is refused (no code issued)', async () => {
    for (const [name, forged] of forgeries(tokens.id_token, otherUser)) {
      const res = await b.get(authorizePath(codeRequest(web, { prompt: 'none', id_token_hint: forged })));
      const location = res.headers.get('location') ?? '';
      assert.ok(!location.includes('code='), `${name}: ${location}`);
    }
  });

  it('/logout: every forgery is an error page; the session and the redirect are untouched', async () => {
    for (const [name, forged] of forgeries(tokens.id_token, otherUser)) {
      const res = await b.get(`/oauth2/default/v1/logout?${new URLSearchParams({ id_token_hint: forged, post_logout_redirect_uri: 'https://app.example.com/bye' })}`);
      assert.equal(res.headers.get('location'), null, name);
      assert.equal(res.status, 400, name);
      assert.deepEqual(pageSecurityProblems(res), [], name);
    }
    const still = await b.get(authorizePath(codeRequest(web, { prompt: 'none' })));
    assert.ok(still.headers.get('location')!.includes('code='), 'the session survived');
  });
});

describe('private_key_jwt client assertions (RFC 7523; FAPI 2 negative modules)', () => {
  const now = () => Math.floor(s.clock.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: jwtApp.clientId, sub: jwtApp.clientId, aud: tokenUrl(s), iat: now(), exp: now() + 60, jti: randomUUID(), ...extra,
  });

  async function refreshWith(assertion: string): Promise<{ status: number; body: any }> {
    const code = await codeFlowTokensWithAssertion();
    return postForm(tokenUrl(s), {
      grant_type: 'refresh_token', refresh_token: code.refresh_token,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    });
  }

  let cached: Record<string, any> | undefined;
  async function codeFlowTokensWithAssertion(): Promise<Record<string, any>> {
    if (cached) return cached;
    const pair = pkce();
    const res = await b.get(authorizePath(codeRequest(jwtApp, { code_challenge: pair.challenge, code_challenge_method: 'S256' })));
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const token = await postForm(tokenUrl(s), {
      grant_type: 'authorization_code', code, redirect_uri: jwtApp.redirectUri, code_verifier: pair.verifier,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientSigner.assertion(claims()),
    });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    cached = token.body as Record<string, any>;
    return token.body;
  }

  it('a genuine assertion works (control), once', async () => {
    const assertion = clientSigner.assertion(claims());
    assert.equal((await refreshWith(assertion)).status, 200);
    const replay = await refreshWith(assertion);
    assert.equal(replay.status, 401, 'replayed assertion');
    assert.equal(replay.body.error, 'invalid_client');
  });

  it('one assertion raced in parallel authenticates at most one request', async () => {
    const tokensForRace = await codeFlowTokensWithAssertion();
    const assertion = clientSigner.assertion(claims());
    const results = await Promise.all(Array.from({ length: 5 }, () => postForm(tokenUrl(s), {
      grant_type: 'refresh_token', refresh_token: tokensForRace.refresh_token,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    })));
    assert.ok(results.filter((r) => r.status === 200).length <= 1, results.map((r) => r.status).join(','));
  });

  it('expired, not yet valid, wrong audience, too long-lived, missing jti or wrong sub: refused', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['expired', { exp: now() - 120, iat: now() - 180 }],
      ['issued in the future', { iat: now() + 600, exp: now() + 660 }],
      ['not before in the future', { nbf: now() + 600 }],
      ['audience of another server', { aud: `${s.url}/oauth2/v1/token` }],
      ['audience of an attacker', { aud: 'https://evil.example/token' }],
      ['no audience', { aud: undefined }],
      ['lives a day', { exp: now() + 86400 }],
      ['no exp', { exp: undefined }],
      ['no jti', { jti: undefined }],
      ['sub differs from iss', { sub: web.clientId }],
      ['iss of another client', { iss: web.clientId, sub: web.clientId }],
    ];
    for (const [name, extra] of cases) {
      const res = await refreshWith(clientSigner.assertion(claims(extra)));
      assert.equal(res.status, 401, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, 'invalid_client', name);
    }
  });

  it('alg none, HS256 with the registered public key, foreign keys via jku/x5u/jwk, hostile kids: refused', async () => {
    const c = claims();
    const clientPem = createPublicKey({ key: clientSigner.jwk as any, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
    const genuine = clientSigner.assertion(c);
    const [h, p] = genuine.split('.');
    const cases: [string, string][] = [
      ['alg none', `${b64({ alg: 'none', kid: 'client-key-1' })}.${b64(claims())}.`],
      ['HS256 with the registered public key', hs256({ kid: 'client-key-1' }, claims(), clientPem)],
      ['HS256 with the registered JWK', hs256({ kid: 'client-key-1' }, claims(), JSON.stringify(clientSigner.jwk))],
      ['stripped signature', `${h}.${p}.`],
      ['attacker key under the client kid', rs256({ alg: 'RS256', kid: 'client-key-1' }, claims(), attacker.privateKey)],
      ['attacker key without kid', rs256({ alg: 'RS256' }, claims(), attacker.privateKey)],
      ['attacker key via jku', rs256({ alg: 'RS256', kid: 'attacker', jku: jwksUrl }, claims(), attacker.privateKey)],
      ['attacker key via x5u', rs256({ alg: 'RS256', kid: 'attacker', x5u: jwksUrl }, claims(), attacker.privateKey)],
      ['attacker key embedded as jwk', rs256({ alg: 'RS256', jwk: attackerJwk }, claims(), attacker.privateKey)],
      ['kid path traversal', rs256({ alg: 'RS256', kid: '../../../etc/passwd' }, claims(), attacker.privateKey)],
      ['kid SQL injection', rs256({ alg: 'RS256', kid: "client-key-1' OR '1'='1" }, claims(), attacker.privateKey)],
      ['PS256 with the client key', rs256({ alg: 'PS256', kid: 'client-key-1' }, claims(), clientSigner.privateKey)],
    ];
    for (const [name, assertion] of cases) {
      const res = await refreshWith(assertion);
      assert.equal(res.status, 401, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, 'invalid_client', name);
    }
  });

  it('an assertion is no password: the secret methods do not accept one for a secret client', async () => {
    const forged = rs256({ alg: 'RS256' }, { ...claims(), iss: web.clientId, sub: web.clientId }, attacker.privateKey);
    const res = await postForm(tokenUrl(s), {
      grant_type: 'refresh_token', refresh_token: tokens.refresh_token,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: forged,
    });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
  });
});

describe('signed-in state is unaffected by the attempts', () => {
  it('a fresh browser still has to sign in', async () => {
    const res = await new Browser(s.url).get(authorizePath(codeRequest(web, { prompt: 'none' })));
    assert.ok(res.headers.get('location')!.includes('error=login_required'));
  });
});
