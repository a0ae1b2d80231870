/**
 * Two gateway replicas on one shared session store (SQLite file or PostgreSQL per GATEHOUSE_TEST_DB;
 * Redis in the second suite), requests alternating between them through sign-in, refresh and logout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from './support/browser.js';
import { startStack, useReplica, type Stack } from './support/stack.js';
import type { Echo } from './support/upstream.js';

function alternate(b: Browser, s: Stack) {
  let n = 0;
  const served: number[] = [];
  const targets = s.gateways.map((g) => new URL(g.url));
  b.route = (u) => {
    if (u.origin !== s.publicUrl) return u;
    const i = n++ % targets.length;
    served.push(i);
    const r = new URL(u);
    r.host = targets[i]!.host;
    return r;
  };
  return served;
}

for (const store of ['sql', 'redis'] as const) {
  describe(`two replicas sharing one ${store === 'sql' ? (process.env.GATEHOUSE_TEST_DB ?? 'sqlite') : 'redis'} session store`, () => {
    let s: Stack;
    before(async () => {
      s = await startStack({ replicas: 2, store });
    });
    after(() => s.close());

    it('signs in, refreshes and signs out with every request on the other replica', async () => {
      const b = s.browser();
      const served = alternate(b, s);
      // login on one replica, callback on the other (the state lives in the store)
      const r = await b.follow(`${s.publicUrl}/app`);
      assert.equal(r.status, 200, r.body);
      assert.equal((JSON.parse(r.body) as Echo).headers['x-auth-request-user'], 'alice');
      assert.ok(served.includes(0) && served.includes(1));

      for (let i = 0; i < 4; i++) {
        const p = await b.request(`${s.publicUrl}/app/${i}`);
        assert.equal(p.status, 200);
      }
      b.accept = 'application/json';
      for (let i = 0; i < 4; i++) {
        const t = await b.request(`${s.publicUrl}/api/v1/auth/refresh`);
        assert.equal(t.status, 200, `refresh ${i}: ${t.body}`);
      }
      const session = await b.request(`${s.publicUrl}/api/v1/auth/session`);
      assert.equal(JSON.parse(session.body).principal.user, 'alice');
      const out = await b.request(`${s.publicUrl}/api/v1/auth/logout`);
      assert.equal(out.status, 200);
      for (let i = 0; i < 2; i++) {
        assert.equal((await b.request(`${s.publicUrl}/api/v1/auth/session`)).status, 401, 'signed out on both replicas');
      }
    });

    it('the identity JWT of either replica verifies with the JWKS of the other', async () => {
      const b = useReplica(s.browser(), s, 0);
      const r = await b.follow(`${s.publicUrl}/whoami`);
      const jwt = String((JSON.parse(r.body) as Echo).headers['x-gatehouse-identity']);
      const kid = JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid;
      const jwks = await (await fetch(`${s.gateways[1]!.url}/api/v1/system/config/jwks`)).json() as { keys: { kid: string }[] };
      assert.deepEqual(jwks.keys.map((k) => k.kid), [kid]);
    });
  });
}
