/**
 * `gatehouse export` run for real: the export of an org (the seed's example plus a varied fixture)
 * holds no ids, secrets, system scopes or built-in groups; applying it to the same org writes nothing;
 * applying it to a fresh org reproduces the org, so that org exports to the same file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { json, startTestServer, type TestServer } from '../support/server.js';
import { startRecordingProxy, type RecordingProxy } from './support/recording-proxy.js';
import { runCli } from './support/run-cli.js';

const FILES = ['examples/openmetadata/gatehouse.yaml', 'test/declarative/fixtures/varied-org.yaml'];
const ENV = { GATEHOUSE_DEMO_PASSWORD: 'Demo-Passw0rd!' };

let source: TestServer;
let fresh: TestServer;
let proxy: RecordingProxy;
let dir: string;

before(async () => {
  [source, fresh] = await Promise.all([startTestServer(), startTestServer()]);
  proxy = await startRecordingProxy(source.url);
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-export-'));
  for (const file of FILES) {
    const run = await runCli(['apply', '-f', file, '--org-url', source.url, '--token', source.token], ENV);
    assert.equal(run.code, 0, run.stderr);
  }
});

after(async () => {
  await proxy?.close();
  await Promise.all([source?.close(), fresh?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** The file without its header comment (which names the org and the time). */
const body = (text: string): string => text.split('\n').filter((l) => !l.startsWith('#')).join('\n');

async function exportTo(server: TestServer, name: string): Promise<string> {
  const path = join(dir, name);
  const run = await runCli(['export', '-o', path, '--org-url', server.url, '--token', server.token]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`Exported ${server.url} to ${path}`));
  return path;
}

test('the export names things, and holds no ids, secrets, system scopes or built-in groups', async () => {
  const path = await exportTo(source, 'source.yaml');
  const text = body(readFileSync(path, 'utf8'));
  const doc = parse(text);
  const apps = await json(await source.api('/api/v1/apps'));
  for (const app of apps) {
    assert.ok(!text.includes(app.id), `no app id (${app.label})`);
    const full = await json(await source.api(`/api/v1/apps/${app.id}`));
    if (full.credentials.oauthClient.client_secret) assert.ok(!text.includes(full.credentials.oauthClient.client_secret), 'no client secret');
  }
  assert.ok(!/\b(00u|00g|aus|scp|ocl|00p|0pr|tos)[A-Za-z0-9]{10,}\b/.test(text), 'no ids of any kind');
  assert.ok(!/password:|client_secret:/.test(text), 'no passwords or secrets');
  assert.deepEqual(doc.groups.map((g: any) => g.profile.name), ['Engineering', 'Readers']);
  const om = doc.authorizationServers.find((s: any) => s.name === 'openmetadata');
  assert.deepEqual(om.audiences, ['app:OpenMetadata']);
  assert.deepEqual(om.scopes.map((s: any) => s.name), ['openmetadata'], 'no system scopes');
  assert.deepEqual(om.policies[0].conditions.clients.include, ['app:OpenMetadata']);
  assert.deepEqual(om.policies[0].rules[0].conditions.people.groups.include, ['Everyone']);
  const app = doc.apps.find((a: any) => a.label === 'OpenMetadata');
  assert.deepEqual(app.assignments, { groups: ['Everyone'] });
  assert.equal(app.credentials, undefined, 'the default auth method and a generated client id are left out');
  assert.equal(app.settings.oauthClient.consent_method, undefined, 'Okta\'s default TRUSTED is left out');
  assert.equal(app.settings.oauthClient.refresh_token.rotation_type, 'ROTATE');
  const batch = doc.apps.find((a: any) => a.label === 'Batch job');
  assert.equal(batch.credentials.oauthClient.client_id, 'batch-job-client', 'a client id an administrator chose is kept');
  assert.equal(batch.status, 'INACTIVE');
});

test('applying the export to the same org changes nothing', async () => {
  const path = await exportTo(source, 'same.yaml');
  const run = await runCli(['apply', '-f', path, '--org-url', proxy.url, '--token', source.token]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^No changes\. The org matches /m);
  assert.deepEqual(proxy.writes(), []);
});

test('applying the export to a fresh org reproduces the org', async () => {
  const path = await exportTo(source, 'to-fresh.yaml');
  const first = await runCli(['apply', '-f', path, '--org-url', fresh.url, '--token', fresh.token]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^\+ create app OpenMetadata$/m);
  assert.match(first.stdout, /^= unchanged authorizationServer default$/m);
  const again = await runCli(['apply', '-f', path, '--org-url', fresh.url, '--token', fresh.token]);
  assert.match(again.stdout, /^No changes\. /m, again.stdout);

  const reproduced = await exportTo(fresh, 'fresh.yaml');
  assert.equal(body(readFileSync(reproduced, 'utf8')), body(readFileSync(path, 'utf8')));

  // References were resolved against the fresh org's own ids.
  const apps = await json(await fresh.api('/api/v1/apps'));
  const app = apps.find((a: any) => a.label === 'OpenMetadata');
  const servers = await json(await fresh.api('/api/v1/authorizationServers'));
  assert.deepEqual(servers.find((s: any) => s.name === 'openmetadata').audiences, [app.credentials.oauthClient.client_id]);
});

test('without -o the export goes to standard output', async () => {
  const run = await runCli(['export', '--org-url', source.url, '--token', source.token]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^# Exported from /);
  assert.equal(body(run.stdout), body(readFileSync(join(dir, 'source.yaml'), 'utf8')));
  const noToken = await runCli(['export', '--org-url', source.url]);
  assert.equal(noToken.code, 2);
  assert.match(noToken.stderr, /gatehouse export: no API token/);
});
