/** Revoked grants and access-token ids, kept only as long as the tokens they cover could live. */
import type { RevocationRepo } from '../store.js';
import { prepareQuery } from './prepared.js';
import { type Db, count } from './shared.js';

// Every new refresh token checks its grant (one id), every access token at introspection and
// userinfo its jti and grant (two): compiled once per number of ids (see prepared.ts for why).
const anyRevokedQueries = [1, 2, 3, 4].map((n) => prepareQuery((db, p: Record<string, string>) =>
  db.selectFrom('revocations').select('id').where('id', 'in', Array.from({ length: n }, (_, i) => p[`id${i}`]!)).limit(1)));

export function createRevocationRepo(db: Db): RevocationRepo {
  return {
    async add(id, expiresAt) {
      // Revoking twice keeps the later horizon, so a longer-lived token stays covered.
      await db.insertInto('revocations').values({ id, expires_at: expiresAt })
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
          expires_at: eb.case().when('revocations.expires_at', '<', eb.ref('excluded.expires_at'))
            .then(eb.ref('excluded.expires_at')).else(eb.ref('revocations.expires_at')).end(),
        })))
        .execute();
    },

    async anyRevoked(ids) {
      if (ids.length === 0) return false;
      const prepared = anyRevokedQueries[ids.length - 1];
      if (prepared) {
        const params: Record<string, string> = {};
        ids.forEach((id, i) => { params[`id${i}`] = id; });
        return (await prepared(db, params)).rows.length > 0;
      }
      const row = await db.selectFrom('revocations').select('id').where('id', 'in', ids).limit(1).executeTakeFirst();
      return row !== undefined;
    },

    async deleteExpired(now) {
      const r = await db.deleteFrom('revocations').where('expires_at', '<=', now).executeTakeFirst();
      return count(r.numDeletedRows);
    },
  };
}
