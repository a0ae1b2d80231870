/**
 * The System Log: recordEvent → batched writes → GET /api/v1/logs with since/until, filter, q,
 * sortOrder, limit and Link-header pagination (bounded and polling), over real HTTP and through
 * Okta's own SDK.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import okta from '@okta/okta-sdk-nodejs';
import type { LogEvent } from '../../src/audit/log-event.js';
import { flushSystemLog, recordEvent, recordEvents, userActor } from '../../src/audit/system-log.js';
import { json, startTestServer, TEST_ADMIN_LOGIN, type TestServer } from '../support/server.js';

let s: TestServer;
// Events of this file sit in a one-minute window an hour ago, so tests can bound their queries.
const BASE = Date.now() - 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const WINDOW = `since=${iso(BASE)}&until=${iso(BASE + 60_000)}`;

const alice = { id: '00ualice00000000000', profile: { login: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell' } };
const bob = { id: '00ubob0000000000000', profile: { login: 'bob@example.com', firstName: 'Bob', lastName: 'Builder' } };

before(async () => {
  s = await startTestServer();
  const request = { id: 'reqFixed0000000000001', ip: '203.0.113.9', url: '/api/v1/authn?token=secret', headers: { 'user-agent': 'Mozilla/5.0 test' } };
  recordEvent(s.container, { eventType: 'user.session.start', actor: userActor(alice), request, published: BASE + 1000, debugData: { authnRequestId: 'a1' } });
  recordEvent(s.container, {
    eventType: 'user.session.start', actor: userActor(bob), outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
    severity: 'WARN', published: BASE + 2000,
  });
  recordEvent(s.container, {
    eventType: 'app.oauth2.as.token.grant.access_token', actor: userActor(alice), clientId: '0oaPayroll',
    target: [{ id: '0oaPayroll', type: 'AppInstance', alternateId: 'Payroll', displayName: 'Payroll' }], published: BASE + 3000,
  });
  recordEvent(s.container, {
    eventType: 'group.user_membership.add', actor: userActor(alice),
    target: [{ id: bob.id, type: 'User', alternateId: bob.profile.login, displayName: 'Bob Builder' }, { id: '00gEngineers', type: 'UserGroup', displayName: 'Engineers' }],
    published: BASE + 4000,
  });
  recordEvent(s.container, { eventType: 'user.lifecycle.create', actor: userActor(alice), target: [{ id: bob.id, type: 'User' }], published: BASE + 4000 });
  // Eight days old: outside the default window.
  recordEvent(s.container, { eventType: 'user.lifecycle.delete', actor: userActor(alice), published: Date.now() - 8 * 86_400_000 });
  await flushSystemLog(s.container);
});
after(async () => {
  await s?.close();
});

async function logs(query: string): Promise<LogEvent[]> {
  const res = await s.api(`/api/v1/logs?${query}`);
  const body = await json(res);
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

const types = (events: LogEvent[]) => events.map((e) => e.eventType);

async function expectError(res: Response, status: number, code: string, causes?: string[]): Promise<any> {
  const body = await json(res);
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.errorCode, code, JSON.stringify(body));
  if (causes) assert.deepEqual(body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary), causes);
  return body;
}

function links(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (res.headers.get('link') ?? '').matchAll(/<([^>]+)>;\s*rel="([^"]+)"/g)) out[m[2]!] = m[1]!;
  return out;
}

describe('events', () => {
  it('are stored as full Okta LogEvents', async () => {
    const [e] = await logs(`${WINDOW}&limit=1`);
    assert.ok(e);
    assert.match(e.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(e.published, iso(BASE + 1000));
    assert.equal(e.eventType, 'user.session.start');
    assert.equal(e.version, '0');
    assert.equal(e.severity, 'INFO');
    assert.equal(e.displayMessage, 'User login to Okta');
    assert.equal(e.legacyEventType, 'core.user_auth.login_success');
    assert.deepEqual(e.actor, { id: alice.id, type: 'User', alternateId: 'alice@example.com', displayName: 'Alice Liddell', detailEntry: null });
    assert.equal(e.client.ipAddress, '203.0.113.9');
    assert.equal(e.client.userAgent?.rawUserAgent, 'Mozilla/5.0 test');
    assert.deepEqual(e.outcome, { result: 'SUCCESS', reason: null });
    assert.deepEqual(e.transaction, { type: 'WEB', id: 'reqFixed0000000000001', detail: {} });
    assert.deepEqual(e.debugContext.debugData, { authnRequestId: 'a1', requestId: 'reqFixed0000000000001', requestUri: '/api/v1/authn' });
    assert.equal(e.authenticationContext.authenticationStep, 0);
    assert.deepEqual(e.request.ipChain.map((i) => i.ip), ['203.0.113.9']);
    assert.deepEqual(e.target, []);
  });

  it('come back in published order, ties in the order they were recorded', async () => {
    assert.deepEqual(types(await logs(WINDOW)), [
      'user.session.start', 'user.session.start', 'app.oauth2.as.token.grant.access_token', 'group.user_membership.add', 'user.lifecycle.create',
    ]);
  });

  it('include administrative changes made through the API, with the caller as client', async () => {
    const res = await s.api('/api/v1/trustedOrigins', {
      method: 'POST', headers: { 'user-agent': 'logs-test/1.0' },
      body: JSON.stringify({ name: 'Logged', origin: 'https://logged.example.com', scopes: [{ type: 'CORS' }] }),
    });
    const origin = await json(res);
    await flushSystemLog(s.container);
    const [e] = await logs(`filter=${encodeURIComponent(`target.id eq "${origin.id}"`)}`);
    assert.ok(e);
    assert.equal(e.eventType, 'security.trusted_origin.create');
    assert.equal(e.actor.alternateId, TEST_ADMIN_LOGIN);
    assert.equal(e.client.ipAddress, '127.0.0.1');
    assert.equal(e.client.userAgent?.rawUserAgent, 'logs-test/1.0');
    assert.equal(e.transaction.id, res.headers.get('x-okta-request-id'));
    assert.deepEqual(e.target.map((t) => [t.id, t.type, t.alternateId]), [[origin.id, 'TrustedOrigin', 'https://logged.example.com']]);
  });

  it('require an API token', async () => {
    await expectError(await fetch(`${s.orgUrl}/api/v1/logs`), 401, 'E0000011');
  });
});

describe('since and until', () => {
  it('since is inclusive, until exclusive; offsets are honoured', async () => {
    assert.deepEqual(types(await logs(`since=${iso(BASE + 2000)}&until=${iso(BASE + 4000)}`)), [
      'user.session.start', 'app.oauth2.as.token.grant.access_token',
    ]);
    const plusTwo = new Date(BASE + 2000 + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    const [e] = await logs(`since=${encodeURIComponent(plusTwo)}&until=${iso(BASE + 2001)}`);
    assert.equal(e?.actor.id, bob.id);
  });

  it('since defaults to seven days before until', async () => {
    assert.ok(!types(await logs('limit=1000')).includes('user.lifecycle.delete'));
    assert.ok(types(await logs(`since=${iso(Date.now() - 9 * 86_400_000)}`)).includes('user.lifecycle.delete'));
  });

  it('rejects anything but an ISO 8601 timestamp with E0000030', async () => {
    const summary = "Bad request. Invalid date. Dates must be of the form yyyy-MM-dd'T'HH:mm:ss.SSSZZ, e.g. 2013-01-01T12:00:00.000-07:00.";
    for (const q of ['since=yesterday', 'since=1700000000', 'until=2024-13-01T00:00:00Z', 'until=2024-02-30T00:00:00.000Z',
      'since=2024-01-01T25:00:00Z', 'since=2024-01-01T00:00:00%2B25:00', 'since=2024-01-01T00:00:00.000 07:00']) {
      const body = await expectError(await s.api(`/api/v1/logs?${q}`), 400, 'E0000030');
      assert.equal(body.errorSummary, summary);
    }
    assert.equal((await s.api('/api/v1/logs?since=2024-01-01')).status, 200);
    assert.equal((await s.api('/api/v1/logs?since=2024-01-01T00:00:00.000-07:00')).status, 200);
  });
});

describe('filter, q and sortOrder', () => {
  it('filters with eq, and, or, not', async () => {
    const f = (expr: string) => logs(`${WINDOW}&filter=${encodeURIComponent(expr)}`);
    assert.deepEqual(types(await f('eventType eq "user.session.start"')), ['user.session.start', 'user.session.start']);
    assert.deepEqual((await f('outcome.result eq "FAILURE"')).map((e) => e.actor.id), [bob.id]);
    assert.equal((await f(`actor.id eq "${bob.id}"`)).length, 1);
    assert.deepEqual(types(await f(`target.id eq "${bob.id}"`)), ['group.user_membership.add', 'user.lifecycle.create']);
    assert.deepEqual(types(await f('severity eq "WARN" or eventType sw "app.oauth2"')), ['user.session.start', 'app.oauth2.as.token.grant.access_token']);
    assert.deepEqual(types(await f(`eventType eq "user.session.start" and not (outcome.result eq "FAILURE")`)), ['user.session.start']);
    assert.equal((await f('client.ipAddress eq "203.0.113.9"')).length, 1);
    assert.deepEqual(types(await f(`published gt "${iso(BASE + 3000)}"`)), ['group.user_membership.add', 'user.lifecycle.create']);
  });

  it('rejects a malformed filter or an unsupported attribute with E0000031', async () => {
    for (const expr of ['eventType eq', 'eventType eq "x" and', 'eventType lk "x"', 'actor.alternateId eq "x"', 'target.id sw "00u"', 'emails[type eq "work"]', '(eventType eq "x"']) {
      await expectError(await s.api(`/api/v1/logs?filter=${encodeURIComponent(expr)}`), 400, 'E0000031');
    }
  });

  it('q matches every keyword, case-insensitively, in message, type, actor and targets', async () => {
    const q = (words: string) => logs(`${WINDOW}&q=${encodeURIComponent(words)}`);
    assert.deepEqual(types(await q('LOGIN')), ['user.session.start', 'user.session.start']);
    assert.deepEqual(types(await q('login bob@example.com')), ['user.session.start']);
    assert.deepEqual(types(await q('payroll')), ['app.oauth2.as.token.grant.access_token']);
    assert.deepEqual(types(await q('engineers')), ['group.user_membership.add']);
    assert.deepEqual(await q('nothing-matches-this'), []);
  });

  it('limits q to 10 keywords of 40 characters', async () => {
    await expectError(await s.api(`/api/v1/logs?q=${encodeURIComponent('a b c d e f g h i j k')}`), 400, 'E0000001', ['q: At most 10 keywords are allowed']);
    await expectError(await s.api(`/api/v1/logs?q=${'x'.repeat(41)}`), 400, 'E0000001', ['q: A keyword cannot exceed 40 characters']);
  });

  it('sorts DESCENDING on request and rejects other orders', async () => {
    assert.deepEqual(types(await logs(`${WINDOW}&sortOrder=DESCENDING`)), [
      'user.lifecycle.create', 'group.user_membership.add', 'app.oauth2.as.token.grant.access_token', 'user.session.start', 'user.session.start',
    ]);
    await expectError(await s.api('/api/v1/logs?sortOrder=up'), 400, 'E0000001', ['sortOrder: The value must be ASCENDING or DESCENDING']);
  });
});

describe('limit, after and the Link header', () => {
  it('pages a bounded query with rel="next" until the end, in either order', async () => {
    for (const order of ['ASCENDING', 'DESCENDING']) {
      const seen: string[] = [];
      let path: string | undefined = `/api/v1/logs?${WINDOW}&sortOrder=${order}&limit=2`;
      let pages = 0;
      while (path) {
        const res = await s.api(path);
        const page: LogEvent[] = await json(res);
        seen.push(...page.map((e) => e.uuid));
        const l = links(res);
        assert.ok(l.self?.startsWith(`${s.orgUrl}/api/v1/logs?`));
        assert.match(l.self!, /limit=2/);
        path = l.next?.slice(s.orgUrl.length);
        if (path) {
          assert.match(path, /since=/);
          assert.match(path, /until=/);
          assert.match(path, new RegExp(`sortOrder=${order}`));
        }
        pages++;
      }
      assert.equal(pages, 3);
      const all = (await logs(`${WINDOW}&sortOrder=${order}`)).map((e) => e.uuid);
      assert.deepEqual(seen, all);
    }
  });

  it('a bounded page that holds everything has no next link', async () => {
    const res = await s.api(`/api/v1/logs?${WINDOW}&limit=5`);
    await res.arrayBuffer();
    assert.equal(links(res).next, undefined);
  });

  it('a polling query (no until) always has rel="next", which picks up new events', async () => {
    const since = `since=${encodeURIComponent(iso(BASE + 3500))}`;
    let res = await s.api(`/api/v1/logs?${since}&filter=${encodeURIComponent('eventType sw "group."')}`);
    assert.deepEqual(types(await json(res)), ['group.user_membership.add']);
    let next = links(res).next;
    assert.ok(next);
    res = await s.api(next.slice(s.orgUrl.length));
    assert.deepEqual(await json(res), []);
    next = links(res).next;
    assert.ok(next, 'an empty polling page still links to itself');

    recordEvent(s.container, { eventType: 'group.user_membership.remove', actor: userActor(alice), target: [{ id: bob.id, type: 'User' }] });
    await flushSystemLog(s.container);
    res = await s.api(next.slice(s.orgUrl.length));
    assert.deepEqual(types(await json(res)), ['group.user_membership.remove']);
  });

  it('limit defaults to 100, caps at 1000, 0 returns nothing; junk is E0000029', async () => {
    let res = await s.api('/api/v1/logs');
    await res.arrayBuffer();
    assert.match(links(res).self!, /limit=100/);
    res = await s.api('/api/v1/logs?limit=5000');
    await res.arrayBuffer();
    assert.match(links(res).self!, /limit=1000/);
    assert.deepEqual(await logs(`${WINDOW}&limit=0`), []);
    await expectError(await s.api('/api/v1/logs?limit=ten'), 400, 'E0000029');
    await expectError(await s.api('/api/v1/logs?limit=-1'), 400, 'E0000029');
    await expectError(await s.api('/api/v1/logs?after=not-a-cursor'), 400, 'E0000029');
  });

  it('Okta\'s SDK follows the links (bounded query)', async () => {
    const client = new okta.Client({ orgUrl: s.orgUrl, token: s.token, ...({ testing: { disableHttpsCheck: true } } as object) });
    const collection = await client.systemLogApi.listLogEvents({ since: iso(BASE), until: iso(BASE + 60_000), limit: 2 });
    const seen: string[] = [];
    for await (const e of collection) if (e) seen.push(e.eventType!);
    assert.deepEqual(seen, types(await logs(WINDOW)));
  });
});

describe('recordEvent', () => {
  it('returns the event at once and writes in batches of at most 100', async () => {
    const repo = s.container.store.systemLog;
    const original = repo.append;
    const batches: number[] = [];
    (repo as { append: typeof original }).append = async (events) => {
      batches.push(events.length);
      return original.call(repo, events);
    };
    try {
      const t = BASE + 30_000;
      for (let i = 0; i < 250; i++) {
        const e = recordEvent(s.container, { eventType: 'policy.evaluate_sign_on', actor: userActor(alice), published: t, debugData: { i } });
        assert.equal(e?.eventType, 'policy.evaluate_sign_on');
      }
      await flushSystemLog(s.container);
      assert.ok(batches.every((n) => n <= 100), batches.join());
      assert.equal(batches.reduce((a, b) => a + b, 0), 250);
      const stored = await logs(`since=${iso(t)}&until=${iso(t + 1)}&limit=1000`);
      assert.deepEqual(stored.map((e) => e.debugContext.debugData.i), Array.from({ length: 250 }, (_, i) => i));
    } finally {
      (repo as { append: typeof original }).append = original;
    }
  });

  it('never throws: an unserialisable event is dropped, a failing write is logged and later events still land', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.equal(recordEvent(s.container, { eventType: 'user.session.start', actor: userActor(alice), debugData: circular }), undefined);

    const repo = s.container.store.systemLog;
    const original = repo.append;
    (repo as { append: typeof original }).append = async () => {
      throw new Error('database down');
    };
    const t = BASE + 40_000;
    try {
      recordEvent(s.container, { eventType: 'user.session.end', actor: userActor(alice), published: t });
      await flushSystemLog(s.container);
    } finally {
      (repo as { append: typeof original }).append = original;
    }
    recordEvent(s.container, { eventType: 'user.session.end', actor: userActor(bob), published: t });
    await flushSystemLog(s.container);
    assert.deepEqual((await logs(`since=${iso(t)}&until=${iso(t + 1)}`)).map((e) => e.actor.id), [bob.id]);
  });

  it('recordEvents: one event per variant, the shared members built once, stored exactly as returned', async () => {
    const t = BASE + 50_000;
    const request = { id: 'reqFixed0000000000002', ip: '203.0.113.10', url: '/oauth2/default/v1/token', headers: { 'user-agent': 'curl/8' } };
    const recorded = recordEvents(s.container, {
      actor: userActor(alice), clientId: 'client-1', request, published: t, debugData: { grantType: 'refresh_token', scopes: ['openid'] },
    }, [
      { eventType: 'app.oauth2.as.token.grant.access_token', target: [{ id: 'AT.1', type: 'access_token' }, { id: 'app-1', type: 'AppInstance' }] },
      { eventType: 'app.oauth2.as.token.detect_reuse', target: [{ id: bob.id, type: 'User' }] },
      { eventType: 'custom.thing.happened' },
    ]);
    assert.deepEqual(recorded.map((e) => [e.eventType, e.severity, e.displayMessage]), [
      ['app.oauth2.as.token.grant.access_token', 'INFO', 'OAuth2 access token is granted'],
      ['app.oauth2.as.token.detect_reuse', 'WARN', 'Detect reuse of an OAuth2 refresh token'],
      ['custom.thing.happened', 'INFO', 'custom.thing.happened'],
    ]);
    assert.equal(new Set(recorded.map((e) => e.uuid)).size, 3);
    assert.deepEqual(recorded[1]!.target, [{ id: bob.id, type: 'User', alternateId: null, displayName: null, detailEntry: null }]);
    assert.deepEqual(recorded[2]!.target, []);
    const stored = await logs(`since=${iso(t)}&until=${iso(t + 1)}`);
    assert.deepEqual(stored, recorded.map((e) => JSON.parse(JSON.stringify(e))));
    // Same members in the same order as a single recordEvent writes them.
    const single = recordEvent(s.container, { eventType: 'custom.thing.happened', actor: userActor(alice), published: t + 2 })!;
    assert.deepEqual(Object.keys(stored[0]!), Object.keys(single));
    assert.equal(stored[0]!.debugContext.debugData.grantType, 'refresh_token');
    assert.equal(stored[2]!.client.id, 'client-1');
    await flushSystemLog(s.container);
  });

  it('fills defaults for unknown event types', async () => {
    const e = recordEvent(s.container, { eventType: 'custom.thing.happened', actor: { id: 'x', type: 'SystemPrincipal' } })!;
    assert.equal(e.displayMessage, 'custom.thing.happened');
    assert.equal(e.severity, 'INFO');
    assert.equal(e.legacyEventType, null);
    assert.deepEqual(e.actor, { id: 'x', type: 'SystemPrincipal', alternateId: null, displayName: null, detailEntry: null });
    assert.equal(e.transaction.type, 'JOB');
    assert.equal(e.client.ipAddress, null);
    await flushSystemLog(s.container);
  });
});
