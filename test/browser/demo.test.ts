/**
 * The demo (`npm run demo`, scripts/demo.mjs) in a real browser: Debian's Chromium driven by
 * playwright-core (never a downloaded browser). The demo runs on free ports with its own data folder;
 * the test opens the gateway, signs in on Gatehouse, comes back through /callback, sees its claims,
 * makes the access token expire and watches the page renew it through /api/v1/auth/refresh, then
 * signs out and checks that the next visit asks for the password again.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { chromium, type Browser } from 'playwright-core';
import { freePort } from '../support/server.js';

const CHROMIUM = '/usr/bin/chromium';
const LOGIN = 'demo@example.com';
const PASSWORD = 'Demo-Browser-9!';

for (const mode of ['refresh', 'silent'] as const) describe(`npm run demo in Chromium (renewal through ${mode === 'refresh' ? '/api/v1/auth/refresh' : '/silent-callback'})`, () => {
  let demo: ChildProcess;
  let dataDir: string;
  let gatewayUrl: string;
  let orgUrl: string;
  let browser: Browser;
  let output = '';

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium); this test never downloads a browser`);
    }
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
    const [gatehousePort, gatewayPort, appPort] = [await freePort(), await freePort(), await freePort()];
    gatewayUrl = `http://localhost:${gatewayPort}`;
    orgUrl = `http://localhost:${gatehousePort}`;
    demo = spawn(process.execPath, ['scripts/demo.mjs'], {
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME,
        GATEHOUSE_PORT: String(gatehousePort), GATEWAY_PORT: String(gatewayPort), DEMO_APP_PORT: String(appPort),
        DEMO_DATA_DIR: dataDir, DEMO_FROM_SOURCE: '1', GATEHOUSE_DEMO_PASSWORD: PASSWORD,
        ...(mode === 'silent' ? { DEMO_NO_REFRESH: '1' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo did not start in time:\n${output}`)), 180_000);
      const onData = (c: Buffer) => {
        output += c.toString();
        if (output.includes('Gatehouse demo is running')) {
          clearTimeout(timer);
          resolve();
        }
      };
      demo.stdout!.on('data', onData);
      demo.stderr!.on('data', (c: Buffer) => (output += c.toString()));
      demo.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the demo exited (${code}):\n${output}`));
      });
    });
    assert.match(output, new RegExp(`Open ${gatewayUrl}`));
    assert.match(output, new RegExp(`${LOGIN.replace('.', '\\.')}\\s+password\\s+${PASSWORD.replace('!', '\\!')}`));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  after(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      const exited = new Promise((r) => demo.once('exit', r));
      demo.kill('SIGTERM');
      await exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in through Gatehouse, shows the claims, renews, and signs out of Gatehouse too', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const visited: string[] = [];
    page.on('request', (r) => { if (r.isNavigationRequest()) visited.push(r.url()); });

    await page.goto(gatewayUrl);
    // Sent to Gatehouse's hosted sign-in page.
    await page.waitForSelector('input[name="password"]');
    assert.equal(new URL(page.url()).origin, orgUrl);
    await page.fill('input[name="username"]', LOGIN);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.origin === gatewayUrl && u.pathname === '/'), page.click('button[type="submit"], input[type="submit"]')]);
    assert.ok(visited.some((u) => u.startsWith(`${gatewayUrl}/callback?`)), `came back through /callback: ${visited.join(' ')}`);

    // The demo page: who is signed in and the ID token's claims (filled from /api/v1/auth/session).
    await page.waitForFunction(() => document.getElementById('claims')?.textContent?.includes('"email"'));
    assert.equal(await page.textContent('#email'), LOGIN);
    assert.equal(await page.textContent('#user'), 'demo');
    const claims = JSON.parse((await page.textContent('#claims'))!);
    assert.equal(claims.email, LOGIN);
    assert.equal(claims.name, 'Demo User');
    assert.equal(await page.textContent('#name'), 'Demo User');
    assert.equal(await page.textContent('#renewal'), mode);
    assert.match((await page.textContent('#identity'))!, /"sub": "demo"/);

    // Make the access token expire (in the gateway's session store), then renew from the page.
    const sessions = new Database(join(dataDir, 'gateway-sessions.db'));
    const expired = Date.now() - 1000;
    const changed = sessions.prepare(`UPDATE gatehouse_gateway_kv SET value = json_set(value, '$.accessTokenExpiresAt', ?) WHERE key LIKE 'session:%'`).run(expired).changes;
    sessions.close();
    assert.equal(changed, 1);
    if (mode === 'refresh') {
      const [refresh] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${gatewayUrl}/api/v1/auth/refresh`),
        page.click('#renew'),
      ]);
      assert.equal(refresh.status(), 200);
      const body = await refresh.json() as { accessToken: string; expiryDuration: number };
      assert.equal(body.accessToken.split('.').length, 3);
      assert.ok(body.expiryDuration > Date.now(), `expiryDuration ${body.expiryDuration} is in the future`);
      await page.waitForFunction(() => document.getElementById('renewed-at')?.textContent?.includes('via refresh'));
    } else {
      // No refresh token: /refresh says so, and the page renews in a hidden iframe through /silent-callback.
      const [refresh, silent] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${gatewayUrl}/api/v1/auth/refresh`),
        page.waitForRequest((r) => r.url().startsWith(`${gatewayUrl}/silent-callback?`)),
        page.click('#renew'),
      ]);
      assert.equal(refresh.status(), 401);
      assert.equal((await refresh.json() as { error: string }).error, 'refresh_unavailable');
      assert.ok(silent);
      await page.waitForFunction(() => document.getElementById('renewed-at')?.textContent?.includes('via silent'));
    }
    const session = await page.evaluate(() => fetch('/api/v1/auth/session').then((r) => r.json())) as { tokenExpiresAt: string; renewedAt: string };
    assert.ok(Date.parse(session.tokenExpiresAt) > Date.now() + 60_000, `renewed token expires ${session.tokenExpiresAt}`);
    assert.ok(session.renewedAt);

    // Sign out: the gateway session and the Gatehouse session end; the next visit asks for the password.
    await Promise.all([page.waitForSelector('input[name="password"]'), page.click('#sign-out')]);
    assert.ok(visited.some((u) => u.startsWith(`${orgUrl}/oauth2/`) && u.includes('/v1/logout')), `went through Gatehouse's logout: ${visited.join(' ')}`);
    assert.equal(new URL(page.url()).origin, orgUrl);
    await page.goto(gatewayUrl);
    await page.waitForSelector('input[name="password"]');
    assert.equal(new URL(page.url()).origin, orgUrl, 'the next visit asks for the password again');
    await context.close();
  });
});
