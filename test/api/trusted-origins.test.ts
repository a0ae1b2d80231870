/** /api/v1/trustedOrigins over real HTTP: CRUD, lifecycle, listing, validation with Okta's error codes. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import okta from '@okta/okta-sdk-nodejs';
import { flushSystemLog } from '../../src/audit/system-log.js';
import { json, startTestServer, TEST_ADMIN_LOGIN, type TestServer } from '../support/server.js';

let s: TestServer;
let adminId: string;

before(async () => {
  s = await startTestServer();
  adminId = (await s.container.store.users.getByLogin(TEST_ADMIN_LOGIN))!.id;
});
after(async () => {
  await s?.close();
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function send(method: string, path: string, body?: unknown): Promise<Response> {
  return s.api(path, { method, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
}

async function create(body: Record<string, unknown>): Promise<any> {
  const res = await send('POST', '/api/v1/trustedOrigins', body);
  const out = await json(res);
  assert.equal(res.status, 200, JSON.stringify(out));
  return out;
}

async function expectError(res: Response, status: number, code: string, causes?: string[]): Promise<any> {
  const body = await json(res);
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.errorCode, code, JSON.stringify(body));
  assert.equal(body.errorLink, code);
  assert.ok(body.errorId);
  if (causes) assert.deepEqual(body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary), causes);
  return body;
}

describe('POST /api/v1/trustedOrigins', () => {
  it('creates an ACTIVE origin in Okta shape', async () => {
    const o = await create({ name: 'SPA', origin: 'https://spa.example.com', scopes: [{ type: 'CORS' }, { type: 'REDIRECT' }] });
    assert.match(o.id, /^tos[A-Za-z0-9]{17}$/);
    assert.equal(o.name, 'SPA');
    assert.equal(o.origin, 'https://spa.example.com');
    assert.equal(o.status, 'ACTIVE');
    assert.deepEqual(o.scopes, [{ type: 'CORS' }, { type: 'REDIRECT' }]);
    assert.match(o.created, ISO);
    assert.equal(o.lastUpdated, o.created);
    assert.equal(o.createdBy, adminId);
    assert.equal(o.lastUpdatedBy, adminId);
    const self = `${s.orgUrl}/api/v1/trustedOrigins/${o.id}`;
    assert.deepEqual(o._links, {
      self: { href: self, hints: { allow: ['GET', 'PUT', 'DELETE'] } },
      deactivate: { href: `${self}/lifecycle/deactivate`, hints: { allow: ['POST'] } },
    });
  });

  it('accepts IFRAME_EMBED with allowedOktaApps, and the other Okta schemes', async () => {
    const o = await create({ name: 'Embed', origin: 'https://embed.example.com:8443', scopes: [{ type: 'IFRAME_EMBED', allowedOktaApps: ['OKTA_ENDUSER'] }] });
    assert.deepEqual(o.scopes, [{ type: 'IFRAME_EMBED', allowedOktaApps: ['OKTA_ENDUSER'] }]);
    const bare = await create({ name: 'Embed sign-in only', origin: 'http://embed.example.com', scopes: [{ type: 'IFRAME_EMBED' }] });
    assert.deepEqual(bare.scopes, [{ type: 'IFRAME_EMBED', allowedOktaApps: [] }]);
    for (const origin of ['capacitor://localhost', 'ionic://localhost', 'ftp://files.example.com', 'http://[::1]:3000', 'http://127.0.0.1:8080']) {
      const made = await create({ name: origin, origin, scopes: [{ type: 'CORS' }] });
      assert.equal(made.origin, origin);
    }
  });

  it('rejects a duplicate origin, compared case-insensitively and with the default port', async () => {
    for (const origin of ['https://spa.example.com', 'HTTPS://SPA.Example.com', 'https://spa.example.com:443']) {
      const res = await send('POST', '/api/v1/trustedOrigins', { name: 'Again', origin, scopes: [{ type: 'CORS' }] });
      const body = await expectError(res, 400, 'E0000001', ['origin: An object with this field already exists']);
      assert.equal(body.errorSummary, 'Api validation failed: origin');
    }
  });

  it('validates name, origin and scopes with exact causes', async () => {
    const cases: [unknown, string[]][] = [
      [{ origin: 'https://a.example.com', scopes: [{ type: 'CORS' }] }, ['name: The field cannot be left blank']],
      [{ name: '  ', origin: 'https://a.example.com', scopes: [{ type: 'CORS' }] }, ['name: The field cannot be left blank']],
      [{ name: 'x'.repeat(256), origin: 'https://a.example.com', scopes: [{ type: 'CORS' }] }, ['name: The field cannot exceed 255 characters']],
      [{ name: 7, origin: 'https://a.example.com', scopes: [{ type: 'CORS' }] }, ['name: The field must be a string']],
      [{ name: 'A', scopes: [{ type: 'CORS' }] }, ['origin: The field cannot be left blank']],
      [{ name: 'A', origin: `https://${'a'.repeat(250)}.com`, scopes: [{ type: 'CORS' }] }, ['origin: The field cannot exceed 255 characters']],
      [{ name: 'A', origin: 'https://a.example.com', scopes: [] }, ['scopes: The field cannot be left blank']],
      [{ name: 'A', origin: 'https://a.example.com' }, ['scopes: The field cannot be left blank']],
      [{ name: 'A', origin: 'https://a.example.com', scopes: 'CORS' }, ['scopes: The field must be an array']],
      [{ name: 'A', origin: 'https://a.example.com', scopes: [{ type: 'XHR' }] }, ['scopes: Invalid scope type: XHR. Valid types are CORS, REDIRECT, IFRAME_EMBED']],
      [{ name: 'A', origin: 'https://a.example.com', scopes: ['CORS'] }, ['scopes: Scope 0 must be an object with a type']],
      [{ name: 'A', origin: 'https://a.example.com', scopes: [{ type: 'CORS' }, { type: 'CORS' }] }, ['scopes: Each scope type may appear only once']],
      [{ name: 'A', origin: 'https://a.example.com', scopes: [{ type: 'CORS', allowedOktaApps: ['OKTA_ENDUSER'] }] }, ['scopes: allowedOktaApps applies only to the IFRAME_EMBED scope']],
      [{ name: 'A', origin: 'https://a.example.com', scopes: [{ type: 'IFRAME_EMBED', allowedOktaApps: ['ADMIN'] }] }, ['scopes: allowedOktaApps may only contain OKTA_ENDUSER']],
      [{}, ['name: The field cannot be left blank', 'origin: The field cannot be left blank', 'scopes: The field cannot be left blank']],
    ];
    for (const [body, causes] of cases) {
      const res = await send('POST', '/api/v1/trustedOrigins', body);
      await expectError(res, 400, 'E0000001', causes);
    }
  });

  it('accepts only scheme://host[:port]: no path, trailing slash, query, fragment or credentials', async () => {
    const shape = 'origin: The origin must be scheme://host[:port], without a path, query, fragment or trailing slash';
    for (const origin of [
      'https://a.example.com/', 'https://a.example.com/app', 'https://a.example.com?x=1', 'https://a.example.com#f',
      'https://user@a.example.com', 'a.example.com', 'https://', 'https://a.example.com:99999', 'https://*.example.com', 'null',
    ]) {
      const res = await send('POST', '/api/v1/trustedOrigins', { name: 'A', origin, scopes: [{ type: 'CORS' }] });
      await expectError(res, 400, 'E0000001', [shape]);
    }
    const res = await send('POST', '/api/v1/trustedOrigins', { name: 'A', origin: 'javascript://a.example.com', scopes: [{ type: 'CORS' }] });
    await expectError(res, 400, 'E0000001', ['origin: The scheme must be one of: http, https, ftp, ionic, capacitor']);
  });

  it('answers a non-object or malformed body with E0000003', async () => {
    await expectError(await send('POST', '/api/v1/trustedOrigins', '[1]'), 400, 'E0000003');
    await expectError(await send('POST', '/api/v1/trustedOrigins', '{"name":'), 400, 'E0000003');
  });

  it('requires an API token', async () => {
    const res = await fetch(`${s.orgUrl}/api/v1/trustedOrigins`, { headers: { accept: 'application/json' } });
    await expectError(res, 401, 'E0000011');
  });
});

describe('GET, PUT, DELETE /api/v1/trustedOrigins/{id} and lifecycle', () => {
  let id: string;

  before(async () => {
    id = (await create({ name: 'Lifecycle', origin: 'https://life.example.com', scopes: [{ type: 'CORS' }] })).id;
  });

  it('reads one, or 404 E0000007', async () => {
    const res = await s.api(`/api/v1/trustedOrigins/${id}`);
    assert.equal(res.status, 200);
    assert.equal((await json(res)).origin, 'https://life.example.com');
    await expectError(await s.api('/api/v1/trustedOrigins/tosMissing'), 404, 'E0000007');
  });

  it('replaces name, origin and scopes but not the status', async () => {
    const res = await send('PUT', `/api/v1/trustedOrigins/${id}`, {
      id: 'ignored', name: 'Lifecycle 2', origin: 'https://life2.example.com', scopes: [{ type: 'REDIRECT' }], status: 'INACTIVE',
      created: '2000-01-01T00:00:00.000Z', createdBy: 'nobody',
    });
    const o = await json(res);
    assert.equal(res.status, 200, JSON.stringify(o));
    assert.equal(o.id, id);
    assert.equal(o.name, 'Lifecycle 2');
    assert.equal(o.origin, 'https://life2.example.com');
    assert.deepEqual(o.scopes, [{ type: 'REDIRECT' }]);
    assert.equal(o.status, 'ACTIVE');
    assert.equal(o.createdBy, adminId);
    assert.notEqual(o.created, '2000-01-01T00:00:00.000Z');
  });

  it('PUT validates like POST, rejects a taken origin, and 404s for a missing id', async () => {
    await expectError(await send('PUT', `/api/v1/trustedOrigins/${id}`, { name: 'x', origin: 'https://spa.example.com', scopes: [{ type: 'CORS' }] }),
      400, 'E0000001', ['origin: An object with this field already exists']);
    await expectError(await send('PUT', `/api/v1/trustedOrigins/${id}`, { name: 'x', origin: 'https://x.example.com/', scopes: [{ type: 'CORS' }] }),
      400, 'E0000001');
    await expectError(await send('PUT', '/api/v1/trustedOrigins/tosMissing', { name: 'x', origin: 'https://x.example.com', scopes: [{ type: 'CORS' }] }),
      404, 'E0000007');
    // Its own origin is not a duplicate of itself.
    const res = await send('PUT', `/api/v1/trustedOrigins/${id}`, { name: 'Lifecycle 3', origin: 'https://LIFE2.example.com', scopes: [{ type: 'CORS' }] });
    assert.equal(res.status, 200);
  });

  it('deactivates and activates, idempotently, with the matching lifecycle link', async () => {
    let res = await send('POST', `/api/v1/trustedOrigins/${id}/lifecycle/deactivate`);
    let o = await json(res);
    assert.equal(res.status, 200);
    assert.equal(o.status, 'INACTIVE');
    assert.equal(o._links.activate.href, `${s.orgUrl}/api/v1/trustedOrigins/${id}/lifecycle/activate`);
    assert.equal(o._links.deactivate, undefined);
    res = await send('POST', `/api/v1/trustedOrigins/${id}/lifecycle/deactivate`);
    assert.equal((await json(res)).status, 'INACTIVE');
    res = await send('POST', `/api/v1/trustedOrigins/${id}/lifecycle/activate`);
    o = await json(res);
    assert.equal(o.status, 'ACTIVE');
    assert.ok(o._links.deactivate);
    await expectError(await send('POST', '/api/v1/trustedOrigins/tosMissing/lifecycle/activate'), 404, 'E0000007');
  });

  it('deletes with 204, then 404', async () => {
    const res = await send('DELETE', `/api/v1/trustedOrigins/${id}`);
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
    await expectError(await s.api(`/api/v1/trustedOrigins/${id}`), 404, 'E0000007');
    await expectError(await send('DELETE', `/api/v1/trustedOrigins/${id}`), 404, 'E0000007');
  });

  it('logs every change to the System Log with the administrator as actor', async () => {
    await flushSystemLog(s.container);
    const res = await s.api(`/api/v1/logs?filter=${encodeURIComponent(`target.id eq "${id}"`)}`);
    const events = await json(res);
    assert.deepEqual(events.map((e: any) => e.eventType), [
      'security.trusted_origin.create', 'security.trusted_origin.update', 'security.trusted_origin.update',
      'security.trusted_origin.deactivate', 'security.trusted_origin.activate', 'security.trusted_origin.delete',
    ]);
    for (const e of events) {
      assert.equal(e.actor.id, adminId);
      assert.equal(e.actor.type, 'User');
      assert.equal(e.actor.alternateId, TEST_ADMIN_LOGIN);
      assert.equal(e.outcome.result, 'SUCCESS');
      assert.equal(e.target[0].type, 'TrustedOrigin');
      assert.match(e.transaction.id, /^req/);
    }
    assert.deepEqual(events[1].target[0].changeDetails.from.origin, 'https://life.example.com');
    assert.deepEqual(events[1].target[0].changeDetails.to.origin, 'https://life2.example.com');
  });
});

describe('GET /api/v1/trustedOrigins', () => {
  before(async () => {
    for (const n of ['alpha', 'beta', 'gamma']) {
      await create({ name: `List ${n}`, origin: `https://${n}.list.example.com`, scopes: [{ type: n === 'beta' ? 'REDIRECT' : 'CORS' }] });
    }
    const beta = await json(await s.api(`/api/v1/trustedOrigins?q=${encodeURIComponent('List beta')}`));
    await send('POST', `/api/v1/trustedOrigins/${beta[0].id}/lifecycle/deactivate`);
  });

  it('lists everything, 20 per page by default', async () => {
    const res = await s.api('/api/v1/trustedOrigins');
    const all = await json(res);
    assert.equal(res.status, 200);
    assert.ok(all.length >= 10 && all.length <= 20);
    assert.match(res.headers.get('link')!, /rel="self"/);
    assert.match(res.headers.get('link')!, /limit=20/);
  });

  it('pages with limit and after through the Link header', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${s.orgUrl}/api/v1/trustedOrigins?limit=3&q=List`;
    let pages = 0;
    while (url) {
      const res = await s.api(url.slice(s.orgUrl.length));
      const page = await json(res);
      seen.push(...page.map((o: any) => o.name));
      const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '');
      url = next?.[1];
      pages++;
    }
    assert.equal(pages, 1);
    assert.deepEqual(seen.sort(), ['List alpha', 'List beta', 'List gamma']);

    const first = await s.api('/api/v1/trustedOrigins?limit=2');
    const link = first.headers.get('link')!;
    const next = /<([^>]+)>; rel="next"/.exec(link)![1]!;
    assert.ok(next.startsWith(`${s.orgUrl}/api/v1/trustedOrigins?`));
    const second = await json(await s.api(next.slice(s.orgUrl.length)));
    const firstIds = (await json(first)).map((o: any) => o.id);
    assert.equal(second.length, 2);
    assert.ok(second.every((o: any) => !firstIds.includes(o.id) && o.id > firstIds[1]));
  });

  it('q is a case-insensitive prefix of the name or the origin', async () => {
    const byName = await json(await s.api('/api/v1/trustedOrigins?q=list%20g'));
    assert.deepEqual(byName.map((o: any) => o.name), ['List gamma']);
    const byOrigin = await json(await s.api(`/api/v1/trustedOrigins?q=${encodeURIComponent('HTTPS://ALPHA.')}`));
    assert.deepEqual(byOrigin.map((o: any) => o.name), ['List alpha']);
  });

  it('filters on name, origin, status and scope type', async () => {
    const names = async (filter: string) =>
      (await json(await s.api(`/api/v1/trustedOrigins?q=List&filter=${encodeURIComponent(filter)}`))).map((o: any) => o.name).sort();
    assert.deepEqual(await names('name eq "List alpha"'), ['List alpha']);
    assert.deepEqual(await names('origin eq "https://gamma.list.example.com"'), ['List gamma']);
    assert.deepEqual(await names('status eq "INACTIVE"'), ['List beta']);
    assert.deepEqual(await names('type eq "CORS"'), ['List alpha', 'List gamma']);
    assert.deepEqual(await names('type eq "REDIRECT" or (status eq "ACTIVE" and name eq "List gamma")'), ['List beta', 'List gamma']);
  });

  it('rejects a malformed or unsupported filter with E0000031', async () => {
    for (const filter of ['name eq', 'name co "x"', 'createdBy eq "x"', 'name eq "x" and', '(name eq "x"']) {
      await expectError(await s.api(`/api/v1/trustedOrigins?filter=${encodeURIComponent(filter)}`), 400, 'E0000031');
    }
  });

  it('rejects an invalid limit or cursor with E0000029', async () => {
    await expectError(await s.api('/api/v1/trustedOrigins?limit=abc'), 400, 'E0000029');
    await expectError(await s.api('/api/v1/trustedOrigins?after=%24%24'), 400, 'E0000029');
  });
});

describe('@okta/okta-sdk-nodejs TrustedOriginApi', () => {
  it('creates, reads, lists across pages, replaces, deactivates and deletes', async () => {
    const client = new okta.Client({ orgUrl: s.orgUrl, token: s.token, ...({ testing: { disableHttpsCheck: true } } as object) });
    const api = client.trustedOriginApi;
    const created = await api.createTrustedOrigin({
      trustedOrigin: { name: 'SDK origin', origin: 'https://sdk.example.com', scopes: [{ type: 'CORS' }, { type: 'REDIRECT' }] },
    });
    assert.equal(created.status, 'ACTIVE');
    assert.deepEqual(created.scopes?.map((x) => x.type), ['CORS', 'REDIRECT']);
    const id = created.id!;
    assert.equal((await api.getTrustedOrigin({ trustedOriginId: id })).origin, 'https://sdk.example.com');

    const seen: string[] = [];
    for await (const o of await api.listTrustedOrigins({ limit: 2 })) if (o) seen.push(o.id!);
    const all = (await json(await s.api('/api/v1/trustedOrigins?limit=200'))).map((o: any) => o.id);
    assert.deepEqual(seen, all, 'every page followed through rel="next"');

    const replaced = await api.replaceTrustedOrigin({
      trustedOriginId: id, trustedOrigin: { name: 'SDK origin 2', origin: 'https://sdk2.example.com', scopes: [{ type: 'CORS' }] },
    });
    assert.equal(replaced.name, 'SDK origin 2');
    assert.equal((await api.deactivateTrustedOrigin({ trustedOriginId: id })).status, 'INACTIVE');
    assert.equal((await api.activateTrustedOrigin({ trustedOriginId: id })).status, 'ACTIVE');
    await api.deleteTrustedOrigin({ trustedOriginId: id });
    await assert.rejects(api.getTrustedOrigin({ trustedOriginId: id }), (err: { status?: number; errorCode?: string }) => err.status === 404 && err.errorCode === 'E0000007');
  });
});
