/** Opens the configured database, brings its schema up to date and wraps it in the Store. */
import type { DatabaseConfig } from '../config/config.js';
import { migrate, openDatabase } from '../db/database.js';
import { createKyselyStore } from './kysely-store.js';
import type { Store } from './store.js';

export async function openStore(cfg: DatabaseConfig): Promise<Store> {
  const opened = await openDatabase(cfg);
  try {
    await migrate(opened.db);
  } catch (err) {
    await opened.close().catch(() => undefined);
    throw err;
  }
  return { ...createKyselyStore(opened.db, opened.dialect), close: () => opened.close() };
}
