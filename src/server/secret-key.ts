/**
 * The key that seals private signing keys and client secrets. From GATEHOUSE_SECRET_KEY, or on the
 * embedded default generated once into the data folder. A check value in the database catches a
 * node started with a different key before it can write anything unreadable.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from '../config/config.js';
import { randomToken } from '../crypto/ids.js';
import { SecretBox } from '../crypto/secret-box.js';
import type { Store } from '../store/store.js';

const CHECK_PLAINTEXT = 'gatehouse-secret-key-check';

export function resolveSecretKey(config: Config): { key: string; generated: boolean } {
  if (config.secretKey) return { key: config.secretKey, generated: false };
  const file = join(config.dataDir, 'secret.key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), generated: false };
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomToken(32);
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, generated: true };
}

export async function verifySecretKey(store: Store, key: string): Promise<void> {
  const box = new SecretBox(key);
  const stored = await store.settings.setIfAbsent('secret_key_check', box.seal(CHECK_PLAINTEXT));
  try {
    if (box.open(stored) === CHECK_PLAINTEXT) return;
  } catch {
    // falls through to the error below
  }
  throw new ConfigError('GATEHOUSE_SECRET_KEY does not match the key this database was created with');
}
