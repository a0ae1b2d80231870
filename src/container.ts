/**
 * The composition root: the one place that constructs services and wires their dependencies.
 * Everything else receives narrow dependencies (`Pick<Container, ...>`).
 */
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { SecretBox } from './crypto/secret-box.js';
import { KeyStore } from './keys/keystore.js';
import { systemClock, type Clock } from './lib/time.js';
import type { Store } from './store/store.js';
import { ConfigCache } from './oauth/config-cache.js';

export interface Container {
  config: Config;
  store: Store;
  box: SecretBox;
  keys: KeyStore;
  /** Cached reads of apps, authorization servers, scopes, claims and policies. */
  cache: ConfigCache;
  clock: Clock;
  log: Logger;
  /** Set once migrations and the org bootstrap have completed. */
  ready: { value: boolean };
}

export function createContainer(opts: { config: Config; store: Store; secretKey: string; log: Logger; clock?: Clock }): Container {
  const clock = opts.clock ?? systemClock;
  const box = new SecretBox(opts.secretKey);
  return {
    config: opts.config,
    store: opts.store,
    box,
    keys: new KeyStore(opts.store.signingKeys, box, opts.config.cacheTtlMs, () => clock.now()),
    cache: new ConfigCache(opts.store, opts.config.cacheTtlMs, clock),
    clock,
    log: opts.log,
    ready: { value: false },
  };
}
