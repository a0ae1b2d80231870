/**
 * Starts one Gatehouse node: open and migrate the database, check the secret key, bootstrap the org,
 * build the HTTP app and listen. Any failure is a StartupError with a message fit for an operator.
 */
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { ConfigError, type Config } from '../config/config.js';
import { createContainer, type Container } from '../container.js';
import { DatabaseUnavailableError } from '../db/database.js';
import { buildApp } from '../http/app.js';
import { startAutoRotation } from '../keys/auto-rotation.js';
import type { Clock } from '../lib/time.js';
import { openStore } from '../store/open-store.js';
import { bootstrapOrg, type BootstrapResult } from './bootstrap-org.js';
import { startMaintenance } from './maintenance.js';
import { resolveSecretKey, verifySecretKey } from './secret-key.js';

export class StartupError extends Error {
  override name = 'StartupError';
}

export interface RunningServer {
  app: FastifyInstance;
  container: Container;
  /** The URL the node listens on (not necessarily the public org URL). */
  url: string;
  bootstrap: BootstrapResult;
  close(): Promise<void>;
}

export async function startServer(config: Config, opts: { logger?: Logger; clock?: Clock; listen?: boolean } = {}): Promise<RunningServer> {
  const log = opts.logger ?? pino({ level: config.logLevel });
  let store;
  try {
    store = await openStore(config.database);
  } catch (err) {
    if (err instanceof DatabaseUnavailableError) throw new StartupError(err.message);
    throw err;
  }
  try {
    const { key } = resolveSecretKey(config);
    await verifySecretKey(store, key);
    const container = createContainer({ config, store, secretKey: key, log, ...(opts.clock ? { clock: opts.clock } : {}) });
    const bootstrap = await bootstrapOrg(container);
    // Awaited: a fresh node publishes its NEXT keys before it serves a request.
    const rotation = await startAutoRotation(container);
    const app = await buildApp(container);
    const maintenance = startMaintenance(container);
    app.addHook('onClose', async () => {
      rotation.stop();
      maintenance.stop();
    });
    container.ready.value = true;
    let url = '';
    if (opts.listen !== false) {
      try {
        url = await app.listen({ port: config.port, host: config.host });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new StartupError(`port ${config.port} on ${config.host} is already in use`);
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new StartupError(`cannot listen on ${config.host}:${config.port} (${code})`);
        if (code === 'EACCES') throw new StartupError(`no permission to listen on port ${config.port}`);
        throw err;
      }
    }
    return {
      app, container, url, bootstrap,
      async close() {
        container.ready.value = false;
        await app.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close().catch(() => undefined);
    if (err instanceof ConfigError) throw new StartupError(err.message);
    throw err;
  }
}
