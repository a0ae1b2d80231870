/**
 * A whole test setup: oidc-provider, an echoing upstream, and N gateway replicas sharing one session
 * store (SQLite or PostgreSQL per GATEHOUSE_TEST_DB, or Redis), all behind one public URL.
 */
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import type { Env } from '../../../src/gateway/env-values.js';
import { startGateway, type RunningGateway } from '../../../src/gateway/server.js';
import { createTestDatabase } from '../../support/database.js';
import { Browser } from './browser.js';
import { freePort } from './net.js';
import { startProvider, type TestProvider } from './provider.js';
import { redisUrl } from './redis.js';
import { startUpstream, type Upstream } from './upstream.js';

export const testLog = (): FastifyBaseLogger => pino({ level: process.env.GATEWAY_TEST_LOG ?? 'silent' }) as unknown as FastifyBaseLogger;

export interface Stack {
  publicUrl: string;
  provider: TestProvider;
  upstream: Upstream;
  gateways: RunningGateway[];
  env: Env;
  /** A browser whose requests to the public URL go to replica `i` (see useReplica). */
  browser(): Browser;
  close(): Promise<void>;
}

export interface StackOptions {
  replicas?: number;
  refresh?: boolean;
  store?: 'sql' | 'redis';
  authMethod?: 'client_secret_post' | 'client_secret_basic';
  env?: Env;
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const ports = await Promise.all(Array.from({ length: o.replicas ?? 1 }, () => freePort()));
  const publicUrl = `http://127.0.0.1:${ports[0]}`;
  const upstream = await startUpstream();
  const provider = await startProvider({
    redirectUris: [`${publicUrl}/callback`, `${publicUrl}/silent-callback`],
    postLogoutRedirectUris: [`${publicUrl}/`],
    authMethod: o.authMethod,
  });
  const db = o.store === 'redis' ? undefined : await createTestDatabase();
  const refresh = o.refresh ?? true;
  const env: Env = {
    AUTHENTICATION_PROVIDER: 'custom-oidc',
    AUTHENTICATION_CLIENT_TYPE: 'confidential',
    AUTHENTICATION_AUTHORITY: provider.issuer,
    AUTHENTICATION_CLIENT_ID: provider.clientId,
    AUTHENTICATION_PUBLIC_KEYS: `[${provider.issuer}/jwks, ${publicUrl}/api/v1/system/config/jwks]`,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
    OIDC_DISCOVERY_URI: `${provider.issuer}/.well-known/openid-configuration`,
    OIDC_SERVER_URL: publicUrl,
    OIDC_CALLBACK: `${publicUrl}/callback`,
    OIDC_CLIENT_AUTH_METHOD: o.authMethod ?? 'client_secret_post',
    // oidc-provider keeps offline_access only with prompt=consent (OpenID Connect Core §11).
    OIDC_SCOPE: refresh ? 'openid email profile offline_access' : 'openid email profile',
    OIDC_PROMPT_TYPE: 'consent',
    GATEWAY_REFRESH: String(refresh),
    GATEWAY_UPSTREAM_URL: upstream.url,
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_SESSION_STORE: o.store === 'redis' ? redisUrl : db!.url,
    AUTHORIZER_ADMIN_PRINCIPALS: '[alice]',
    ...o.env,
  };
  const gateways: RunningGateway[] = [];
  try {
    for (const port of ports) gateways.push(await startGateway({ ...env, GATEWAY_PORT: String(port) }, { log: testLog() }));
  } catch (err) {
    await Promise.all(gateways.map((g) => g.close()));
    await provider.close();
    await upstream.close();
    await db?.cleanup();
    throw err;
  }
  return {
    publicUrl,
    provider,
    upstream,
    gateways,
    env,
    browser() {
      return new Browser();
    },
    async close() {
      await Promise.all(gateways.map((g) => g.close()));
      await provider.close();
      await upstream.close();
      await db?.cleanup();
    },
  };
}

/** Sends the browser's requests for the public URL to replica `i` of the stack. */
export function useReplica(b: Browser, s: Stack, i: number): Browser {
  const target = new URL(s.gateways[i]!.url);
  b.route = (u) => {
    if (u.origin !== s.publicUrl) return u;
    const r = new URL(u);
    r.host = target.host;
    return r;
  };
  return b;
}
