/** Signing keys of the org and custom authorization servers; the private half stays sealed. */
import type { SigningKeysTable } from '../../db/schema.js';
import type { SigningKey } from '../../domain/model.js';
import type { SigningKeyRepo } from '../store.js';
import { type Db, guardUnique, parseJson, toJson } from './shared.js';

function toRow(k: SigningKey): SigningKeysTable {
  return {
    kid: k.kid,
    auth_server_id: k.authServerId,
    status: k.status,
    alg: k.alg,
    public_jwk: toJson(k.publicJwk),
    private_enc: k.privateSealed,
    created: k.created,
    expires_at: k.expiresAt,
  };
}

function toKey(row: SigningKeysTable): SigningKey {
  return {
    kid: row.kid,
    authServerId: row.auth_server_id,
    status: row.status as SigningKey['status'],
    alg: row.alg as SigningKey['alg'],
    publicJwk: parseJson<Record<string, unknown>>(row.public_jwk),
    privateSealed: row.private_enc,
    created: row.created,
    expiresAt: row.expires_at,
  };
}

export function createSigningKeyRepo(db: Db): SigningKeyRepo {
  return {
    async listForServer(authServerId) {
      // Oldest first, so rotation reads naturally; kid breaks ties between keys made in the same ms.
      const rows = await db.selectFrom('signing_keys').selectAll()
        .where('auth_server_id', '=', authServerId).orderBy('created').orderBy('kid').execute();
      return rows.map(toKey);
    },

    async create(key) {
      await guardUnique(() => db.insertInto('signing_keys').values(toRow(key)).execute(), {}, 'kid');
    },

    async update(key) {
      const { kid, auth_server_id, created, ...changes } = toRow(key);
      await db.updateTable('signing_keys').set(changes).where('kid', '=', kid).where('auth_server_id', '=', auth_server_id).execute();
    },

    async delete(authServerId, kid) {
      await db.deleteFrom('signing_keys').where('kid', '=', kid).where('auth_server_id', '=', authServerId).execute();
    },
  };
}
