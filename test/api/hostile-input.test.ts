/**
 * Malformed and hostile input never reaches a 5xx: odd path segments and query values, and wrong JSON
 * types in every field of every body, each answered with an Okta 4xx error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
const failures: string[] = [];
let ids: { app: string; user: string; group: string };

before(async () => {
  s = await startTestServer();
  const post = async (path: string, body: unknown) => (await json(await s.api(path, { method: 'POST', body: JSON.stringify(body) }))).id as string;
  ids = {
    app: await post('/api/v1/apps', { label: 'h', signOnMode: 'OPENID_CONNECT', settings: { oauthClient: { grant_types: ['client_credentials'], application_type: 'service' } } }),
    user: await post('/api/v1/users', { profile: { login: 'hostile@example.com' } }),
    group: await post('/api/v1/groups', { profile: { name: 'hostile' } }),
  };
});
after(async () => {
  await s?.close();
});

async function hit(method: string, path: string, body?: string): Promise<void> {
  const res = await s.api(path, { method, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  if (res.status >= 500) failures.push(`${res.status} ${method} ${path} ${body?.slice(0, 80) ?? ''} → ${text.slice(0, 120)}`);
  else if (res.status >= 400) assert.match(JSON.parse(text).errorCode, /^E\d{7}$/);
}

const VALUES: unknown[] = [null, 1e308, true, '\u0000', 'x'.repeat(3000), [null], { nested: { deep: [1] } }];

describe('hostile input', () => {
  it('odd path segments and query values', async () => {
    for (const w of ['a%00b', '%F0%9F%98%80', "'%20or%201=1--", 'x'.repeat(190)]) {
      const { app, group } = ids;
      for (const p of [`/api/v1/users/${w}`, `/api/v1/groups/${w}`, `/api/v1/apps/${w}`, `/api/v1/users/${w}/groups`,
        `/api/v1/groups/${group}/users/${w}`, `/api/v1/apps/${app}/users/${w}`, `/api/v1/apps/${app}/groups/${w}`,
        `/api/v1/apps/${app}/credentials/secrets/${w}`, `/api/v1/users/${w}/lifecycle/suspend`]) {
        for (const m of ['GET', 'DELETE']) await hit(m, p);
        for (const m of ['PUT', 'POST']) await hit(m, p, '{}');
      }
      for (const q of ['q', 'filter', 'search', 'after', 'limit']) {
        for (const r of ['users', 'groups', 'apps']) await hit('GET', `/api/v1/${r}?${q}=${w}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('wrong JSON types in every field', async () => {
    const { app, user, group } = ids;
    const appBody = () => ({
      label: 'h', signOnMode: 'OPENID_CONNECT',
      credentials: { oauthClient: {} as Record<string, unknown>, userNameTemplate: {} },
      settings: { oauthClient: { grant_types: ['authorization_code'], redirect_uris: ['https://h.example.com/cb'] } as Record<string, unknown>, notes: {} },
    });
    for (const v of VALUES) {
      for (const k of ['application_type', 'grant_types', 'redirect_uris', 'response_types', 'post_logout_redirect_uris', 'consent_method',
        'issuer_mode', 'wildcard_redirect', 'refresh_token', 'idp_initiated_login', 'initiate_login_uri', 'jwks', 'jwks_uri', 'logo_uri']) {
        const b = appBody();
        b.settings.oauthClient[k] = v;
        await hit('PUT', `/api/v1/apps/${app}`, JSON.stringify(b));
      }
      for (const k of ['client_id', 'client_secret', 'token_endpoint_auth_method', 'pkce_required']) {
        const b = appBody();
        b.credentials.oauthClient[k] = v;
        await hit('PUT', `/api/v1/apps/${app}`, JSON.stringify(b));
      }
      for (const k of ['label', 'name', 'signOnMode', 'settings', 'credentials', 'visibility', 'profile']) {
        await hit('PUT', `/api/v1/apps/${app}`, JSON.stringify({ ...appBody(), [k]: v }));
      }
      await hit('POST', `/api/v1/users/${user}`, JSON.stringify({ profile: { login: v, email: v, firstName: v } }));
      await hit('POST', `/api/v1/users/${user}`, JSON.stringify({ profile: v, credentials: v }));
      await hit('POST', `/api/v1/users/${user}`, JSON.stringify({ credentials: { password: v } }));
      await hit('POST', `/api/v1/users/${user}`, JSON.stringify({ credentials: { password: { value: v } } }));
      await hit('POST', '/api/v1/users?activate=false', JSON.stringify({ profile: { login: 'new-hostile@example.com' }, groupIds: v }));
      await hit('PUT', `/api/v1/groups/${group}`, JSON.stringify({ profile: { name: v, description: v } }));
      await hit('POST', `/api/v1/apps/${app}/users`, JSON.stringify({ id: v, credentials: v, profile: v }));
      await hit('POST', `/api/v1/apps/${app}/users`, JSON.stringify({ id: user, scope: v, credentials: { userName: v } }));
      await hit('PUT', `/api/v1/apps/${app}/groups/${group}`, JSON.stringify({ priority: v, profile: v }));
      await hit('POST', `/api/v1/apps/${app}/credentials/secrets`, JSON.stringify({ client_secret: v, status: v }));
      for (const path of ['/api/v1/users', '/api/v1/groups', '/api/v1/apps', `/api/v1/apps/${app}/users`]) await hit('POST', path, JSON.stringify(v));
    }
    assert.deepEqual(failures, []);
  });
});
