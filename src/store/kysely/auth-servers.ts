/**
 * Custom authorization servers and what hangs off them: scopes, claims, access policies and their
 * rules. Columns hold what is queried or ordered on; everything else of an object sits in `body`.
 */
import type { AuthServersTable, ClaimsTable, PoliciesTable, PolicyRulesTable, ScopesTable } from '../../db/schema.js';
import type { AuthServer, Claim, Policy, PolicyRule, Scope } from '../../domain/model.js';
import type { AuthServerRepo } from '../store.js';
import { type Db, guardUnique, inTransaction, likePrefix, pageLimit, parseJson, toJson, unstorable } from './shared.js';

type ServerBody = Pick<AuthServer, 'description' | 'audiences' | 'issuerMode' | 'rotationMode' | 'lastRotated'>;
type ScopeBody = Omit<Scope, 'id' | 'authServerId' | 'name' | 'created' | 'lastUpdated'>;
type ClaimBody = Omit<Claim, 'id' | 'authServerId' | 'name' | 'created' | 'lastUpdated'>;
type PolicyBody = Omit<Policy, 'id' | 'authServerId' | 'priority' | 'status' | 'created' | 'lastUpdated'>;
type RuleBody = Omit<PolicyRule, 'id' | 'policyId' | 'authServerId' | 'priority' | 'status' | 'created' | 'lastUpdated'>;

function serverToRow(s: AuthServer): AuthServersTable {
  const body: ServerBody = {
    description: s.description, audiences: s.audiences, issuerMode: s.issuerMode, rotationMode: s.rotationMode, lastRotated: s.lastRotated,
  };
  return { id: s.id, name: s.name, name_lower: s.name.toLowerCase(), status: s.status, body: toJson(body), created: s.created, last_updated: s.lastUpdated };
}

