/**
 * Starting the gateway: run every start-up check (refusing to start on any error), open the shared
 * session store, load the shared signing key, then listen.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { checkSetup, type CheckOptions } from './checks/index.js';
import type { GatewayConfig } from './config.js';
import type { Env } from './env-values.js';
import { formatFinding, hasErrors, type Finding } from './findings.js';
import { Gateway } from './gateway.js';
import { IdentityTokens, loadGatewayKey } from './identity.js';
import { buildGatewayApp } from './app.js';
import { IdTokenVerifier } from './oidc/id-token.js';
import { openSessionStore, SessionStoreError } from './session-store/open.js';
import { Sessions } from './sessions.js';

export class GatewayStartupError extends Error {
  override name = 'GatewayStartupError';
  constructor(readonly findings: Finding[]) {
    super(findings.filter((f) => f.severity === 'error').map(formatFinding).join('\n'));
  }
}

export interface RunningGateway {
  url: string;
  config: GatewayConfig;
  app: FastifyInstance;
  gateway: Gateway;
  /** Warnings and notes from the start-up checks. */
  findings: Finding[];
  close(): Promise<void>;
}

export interface StartOptions extends CheckOptions {
  log?: FastifyBaseLogger;
  /** Listen on this port instead of GATEWAY_PORT (0 = any free port). */
  port?: number;
}

export async function startGateway(env: Env, opts: StartOptions = {}): Promise<RunningGateway> {
  const checked = await checkSetup(env, opts);
  const { config, metadata, findings } = checked;
  if (hasErrors(findings) || !metadata) throw new GatewayStartupError(findings);
  const log = opts.log ?? (pino({ level: config.logLevel, base: { service: 'gatehouse-gateway' } }) as unknown as FastifyBaseLogger);

  let store;
  try {
    store = await openSessionStore(config.sessionStore!);
  } catch (err) {
    if (err instanceof SessionStoreError) {
      throw new GatewayStartupError([{ severity: 'error', code: 'session-store-unavailable', problem: `GATEWAY_SESSION_STORE: ${err.message}`,
        why: 'sessions and sign-in state live there', fix: 'check the store URL and that the database or Redis server is running' }]);
    }
    throw err;
  }
  try {
    const key = await loadGatewayKey(store);
    const verifier = new IdTokenVerifier({
      issuer: metadata.issuer,
      clientId: config.clientId,
      algorithm: config.preferredJws,
      clockSkewSeconds: config.maxClockSkewSeconds,
      jwksUri: metadata.jwks_uri,
      extraJwksUris: config.publicKeyUrls,
    });
    const identity = new IdentityTokens(key, { issuer: config.serverUrl, audience: config.identityAudience, lifetimeSeconds: 300 });
    const gateway = new Gateway({ config, metadata, sessions: new Sessions(store), verifier, identity, log });
    const { app, proxy } = buildGatewayApp({ gateway, key, store, log });
    await app.listen({ port: opts.port ?? config.port, host: config.host });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    return {
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      config,
      app,
      gateway,
      findings,
      async close() {
        proxy.close();
        await app.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}
