/**
 * The management-API client on a fake fetch: SSWS auth, Link pagination followed against the org URL
 * it was given (path prefix included), Okta error objects turned into readable lines, an unreachable
 * org and a non-JSON answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiCallError, ApiClient, nextLink, OrgUnreachableError } from '../../src/declarative/api-client.js';

type Call = { url: string; init: RequestInit };

function fakeFetch(answer: (url: string) => Response, calls: Call[] = []): typeof fetch {
  return (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return answer(String(url));
  }) as typeof fetch;
}

test('nextLink reads rel="next" among several links', () => {
  assert.equal(nextLink('<https://o.example/api/v1/users?limit=2>; rel="self", <https://o.example/api/v1/users?after=abc&limit=2>; rel="next"'), '/api/v1/users?after=abc&limit=2');
  assert.equal(nextLink('<https://o.example/api/v1/users>; rel="self"'), undefined);
  assert.equal(nextLink(null), undefined);
});

test('list follows every page against the org URL it was given, with the SSWS token', async () => {
  const calls: Call[] = [];
  const api = new ApiClient('https://proxy.example/gh/', 'tok', fakeFetch((url) => {
    const page = new URL(url).searchParams.get('after');
    const headers: Record<string, string> = page ? {} : { link: '<https://internal.example/gh/api/v1/groups?after=p2&limit=1>; rel="next"' };
    return new Response(JSON.stringify([{ id: page ?? 'p1' }]), { status: 200, headers });
  }, calls));
  assert.deepEqual(await api.list('/api/v1/groups'), [{ id: 'p1' }, { id: 'p2' }]);
  assert.deepEqual(calls.map((c) => c.url), ['https://proxy.example/gh/api/v1/groups', 'https://proxy.example/gh/api/v1/groups?after=p2&limit=1']);
  assert.equal(new Headers(calls[0]!.init.headers).get('authorization'), 'SSWS tok');
  assert.equal(api.writeCount, 0);
});

test('an Okta error becomes its code, summary and causes', async () => {
  const api = new ApiClient('http://o.example', 't', fakeFetch(() => new Response(JSON.stringify({
    errorCode: 'E0000001', errorSummary: 'Api validation failed: name', errorCauses: [{ errorSummary: 'name: An object with this field already exists' }],
  }), { status: 400 })));
  await assert.rejects(api.send('POST', '/api/v1/groups', {}), (err: unknown) => {
    assert.ok(err instanceof ApiCallError);
    assert.deepEqual(err.lines, ['E0000001 Api validation failed: name', '  - name: An object with this field already exists']);
    return true;
  });
  assert.equal(api.writeCount, 1);
});

test('an unreachable org, a refused token and a non-JSON answer are told apart', async () => {
  const down = new ApiClient('http://o.example', 't', (async () => {
    throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  }) as typeof fetch);
  await assert.rejects(down.get('/api/v1/users'), (err: unknown) => err instanceof OrgUnreachableError && /ECONNREFUSED/.test(err.message));
  const refused = new ApiClient('http://o.example', 't', fakeFetch(() => new Response('', { status: 401 })));
  await assert.rejects(refused.get('/api/v1/users'), /refused the API token/);
  const html = new ApiClient('http://o.example', 't', fakeFetch(() => new Response('<html></html>', { status: 200 })));
  await assert.rejects(html.get('/api/v1/users'), /not JSON; is http:\/\/o\.example a Gatehouse or Okta org\?/);
});
