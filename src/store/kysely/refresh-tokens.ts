/** Refresh tokens, one row per issued token; a rotation family shares its grant id. */
import type { RefreshTokensTable } from '../../db/schema.js';
import type { RefreshTokenPayload, RefreshTokenRecord } from '../../domain/model.js';
import type { RefreshTokenRepo } from '../store.js';
import { prepareInsert, prepareQuery } from './prepared.js';
import { type Db, count, guardUnique, pageLimit, parseJson, toJson } from './shared.js';

function toRow(t: RefreshTokenRecord): RefreshTokensTable {
  return {
    id: t.id,
    grant_id: t.grantId,
    client_id: t.clientId,
    user_id: t.userId,
    auth_server_id: t.authServerId,
    payload: toJson(t.payload),
    issued_at: t.issuedAt,
    expires_at: t.expiresAt,
    idle_expires_at: t.idleExpiresAt,
    rotated_at: t.rotatedAt,
    revoked_at: t.revokedAt,
  };
}

function toRecord(row: RefreshTokensTable): RefreshTokenRecord {
  return {
    id: row.id,
    grantId: row.grant_id,
    clientId: row.client_id,
    userId: row.user_id,
    authServerId: row.auth_server_id,
    payload: parseJson<RefreshTokenPayload>(row.payload),
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    idleExpiresAt: row.idle_expires_at,
    rotatedAt: row.rotated_at,
    revokedAt: row.revoked_at,
  };
}

// The three queries of every refresh_token grant, compiled once (see prepared.ts for why).
const insertToken = prepareInsert('refresh_tokens');

const selectToken = prepareQuery((db, p: { id: string }) =>
  db.selectFrom('refresh_tokens').selectAll().where('id', '=', p.id));

// One conditional UPDATE: of concurrent rotations of the same token only one matches the row.
const rotateToken = prepareQuery((db, p: { id: string; now: number }) =>
  db.updateTable('refresh_tokens')
    .set({ rotated_at: p.now })
    .where('id', '=', p.id)
    .where('rotated_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', p.now)]))
    .where((eb) => eb.or([eb('idle_expires_at', 'is', null), eb('idle_expires_at', '>', p.now)])));

export function createRefreshTokenRepo(db: Db): RefreshTokenRepo {
  return {
    async create(token) {
      await guardUnique(() => insertToken(db, toRow(token)));
    },

    async get(id) {
      const [row] = (await selectToken(db, { id })).rows;
      return row && toRecord(row);
    },

    async markRotated(id, now) {
      const r = await rotateToken(db, { id, now });
      return count(r.numAffectedRows) === 1;
    },

    async touch(id, idleExpiresAt) {
      await db.updateTable('refresh_tokens').set({ idle_expires_at: idleExpiresAt }).where('id', '=', id).execute();
    },

    // Revocations keep the first revocation time.
    async revoke(id, now) {
      await db.updateTable('refresh_tokens').set({ revoked_at: now })
        .where('id', '=', id).where('revoked_at', 'is', null).execute();
    },

    async revokeGrant(grantId, now) {
      await db.updateTable('refresh_tokens').set({ revoked_at: now })
        .where('grant_id', '=', grantId).where('revoked_at', 'is', null).execute();
    },

    async revokeForUser(userId, now) {
      await db.updateTable('refresh_tokens').set({ revoked_at: now })
        .where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    },

    async revokeForClient(clientId, now) {
      await db.updateTable('refresh_tokens').set({ revoked_at: now })
        .where('client_id', '=', clientId).where('revoked_at', 'is', null).execute();
    },

    async listForClient(clientId, page) {
      // Only the live head of each rotation family: rotated and revoked rows are history, not grants.
      let qb = db.selectFrom('refresh_tokens').selectAll()
        .where('client_id', '=', clientId).where('rotated_at', 'is', null).where('revoked_at', 'is', null);
      if (page.after !== undefined) qb = qb.where('id', '>', page.after);
      const rows = await qb.orderBy('id').limit(pageLimit(page)).execute();
      return rows.map(toRecord);
    },

    async clientIdsForUser(userId, now) {
      const rows = await db.selectFrom('refresh_tokens').select('client_id').distinct()
        .where('user_id', '=', userId).where('rotated_at', 'is', null).where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .where((eb) => eb.or([eb('idle_expires_at', 'is', null), eb('idle_expires_at', '>', now)]))
        .orderBy('client_id')
        .execute();
      return rows.map((r) => r.client_id);
    },
  };
}
