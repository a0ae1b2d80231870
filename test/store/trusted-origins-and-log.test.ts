/**
 * Storage conformance for trusted origins and the System Log, on SQLite and PostgreSQL
 * (GATEHOUSE_TEST_DB), against a fresh database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEvent, LogQuery } from '../../src/audit/log-event.js';
import { parseDatabaseUrl } from '../../src/config/config.js';
import type { TrustedOrigin } from '../../src/domain/trusted-origins/model.js';
import { openStore } from '../../src/store/open-store.js';
import { DuplicateError, type Store } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const T = 1_700_000_000_000;

let tdb: TestDatabase;
let store: Store;

before(async () => {
  tdb = await createTestDatabase();
  store = await openStore(parseDatabaseUrl(tdb.url));
});

after(async () => {
  await store?.close();
  await tdb?.cleanup();
});

function makeOrigin(id: string, name: string, origin: string, over: Partial<TrustedOrigin> = {}): TrustedOrigin {
  return {
    id, name, origin, status: 'ACTIVE', scopes: [{ type: 'CORS' }, { type: 'REDIRECT' }],
    created: T, createdBy: '00uadmin', lastUpdated: T, lastUpdatedBy: '00uadmin', ...over,
  };
}

describe('trusted origins', () => {
  test('create, get and round-trip every field', async () => {
    const o = makeOrigin('tos01', 'Portal', 'https://portal.example.com', {
      scopes: [{ type: 'IFRAME_EMBED', allowedOktaApps: ['OKTA_ENDUSER'] }],
    });
    await store.trustedOrigins.create(o);
    assert.deepEqual(await store.trustedOrigins.get('tos01'), o);
    assert.equal(await store.trustedOrigins.get('tos-missing'), undefined);
  });

  test('the canonical origin is unique: case, default port', async () => {
    for (const dup of ['https://PORTAL.example.com', 'HTTPS://portal.example.com:443']) {
      await assert.rejects(
        store.trustedOrigins.create(makeOrigin(`tos-${dup.length}`, 'Dup', dup)),
        (err: unknown) => err instanceof DuplicateError && err.field === 'origin',
      );
    }
    // A different port or scheme is another origin.
    await store.trustedOrigins.create(makeOrigin('tos02', 'Portal dev', 'https://portal.example.com:8443'));
    await store.trustedOrigins.create(makeOrigin('tos03', 'Portal http', 'http://portal.example.com', { status: 'INACTIVE' }));
  });

  test('list pages by id with an exclusive after', async () => {
    const first = await store.trustedOrigins.list({ limit: 2 });
    assert.deepEqual(first.map((o) => o.id), ['tos01', 'tos02']);
    const next = await store.trustedOrigins.list({ limit: 2, after: 'tos02' });
    assert.deepEqual(next.map((o) => o.id), ['tos03']);
  });

  test('q is a case-insensitive prefix of the name or the origin; LIKE wildcards match literally', async () => {
    await store.trustedOrigins.create(makeOrigin('tos04', '100%_Admin', 'https://admin.example.org', { scopes: [{ type: 'REDIRECT' }] }));
    assert.deepEqual((await store.trustedOrigins.list({ limit: 10, q: 'portal d' })).map((o) => o.id), ['tos02']);
    assert.deepEqual((await store.trustedOrigins.list({ limit: 10, q: 'HTTPS://ADMIN' })).map((o) => o.id), ['tos04']);
    assert.deepEqual((await store.trustedOrigins.list({ limit: 10, q: '100%_' })).map((o) => o.id), ['tos04']);
    assert.deepEqual((await store.trustedOrigins.list({ limit: 10, q: '1%' })).map((o) => o.id), []);
  });

  test('filter on name, origin, status and scope type, with and/or', async () => {
    const ids = async (filter: Parameters<Store['trustedOrigins']['list']>[0]['filter']) =>
      (await store.trustedOrigins.list({ limit: 10, filter })).map((o) => o.id);
    assert.deepEqual(await ids({ field: 'name', cmp: 'eq', value: 'Portal' }), ['tos01']);
    assert.deepEqual(await ids({ field: 'origin', cmp: 'eq', value: 'https://Portal.Example.com:443' }), ['tos01']);
    assert.deepEqual(await ids({ field: 'status', cmp: 'eq', value: 'INACTIVE' }), ['tos03']);
    assert.deepEqual(await ids({ field: 'type', cmp: 'eq', value: 'IFRAME_EMBED' }), ['tos01']);
    assert.deepEqual(await ids({ field: 'type', cmp: 'eq', value: 'CORS' }), ['tos02', 'tos03']);
    assert.deepEqual(await ids({
      op: 'and',
      terms: [{ field: 'type', cmp: 'eq', value: 'REDIRECT' }, { field: 'status', cmp: 'eq', value: 'ACTIVE' }],
    }), ['tos02', 'tos04']);
    assert.deepEqual(await ids({
      op: 'or',
      terms: [{ field: 'name', cmp: 'eq', value: 'Portal' }, { field: 'status', cmp: 'eq', value: 'INACTIVE' }],
    }), ['tos01', 'tos03']);
  });

  test('listActive returns every ACTIVE origin', async () => {
    assert.deepEqual((await store.trustedOrigins.listActive()).map((o) => o.id), ['tos01', 'tos02', 'tos04']);
  });

  test('update replaces the row, keeps created/createdBy and guards the unique origin', async () => {
    const o = (await store.trustedOrigins.get('tos03'))!;
    const changed: TrustedOrigin = {
      ...o, name: 'Renamed', origin: 'http://renamed.example.com', status: 'ACTIVE', scopes: [{ type: 'CORS' }],
      created: T + 99, createdBy: 'someone-else', lastUpdated: T + 5, lastUpdatedBy: '00uother',
    };
    await store.trustedOrigins.update(changed);
    assert.deepEqual(await store.trustedOrigins.get('tos03'), { ...changed, created: o.created, createdBy: o.createdBy });
    await assert.rejects(
      store.trustedOrigins.update({ ...changed, origin: 'https://admin.EXAMPLE.org' }),
      (err: unknown) => err instanceof DuplicateError && err.field === 'origin',
    );
  });

  test('delete', async () => {
    await store.trustedOrigins.delete('tos04');
    assert.equal(await store.trustedOrigins.get('tos04'), undefined);
    // The origin is free again.
    await store.trustedOrigins.create(makeOrigin('tos05', 'Admin again', 'https://admin.example.org'));
  });
});

function makeEvent(uuid: string, published: number, over: Partial<LogEvent> = {}): LogEvent {
  return {
    uuid,
    published: new Date(published).toISOString(),
    eventType: 'user.session.start',
    version: '0',
    severity: 'INFO',
    legacyEventType: 'core.user_auth.login_success',
    displayMessage: 'User login to Okta',
    actor: { id: '00ualice', type: 'User', alternateId: 'alice@example.com', displayName: 'Alice Example', detailEntry: null },
    client: {
      userAgent: { rawUserAgent: 'test-agent', os: null, browser: null }, zone: null, device: null, id: null,
      ipAddress: '10.0.0.1', geographicalContext: null,
    },
    device: null,
    authenticationContext: {
      authenticationProvider: null, credentialProvider: null, credentialType: null, issuer: null, interface: null,
      authenticationStep: 0, externalSessionId: null,
    },
    outcome: { result: 'SUCCESS', reason: null },
    securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
    debugContext: { debugData: { requestUri: '/api/v1/authn' } },
    transaction: { type: 'WEB', id: 'req1', detail: {} },
    request: { ipChain: [{ ip: '10.0.0.1', geographicalContext: null, version: 'V4', source: null }] },
    target: [],
    ...over,
  };
}

describe('system log', () => {
  const WIDE = { since: T - 1, until: T + 1_000_000, order: 'ASCENDING', limit: 100 } as const;
  const uuids = async (q: Partial<LogQuery> = {}) => (await store.systemLog.list({ ...WIDE, ...q })).map((e) => e.uuid);

  before(async () => {
    await store.systemLog.append([
      makeEvent('e1', T),
      makeEvent('e2', T + 10, {
        eventType: 'user.session.start', outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' }, severity: 'WARN',
        displayMessage: 'User login to Okta', actor: { id: '00ubob', type: 'User', alternateId: 'bob@example.com', displayName: 'Bob', detailEntry: null },
      }),
      // e3 and e4 share a millisecond: the uuid breaks the tie.
      makeEvent('e3', T + 20, {
        eventType: 'app.oauth2.as.token.grant.access_token', displayMessage: 'OAuth2 access token is granted',
        target: [
          { id: '0oaapp', type: 'AppInstance', alternateId: 'Payroll 100%', displayName: 'Payroll', detailEntry: null },
          { id: '00ualice', type: 'User', alternateId: 'alice@example.com', displayName: 'Alice Example', detailEntry: null },
        ],
      }),
      makeEvent('e4', T + 20, {
        eventType: 'security.trusted_origin.create', displayMessage: 'Create trusted origin',
        target: [{ id: 'tos_1', type: 'TrustedOrigin', alternateId: 'https://spa.example.com', displayName: 'SPA', detailEntry: null }],
        client: { userAgent: null, zone: null, device: null, id: null, ipAddress: null, geographicalContext: null },
      }),
    ]);
    await store.systemLog.append([makeEvent('e5', T + 30, { eventType: 'user.lifecycle.create', severity: 'INFO', displayMessage: 'Create Okta user' })]);
    await store.systemLog.append([]);
  });

  test('the stored event round-trips whole', async () => {
    const [e1] = await store.systemLog.list({ ...WIDE, limit: 1 });
    assert.deepEqual(e1, makeEvent('e1', T));
  });

  test('since is inclusive, until exclusive', async () => {
    assert.deepEqual(await uuids({ since: T + 10, until: T + 30 }), ['e2', 'e3', 'e4']);
    assert.deepEqual(await uuids({ since: T + 31 }), []);
  });

  test('order and cursor, in both directions, across a shared millisecond', async () => {
    assert.deepEqual(await uuids(), ['e1', 'e2', 'e3', 'e4', 'e5']);
    assert.deepEqual(await uuids({ order: 'DESCENDING' }), ['e5', 'e4', 'e3', 'e2', 'e1']);
    assert.deepEqual(await uuids({ limit: 2, after: { published: T + 20, uuid: 'e3' } }), ['e4', 'e5']);
    assert.deepEqual(await uuids({ order: 'DESCENDING', after: { published: T + 20, uuid: 'e4' } }), ['e3', 'e2', 'e1']);
    assert.deepEqual(await uuids({ limit: 0 }), []);
  });

  test('filter on the column-backed attributes', async () => {
    assert.deepEqual(await uuids({ filter: { field: 'eventType', cmp: 'eq', value: 'user.session.start' } }), ['e1', 'e2']);
    assert.deepEqual(await uuids({ filter: { field: 'outcome.result', cmp: 'eq', value: 'FAILURE' } }), ['e2']);
    assert.deepEqual(await uuids({ filter: { field: 'actor.id', cmp: 'eq', value: '00ubob' } }), ['e2']);
    assert.deepEqual(await uuids({ filter: { field: 'severity', cmp: 'ne', value: 'INFO' } }), ['e2']);
    assert.deepEqual(await uuids({ filter: { field: 'eventType', cmp: 'sw', value: 'APP.oauth2' } }), ['e3']);
    assert.deepEqual(await uuids({ filter: { field: 'displayMessage', cmp: 'co', value: 'TRUSTED' } }), ['e4']);
    assert.deepEqual(await uuids({ filter: { field: 'eventType', cmp: 'ew', value: '.create' } }), ['e4', 'e5']);
    assert.deepEqual(await uuids({ filter: { field: 'client.ipAddress', cmp: 'pr' } }), ['e1', 'e2', 'e3', 'e5']);
    assert.deepEqual(await uuids({ filter: { field: 'client.ipAddress', cmp: 'ne', value: '10.0.0.1' } }), ['e4']);
    assert.deepEqual(await uuids({ filter: { field: 'published', cmp: 'gt', value: T + 10 } }), ['e3', 'e4', 'e5']);
    assert.deepEqual(await uuids({ filter: { field: 'uuid', cmp: 'eq', value: 'e5' } }), ['e5']);
  });

  test('target.id matches any target, whole ids only', async () => {
    assert.deepEqual(await uuids({ filter: { field: 'target.id', cmp: 'eq', value: '00ualice' } }), ['e3']);
    assert.deepEqual(await uuids({ filter: { field: 'target.id', cmp: 'eq', value: '00uali' } }), []);
    assert.deepEqual(await uuids({ filter: { field: 'target.id', cmp: 'eq', value: 'tos_1' } }), ['e4']);
    assert.deepEqual(await uuids({ filter: { field: 'target.id', cmp: 'eq', value: 'tos%1' } }), []);
    assert.deepEqual(await uuids({ filter: { field: 'target.id', cmp: 'ne', value: '0oaapp' } }), ['e1', 'e2', 'e4', 'e5']);
    assert.deepEqual(await uuids({ filter: { field: 'target.id', cmp: 'pr' } }), ['e3', 'e4']);
  });

  test('and, or, not', async () => {
    assert.deepEqual(await uuids({
      filter: {
        op: 'or',
        terms: [
          { op: 'and', terms: [{ field: 'eventType', cmp: 'eq', value: 'user.session.start' }, { field: 'outcome.result', cmp: 'eq', value: 'SUCCESS' }] },
          { field: 'eventType', cmp: 'eq', value: 'user.lifecycle.create' },
        ],
      },
    }), ['e1', 'e5']);
    assert.deepEqual(await uuids({ filter: { op: 'not', term: { field: 'eventType', cmp: 'eq', value: 'user.session.start' } } }), ['e3', 'e4', 'e5']);
  });

  test('keywords: every one must occur, case-insensitively, in message, type, actor or targets', async () => {
    assert.deepEqual(await uuids({ keywords: ['login'] }), ['e1', 'e2']);
    assert.deepEqual(await uuids({ keywords: ['login', 'bob'] }), ['e2']);
    assert.deepEqual(await uuids({ keywords: ['alice@example.com'] }), ['e1', 'e3', 'e4', 'e5']);
    assert.deepEqual(await uuids({ keywords: ['payroll'] }), ['e3']);
    assert.deepEqual(await uuids({ keywords: ['spa.example'] }), ['e4']);
    assert.deepEqual(await uuids({ keywords: ['100%'] }), ['e3']);
    assert.deepEqual(await uuids({ keywords: ['1_0'] }), []);
    // Fields outside the searchable text (user agent, debug data) do not match.
    assert.deepEqual(await uuids({ keywords: ['test-agent'] }), []);
  });

  test('deleteBefore removes old events only', async () => {
    assert.equal(await store.systemLog.deleteBefore(T + 10), 1);
    assert.deepEqual(await uuids(), ['e2', 'e3', 'e4', 'e5']);
  });

  test('a duplicate uuid fails the batch', async () => {
    await assert.rejects(store.systemLog.append([makeEvent('e9', T + 40), makeEvent('e5', T + 40)]));
  });
});
