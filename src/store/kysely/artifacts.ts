/** One-time artifacts (authorization codes, session tokens, authn state tokens) with exactly-once consumption. */
import type { ArtifactKind, ConsumeResult } from '../../domain/model.js';
import type { ArtifactRepo } from '../store.js';
import { type Db, count, guardUnique, inTransaction, parseJson, toJson } from './shared.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function createArtifactRepo(db: Db): ArtifactRepo {
  return {
    async put(id, kind, payload, expiresAt, now) {
      await guardUnique(() => db.insertInto('artifacts')
        .values({ id, kind, payload: toJson(payload), created: now, expires_at: expiresAt, consumed_at: null })
        .execute());
    },

    async consume<T>(id: string, kind: ArtifactKind, now: number): Promise<ConsumeResult<T>> {
      // The WHERE clause is the whole race: the database lets exactly one UPDATE match the
      // unconsumed row, every later one (on any connection or node) matches nothing.
      const won = await db.updateTable('artifacts')
        .set({ consumed_at: now })
        .where('id', '=', id).where('kind', '=', kind)
        .where('consumed_at', 'is', null).where('expires_at', '>', now)
        .returning('payload')
        .executeTakeFirst();
      if (won) return { status: 'ok', payload: parseJson<T>(won.payload) };

      const row = await db.selectFrom('artifacts').select(['payload', 'expires_at', 'consumed_at'])
        .where('id', '=', id).where('kind', '=', kind).executeTakeFirst();
      if (!row) return { status: 'missing' };
      // A consumed artifact reports reuse even after expiry, so the caller can still revoke what it issued.
      if (row.consumed_at !== null) return { status: 'reused', payload: parseJson<T>(row.payload) };
      if (row.expires_at <= now) return { status: 'expired' };
      return { status: 'missing' };
    },

    async peek<T>(id: string, kind: ArtifactKind, now: number): Promise<T | undefined> {
      const row = await db.selectFrom('artifacts').select('payload')
        .where('id', '=', id).where('kind', '=', kind)
        .where('consumed_at', 'is', null).where('expires_at', '>', now)
        .executeTakeFirst();
      return row ? parseJson<T>(row.payload) : undefined;
    },

    async annotate(id, payload) {
      // Object payloads are merged so the original data (client, scopes, user) survives beside the annotation.
      await inTransaction(db, async (trx) => {
        const row = await trx.selectFrom('artifacts').select('payload').where('id', '=', id).executeTakeFirst();
        if (!row) return;
        const current: unknown = parseJson(row.payload);
        const next = isPlainObject(current) && isPlainObject(payload) ? { ...current, ...payload } : payload;
        await trx.updateTable('artifacts').set({ payload: toJson(next) }).where('id', '=', id).execute();
      });
    },

    async deleteExpired(now) {
      const r = await db.deleteFrom('artifacts').where('expires_at', '<=', now).executeTakeFirst();
      return count(r.numDeletedRows);
    },
  };
}
