/** The one migration history both dialects share, in order. Migrations are code, never files read at run time. */
import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001_initial.js';
import * as m002 from './002_trusted_origins_and_logs.js';

const migrations: Record<string, Migration> = {
  '001_initial': m001,
  '002_trusted_origins_and_logs': m002,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
