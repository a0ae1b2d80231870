/** The principal from claims (OpenMetadata's rules, with safer admin matching) and the gateway's pages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import { safeReturnTo } from '../../src/gateway/app.js';
import { readGatewayConfig } from '../../src/gateway/config.js';
import { principalFrom, PrincipalError } from '../../src/gateway/identity.js';
import { silentResultPage } from '../../src/gateway/pages.js';

const settings = (env: Record<string, string> = {}) => readGatewayConfig({ GATEWAY_UPSTREAM_URL: 'http://app', ...env }).config;

describe('principal', () => {
  it('takes the first principal claim present, the username before "@"', () => {
    const p = principalFrom({ sub: '00u1', email: 'Ada@Example.com', preferred_username: 'ada', name: 'Ada', groups: ['a', 'b'] }, settings());
    assert.deepEqual(p, { user: 'Ada', email: 'Ada@Example.com', preferredUsername: 'ada', name: 'Ada', groups: ['a', 'b'], admin: false });
    assert.equal(principalFrom({ sub: '00u1' }, settings()).user, '00u1');
    assert.throws(() => principalFrom({ name: 'x' }, settings({ AUTHENTICATION_JWT_PRINCIPAL_CLAIMS: '[email]' })), PrincipalError);
  });
  it('builds the email from AUTHORIZER_PRINCIPAL_DOMAIN when the claim has no "@"', () => {
    const p = principalFrom({ sub: 'ada' }, settings({ AUTHENTICATION_JWT_PRINCIPAL_CLAIMS: '[sub]', AUTHORIZER_PRINCIPAL_DOMAIN: 'example.com' }));
    assert.equal(p.email, 'ada@example.com');
  });
  it('follows the claims mapping', () => {
    const p = principalFrom({ sub: '1', upn: 'ada.l@corp.example', mail: 'ada@example.com' },
      settings({ AUTHENTICATION_JWT_PRINCIPAL_CLAIMS_MAPPING: '[username:upn,email:mail]' }));
    assert.equal(p.user, 'ada.l');
    assert.equal(p.email, 'ada@example.com');
  });
  it('enforces the principal domain', () => {
    const s = settings({ AUTHORIZER_PRINCIPAL_DOMAIN: 'example.com', AUTHORIZER_ENFORCE_PRINCIPAL_DOMAIN: 'true' });
    assert.equal(principalFrom({ email: 'ada@EXAMPLE.com' }, s).user, 'ada');
    assert.throws(() => principalFrom({ email: 'ada@evil.test' }, s), /not in the domain example\.com/);
  });
  it('admin: a bare name matches only inside the principal domain; an email matches exactly', () => {
    const s = settings({ AUTHORIZER_ADMIN_PRINCIPALS: '[admin, boss@partner.org]', AUTHORIZER_PRINCIPAL_DOMAIN: 'example.com' });
    assert.equal(principalFrom({ email: 'admin@example.com' }, s).admin, true);
    assert.equal(principalFrom({ email: 'admin@evil.test' }, s).admin, false);
    assert.equal(principalFrom({ email: 'boss@partner.org' }, s).admin, true);
    assert.equal(principalFrom({ email: 'admin@anything.test' }, settings({ AUTHORIZER_ADMIN_PRINCIPALS: '[admin]' })).admin, true, 'no domain set: OpenMetadata\'s rule');
  });
});

describe('return paths', () => {
  it('keeps same-origin paths only', () => {
    const origin = 'https://om.example.com';
    assert.equal(safeReturnTo('/a/b?c=1#d', origin), '/a/b?c=1#d');
    assert.equal(safeReturnTo('https://om.example.com/auth/callback', origin), '/auth/callback');
    for (const bad of ['//evil.test', 'https://evil.test/', '/\\evil.test', 'javascript:alert(1)', 'https://om.example.com.evil.test/', '/a\nb', undefined, ['/x']]) {
      assert.equal(safeReturnTo(bad, origin), '/', String(bad));
    }
  });
});

describe('silent renewal page', () => {
  it('posts the result to the parent, on this origin only', () => {
    const page = silentResultPage('https://om.example.com', { type: 'gatehouse:silent-renew', ok: false, error: 'login_required', message: '</script><b>x' });
    assert.doesNotMatch(page.body, /<\/script><b>/);
    const script = /<script nonce="[^"]+">([\s\S]*?)<\/script>/.exec(page.body)![1]!;
    const sent: unknown[][] = [];
    const parent = { postMessage: (...args: unknown[]) => sent.push(args) };
    vm.runInNewContext(script, { window: { parent, opener: null } });
    assert.deepEqual(JSON.parse(JSON.stringify(sent)), [[{ type: 'gatehouse:silent-renew', ok: false, error: 'login_required', message: '</script><b>x' }, 'https://om.example.com']]);
    assert.match(page.headers['content-security-policy']!, /script-src 'nonce-/);
  });
});
