/** Management API tokens, found by the hash of the presented value. */
import type { ApiTokensTable } from '../../db/schema.js';
import type { ApiToken } from '../../domain/model.js';
import type { ApiTokenRepo } from '../store.js';
import { type Db, guardUnique } from './shared.js';

function toToken(row: ApiTokensTable): ApiToken {
  return {
    id: row.id,
    name: row.name,
    tokenHash: row.token_hash,
    userId: row.user_id,
    created: row.created,
    lastUsed: row.last_used,
  };
}

export function createApiTokenRepo(db: Db): ApiTokenRepo {
  return {
    async create(t) {
      await guardUnique(
        () => db.insertInto('api_tokens')
          .values({ id: t.id, name: t.name, token_hash: t.tokenHash, user_id: t.userId, created: t.created, last_used: t.lastUsed })
          .execute(),
        { token_hash: 'tokenHash' },
      );
    },

    async getByHash(tokenHash) {
      const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && toToken(row);
    },

    async list() {
      const rows = await db.selectFrom('api_tokens').selectAll().orderBy('id').execute();
      return rows.map(toToken);
    },

    async delete(id) {
      await db.deleteFrom('api_tokens').where('id', '=', id).execute();
    },
  };
}
