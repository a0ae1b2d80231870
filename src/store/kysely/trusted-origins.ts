/** Trusted origins: scopes as JSON, the canonical origin in origin_lower (unique). */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database, TrustedOriginsTable } from '../../db/schema.js';
import { canonicalOrigin } from '../../domain/trusted-origins/origin.js';
import type { TrustedOrigin, TrustedOriginScope } from '../../domain/trusted-origins/model.js';
import type { TrustedOriginFilter, TrustedOriginListQuery, TrustedOriginRepo } from '../store.js';
import { type Db, guardUnique, likePrefix, pageLimit, parseJson, toJson } from './shared.js';

const UNIQUE_FIELDS = { origin_lower: 'origin' };

type Eb = ExpressionBuilder<Database, 'trusted_origins'>;

function originKey(origin: string): string {
  return canonicalOrigin(origin) ?? origin.toLowerCase();
}

/** Scopes are stored with `type` first, so a scope type can be matched as a JSON fragment. */
function scopesJson(scopes: TrustedOriginScope[]): string {
  return toJson(scopes.map((s) => (s.allowedOktaApps ? { type: s.type, allowedOktaApps: s.allowedOktaApps } : { type: s.type })));
}

function toRow(o: TrustedOrigin): TrustedOriginsTable {
  return {
    id: o.id,
    name: o.name,
    origin: o.origin,
    origin_lower: originKey(o.origin),
    status: o.status,
    scopes: scopesJson(o.scopes),
    created: o.created,
    created_by: o.createdBy,
    last_updated: o.lastUpdated,
    last_updated_by: o.lastUpdatedBy,
  };
}

function toOrigin(row: TrustedOriginsTable): TrustedOrigin {
  return {
    id: row.id,
    name: row.name,
    origin: row.origin,
    status: row.status as TrustedOrigin['status'],
    scopes: parseJson<TrustedOriginScope[]>(row.scopes),
    created: row.created,
    createdBy: row.created_by,
    lastUpdated: row.last_updated,
    lastUpdatedBy: row.last_updated_by,
  };
}

function likeEscape(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}

function filterExpression(eb: Eb, f: TrustedOriginFilter): Expression<SqlBool> {
  if ('op' in f) {
    const terms = f.terms.map((t) => filterExpression(eb, t));
    return f.op === 'and' ? eb.and(terms) : eb.or(terms);
  }
  switch (f.field) {
    case 'name': return eb('name', '=', f.value);
    case 'origin': return eb('origin_lower', '=', originKey(f.value));
    case 'status': return eb('status', '=', f.value);
    // `"type":"X"` as scopesJson writes it; the closing quote stops "CORS" matching "CORS_X".
    case 'type': return sql<SqlBool>`${eb.ref('scopes')} like ${`%${likeEscape(`"type":${toJson(f.value)}`)}%`} escape '!'`;
  }
}

export function createTrustedOriginRepo(db: Db): TrustedOriginRepo {
  return {
    async create(o) {
      await guardUnique(() => db.insertInto('trusted_origins').values(toRow(o)).execute(), UNIQUE_FIELDS);
    },

    async get(id) {
      const row = await db.selectFrom('trusted_origins').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toOrigin(row);
    },

    async list(query: TrustedOriginListQuery) {
      let qb = db.selectFrom('trusted_origins').selectAll();
      if (query.after !== undefined) qb = qb.where('id', '>', query.after);
      if (query.q) {
        const q = query.q.toLowerCase();
        qb = qb.where((eb) => eb.or([likePrefix(eb.fn('lower', [eb.ref('name')]), q), likePrefix(eb.ref('origin_lower'), q)]));
      }
      if (query.filter) {
        const filter = query.filter;
        qb = qb.where((eb) => filterExpression(eb, filter));
      }
      const rows = await qb.orderBy('id').limit(pageLimit(query)).execute();
      return rows.map(toOrigin);
    },

    async listActive() {
      const rows = await db.selectFrom('trusted_origins').selectAll().where('status', '=', 'ACTIVE').orderBy('id').execute();
      return rows.map(toOrigin);
    },

    async update(o) {
      const { id, created, created_by, ...changes } = toRow(o);
      await guardUnique(() => db.updateTable('trusted_origins').set(changes).where('id', '=', id).execute(), UNIQUE_FIELDS);
    },

    async delete(id) {
      await db.deleteFrom('trusted_origins').where('id', '=', id).execute();
    },
  };
}
