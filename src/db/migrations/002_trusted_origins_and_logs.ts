/** Trusted origins (CORS / redirect / iframe allow-list) and the System Log. */
import type { Kysely } from 'kysely';

const ts = 'bigint';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('trusted_origins')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('origin_lower', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('last_updated', ts, (c) => c.notNull())
    .addColumn('last_updated_by', 'text')
    .execute();

  await db.schema.createTable('system_log')
    .addColumn('uuid', 'text', (c) => c.primaryKey())
    .addColumn('published', ts, (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('display_message', 'text')
    .addColumn('outcome_result', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('target_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('client_ip', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  // (published, uuid) is the page order in both directions; event_type and actor_id are the usual filters.
  await db.schema.createIndex('system_log_published').on('system_log').columns(['published', 'uuid']).execute();
  await db.schema.createIndex('system_log_event_type').on('system_log').columns(['event_type', 'published']).execute();
  await db.schema.createIndex('system_log_actor').on('system_log').columns(['actor_id', 'published']).execute();
}

export async function down(): Promise<void> {
  throw new Error('down-migrations are not supported; restore from backup instead');
}