function toServer(row: AuthServersTable): AuthServer {
  return {
    id: row.id,
    name: row.name,
    ...parseJson<ServerBody>(row.body),
    status: row.status as AuthServer['status'],
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

function scopeToRow(s: Scope): ScopesTable {
  const { id, authServerId, name, created, lastUpdated, ...body } = s;
  return { id, auth_server_id: authServerId, name, body: toJson(body), created, last_updated: lastUpdated };
}

function toScope(row: ScopesTable): Scope {
  return {
    id: row.id,
    authServerId: row.auth_server_id,
    name: row.name,
    ...parseJson<ScopeBody>(row.body),
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

function claimToRow(c: Claim): ClaimsTable {
  const { id, authServerId, name, created, lastUpdated, ...body } = c;
  return { id, auth_server_id: authServerId, name, body: toJson(body), created, last_updated: lastUpdated };
}

function toClaim(row: ClaimsTable): Claim {
  return {
    id: row.id,
    authServerId: row.auth_server_id,
    name: row.name,
    ...parseJson<ClaimBody>(row.body),
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

function policyToRow(p: Policy): PoliciesTable {
  const { id, authServerId, priority, status, created, lastUpdated, ...body } = p;
  return { id, auth_server_id: authServerId, priority, status, body: toJson(body), created, last_updated: lastUpdated };
}

function toPolicy(row: PoliciesTable): Policy {
  return {
    id: row.id,
    authServerId: row.auth_server_id,
    ...parseJson<PolicyBody>(row.body),
    priority: row.priority,
    status: row.status as Policy['status'],
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

function ruleToRow(r: PolicyRule): PolicyRulesTable {
  const { id, policyId, authServerId, priority, status, created, lastUpdated, ...body } = r;
  return { id, policy_id: policyId, auth_server_id: authServerId, priority, status, body: toJson(body), created, last_updated: lastUpdated };
}

function toRule(row: PolicyRulesTable): PolicyRule {
  return {
    id: row.id,
    policyId: row.policy_id,
    authServerId: row.auth_server_id,
    ...parseJson<RuleBody>(row.body),
    priority: row.priority,
    status: row.status as PolicyRule['status'],
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

export function createAuthServerRepo(db: Db): AuthServerRepo {
  return {
    async create(server) {
      await guardUnique(() => db.insertInto('auth_servers').values(serverToRow(server)).execute(), { name_lower: 'name' });
    },

    async get(id) {
      if (unstorable(id)) return undefined;
      const row = await db.selectFrom('auth_servers').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toServer(row);
    },

    async list(page) {
      let qb = db.selectFrom('auth_servers').selectAll();
      if (page.after !== undefined) qb = qb.where('id', '>', page.after);
      if (page.q) {
        const q = page.q.toLowerCase();
        qb = qb.where((eb) => likePrefix(eb.ref('name_lower'), q));
      }
      const rows = await qb.orderBy('id').limit(pageLimit(page)).execute();
      return rows.map(toServer);
    },

    async update(server) {
      const { id, created, ...changes } = serverToRow(server);
      await guardUnique(() => db.updateTable('auth_servers').set(changes).where('id', '=', id).execute(), { name_lower: 'name' });
    },

    async delete(id) {
      await inTransaction(db, async (trx) => {
        await trx.deleteFrom('scopes').where('auth_server_id', '=', id).execute();
        await trx.deleteFrom('claims').where('auth_server_id', '=', id).execute();
        await trx.deleteFrom('policy_rules').where('auth_server_id', '=', id).execute();
        await trx.deleteFrom('policies').where('auth_server_id', '=', id).execute();
        await trx.deleteFrom('signing_keys').where('auth_server_id', '=', id).execute();
        await trx.deleteFrom('auth_servers').where('id', '=', id).execute();
      });
    },

    async listScopes(authServerId) {
      const rows = await db.selectFrom('scopes').selectAll().where('auth_server_id', '=', authServerId).orderBy('id').execute();
      return rows.map(toScope);
    },

    async getScope(authServerId, id) {
      const row = await db.selectFrom('scopes').selectAll()
        .where('auth_server_id', '=', authServerId).where('id', '=', id).executeTakeFirst();
      return row && toScope(row);
    },

    async createScope(scope) {
      await guardUnique(() => db.insertInto('scopes').values(scopeToRow(scope)).execute(), { name: 'name' });
    },

    async updateScope(scope) {
      const { id, auth_server_id, created, ...changes } = scopeToRow(scope);
      await guardUnique(
        () => db.updateTable('scopes').set(changes).where('auth_server_id', '=', auth_server_id).where('id', '=', id).execute(),
        { name: 'name' },
      );
    },

    async deleteScope(authServerId, id) {
      await db.deleteFrom('scopes').where('auth_server_id', '=', authServerId).where('id', '=', id).execute();
    },

    async listClaims(authServerId) {
      const rows = await db.selectFrom('claims').selectAll().where('auth_server_id', '=', authServerId).orderBy('id').execute();
      return rows.map(toClaim);
    },

    async getClaim(authServerId, id) {
      const row = await db.selectFrom('claims').selectAll()
        .where('auth_server_id', '=', authServerId).where('id', '=', id).executeTakeFirst();
      return row && toClaim(row);
    },

    async createClaim(claim) {
      await guardUnique(() => db.insertInto('claims').values(claimToRow(claim)).execute());
    },

    async updateClaim(claim) {
      const { id, auth_server_id, created, ...changes } = claimToRow(claim);
      await db.updateTable('claims').set(changes).where('auth_server_id', '=', auth_server_id).where('id', '=', id).execute();
    },

    async deleteClaim(authServerId, id) {
      await db.deleteFrom('claims').where('auth_server_id', '=', authServerId).where('id', '=', id).execute();
    },

    async listPolicies(authServerId) {
      const rows = await db.selectFrom('policies').selectAll()
        .where('auth_server_id', '=', authServerId).orderBy('priority').orderBy('id').execute();
      return rows.map(toPolicy);
    },

    async getPolicy(authServerId, id) {
      const row = await db.selectFrom('policies').selectAll()
        .where('auth_server_id', '=', authServerId).where('id', '=', id).executeTakeFirst();
      return row && toPolicy(row);
    },

    async createPolicy(policy) {
      await guardUnique(() => db.insertInto('policies').values(policyToRow(policy)).execute());
    },

    async updatePolicy(policy) {
      const { id, auth_server_id, created, ...changes } = policyToRow(policy);
      await db.updateTable('policies').set(changes).where('auth_server_id', '=', auth_server_id).where('id', '=', id).execute();
    },

    async deletePolicy(authServerId, id) {
      // A rule cannot outlive its policy.
      await inTransaction(db, async (trx) => {
        await trx.deleteFrom('policy_rules').where('auth_server_id', '=', authServerId).where('policy_id', '=', id).execute();
        await trx.deleteFrom('policies').where('auth_server_id', '=', authServerId).where('id', '=', id).execute();
      });
    },

    async listRules(authServerId, policyId) {
      const rows = await db.selectFrom('policy_rules').selectAll()
        .where('auth_server_id', '=', authServerId).where('policy_id', '=', policyId)
        .orderBy('priority').orderBy('id').execute();
      return rows.map(toRule);
    },

    async getRule(authServerId, policyId, id) {
      const row = await db.selectFrom('policy_rules').selectAll()
        .where('auth_server_id', '=', authServerId).where('policy_id', '=', policyId).where('id', '=', id)
        .executeTakeFirst();
      return row && toRule(row);
    },

    async createRule(rule) {
      await guardUnique(() => db.insertInto('policy_rules').values(ruleToRow(rule)).execute());
    },

    async updateRule(rule) {
      const { id, policy_id, auth_server_id, created, ...changes } = ruleToRow(rule);
      await db.updateTable('policy_rules').set(changes)
        .where('auth_server_id', '=', auth_server_id).where('policy_id', '=', policy_id).where('id', '=', id)
        .execute();
    },

    async deleteRule(authServerId, policyId, id) {
      await db.deleteFrom('policy_rules')
        .where('auth_server_id', '=', authServerId).where('policy_id', '=', policyId).where('id', '=', id)
        .execute();
    },
  };
}
