/** Browser sessions at the org, keyed by the SHA-256 of the cookie value. */
import type { SessionsTable } from '../../db/schema.js';
import type { Session } from '../../domain/model.js';
import type { SessionRepo } from '../store.js';
import { type Db, count, guardUnique, parseJson, toJson } from './shared.js';

function toRow(s: Session): SessionsTable {
  return {
    id: s.id,
    user_id: s.userId,
    created: s.created,
    expires_at: s.expiresAt,
    auth_time: s.authTime,
    amr: toJson(s.amr),
    revoked_at: s.revokedAt,
  };
}

function toSession(row: SessionsTable): Session {
  return {
    id: row.id,
    userId: row.user_id,
    created: row.created,
    expiresAt: row.expires_at,
    authTime: row.auth_time,
    amr: parseJson<string[]>(row.amr),
    revokedAt: row.revoked_at,
  };
}

export function createSessionRepo(db: Db): SessionRepo {
  return {
    async create(session) {
      await guardUnique(() => db.insertInto('sessions').values(toRow(session)).execute());
    },

    async get(id) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toSession(row);
    },

    async update(session) {
      const { id, created, ...changes } = toRow(session);
      await db.updateTable('sessions').set(changes).where('id', '=', id).execute();
    },

    async revoke(id, now) {
      await db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },

    async revokeForUser(userId, now) {
      await db.updateTable('sessions').set({ revoked_at: now })
        .where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    },

    async deleteExpired(now) {
      const r = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return count(r.numDeletedRows);
    },
  };
}
