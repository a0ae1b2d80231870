/** The Store over Kysely: one implementation for SQLite and PostgreSQL, repositories in ./kysely/. */
import type { Kysely } from 'kysely';
import { ping } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { createApiTokenRepo } from './kysely/api-tokens.js';
import { createAppRepo } from './kysely/apps.js';
import { createArtifactRepo } from './kysely/artifacts.js';
import { createAuthServerRepo } from './kysely/auth-servers.js';
import { createConsentRepo } from './kysely/consents.js';
import { createGroupRepo } from './kysely/groups.js';
import { createRefreshTokenRepo } from './kysely/refresh-tokens.js';
import { createRevocationRepo } from './kysely/revocations.js';
import { createSessionRepo } from './kysely/sessions.js';
import { createSettingsRepo } from './kysely/settings.js';
import { createSigningKeyRepo } from './kysely/signing-keys.js';
import { createSystemLogRepo } from './kysely/system-log.js';
import { createTrustedOriginRepo } from './kysely/trusted-origins.js';
import { createUserRepo } from './kysely/users.js';
import type { Store } from './store.js';

export function createKyselyStore(db: Kysely<Database>, dialect: 'sqlite' | 'postgres'): Store {
  const store: Store = {
    dialect,
    users: createUserRepo(db),
    groups: createGroupRepo(db),
    apps: createAppRepo(db),
    authServers: createAuthServerRepo(db),
    signingKeys: createSigningKeyRepo(db),
    artifacts: createArtifactRepo(db),
    refreshTokens: createRefreshTokenRepo(db),
    revocations: createRevocationRepo(db),
    sessions: createSessionRepo(db),
    consents: createConsentRepo(db),
    apiTokens: createApiTokenRepo(db),
    settings: createSettingsRepo(db),
    trustedOrigins: createTrustedOriginRepo(db),
    systemLog: createSystemLogRepo(db),

    async transaction(fn) {
      // Kysely has no nested transactions: an inner call simply joins the outer one.
      if (db.isTransaction) return fn(store);
      return db.transaction().execute((trx) => fn(createKyselyStore(trx, dialect)));
    },

    ping: () => ping(db),

    async close() {
      // A transaction-bound store does not own the connection pool.
      if (!db.isTransaction) await db.destroy();
    },
  };
  return store;
}
