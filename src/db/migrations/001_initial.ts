/** The initial schema: every table of the org, its protocol state and its credentials. */
import type { Kysely } from 'kysely';

const ts = 'bigint';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('login_lower', 'text', (c) => c.notNull().unique())
    .addColumn('email_lower', 'text')
    .addColumn('first_name_lower', 'text')
    .addColumn('last_name_lower', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('admin_roles', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('activated', ts)
    .addColumn('status_changed', ts)
    .addColumn('last_login', ts)
    .addColumn('last_updated', ts, (c) => c.notNull())
    .addColumn('password_changed', ts)
    .execute();

  await db.schema.createIndex('users_email').on('users').column('email_lower').execute();

  await db.schema.createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_lower', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('last_updated', ts, (c) => c.notNull())
    .addColumn('last_membership_updated', ts, (c) => c.notNull())
    .execute();

  await db.schema.createTable('group_members')
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_members_user').on('group_members').column('user_id').execute();

  await db.schema.createTable('apps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('sign_on_mode', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('last_updated', ts, (c) => c.notNull())
    .execute();

  await db.schema.createTable('app_secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('last_updated', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('app_secrets_app').on('app_secrets').column('app_id').execute();

  await db.schema.createTable('app_user_assignments')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('last_updated', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('app_user_assignments_pk', ['app_id', 'user_id'])
    .execute();
  await db.schema.createIndex('app_user_assignments_user').on('app_user_assignments').column('user_id').execute();

  await db.schema.createTable('app_group_assignments')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('last_updated', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('app_group_assignments_pk', ['app_id', 'group_id'])
    .execute();

  await db.schema.createTable('auth_servers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_lower', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('last_updated', ts, (c) => c.notNull())
    .execute();

  await db.schema.createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('auth_server_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_enc', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('expires_at', ts)
    .execute();
  await db.schema.createIndex('signing_keys_server').on('signing_keys').column('auth_server_id').execute();

  for (const table of ['scopes', 'claims'] as const) {
    await db.schema.createTable(table)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('auth_server_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created', ts, (c) => c.notNull())
      .addColumn('last_updated', ts, (c) => c.notNull())
      .execute();
  }
  await db.schema.createIndex('scopes_server_name').on('scopes').columns(['auth_server_id', 'name']).unique().execute();
  await db.schema.createIndex('claims_server').on('claims').column('auth_server_id').execute();

  await db.schema.createTable('policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('auth_server_id', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('last_updated', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('policies_server').on('policies').column('auth_server_id').execute();

  await db.schema.createTable('policy_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('auth_server_id', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('last_updated', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('policy_rules_policy').on('policy_rules').column('policy_id').execute();

  await db.schema.createTable('artifacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('consumed_at', ts)
    .execute();
  await db.schema.createIndex('artifacts_expires').on('artifacts').column('expires_at').execute();

  await db.schema.createTable('refresh_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('auth_server_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('issued_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts)
    .addColumn('idle_expires_at', ts)
    .addColumn('rotated_at', ts)
    .addColumn('revoked_at', ts)
    .execute();
  await db.schema.createIndex('refresh_tokens_grant').on('refresh_tokens').column('grant_id').execute();
  await db.schema.createIndex('refresh_tokens_user').on('refresh_tokens').column('user_id').execute();

  await db.schema.createTable('revocations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .execute();

  await db.schema.createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('auth_time', ts, (c) => c.notNull())
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('revoked_at', ts)
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema.createTable('consent_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('auth_server_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('last_updated', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consent_grants_lookup').on('consent_grants')
    .columns(['user_id', 'client_id', 'auth_server_id', 'scope']).unique().execute();

  await db.schema.createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull())
    .addColumn('last_used', ts)
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('down-migrations are not supported; restore from backup instead');
}
