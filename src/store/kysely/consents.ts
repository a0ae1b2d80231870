/** Consent a user gave a client: one row per (user, client, authorization server, scope). */
import type { ConsentGrantsTable } from '../../db/schema.js';
import type { ConsentGrant } from '../../domain/model.js';
import type { ConsentRepo } from '../store.js';
import type { Db } from './shared.js';

function toGrant(row: ConsentGrantsTable): ConsentGrant {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    authServerId: row.auth_server_id,
    scope: row.scope,
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

export function createConsentRepo(db: Db): ConsentRepo {
  return {
    async list(userId, clientId) {
      let qb = db.selectFrom('consent_grants').selectAll().where('user_id', '=', userId);
      if (clientId !== undefined) qb = qb.where('client_id', '=', clientId);
      const rows = await qb.orderBy('id').execute();
      return rows.map(toGrant);
    },

    async listForClient(clientId) {
      const rows = await db.selectFrom('consent_grants').selectAll().where('client_id', '=', clientId).orderBy('id').execute();
      return rows.map(toGrant);
    },

    async upsert(g) {
      // Consenting again to the same scope only refreshes the existing grant (its id and created stay).
      await db.insertInto('consent_grants')
        .values({
          id: g.id, user_id: g.userId, client_id: g.clientId, auth_server_id: g.authServerId, scope: g.scope,
          created: g.created, last_updated: g.lastUpdated,
        })
        .onConflict((oc) => oc.columns(['user_id', 'client_id', 'auth_server_id', 'scope'])
          .doUpdateSet((eb) => ({ last_updated: eb.ref('excluded.last_updated') })))
        .execute();
    },

    async delete(userId, id) {
      await db.deleteFrom('consent_grants').where('user_id', '=', userId).where('id', '=', id).execute();
    },

    async deleteForClient(userId, clientId) {
      await db.deleteFrom('consent_grants').where('user_id', '=', userId).where('client_id', '=', clientId).execute();
    },

    async deleteForUser(userId) {
      await db.deleteFrom('consent_grants').where('user_id', '=', userId).execute();
    },
  };
}
