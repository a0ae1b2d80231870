/** Applications with their client secrets and user/group assignments. */
import { sql } from 'kysely';
import type { AppGroupAssignmentsTable, AppSecretsTable, AppsTable, AppUserAssignmentsTable, UsersTable } from '../../db/schema.js';
import type { App, AppBody, AppGroupAssignment, AppSecret, AppUserAssignment } from '../../domain/model.js';
import type { AppRepo, AssignedUser, Page } from '../store.js';
import { prepareQuery, type PreparedQuery } from './prepared.js';
import { rowToUser } from './users.js';
import { type Db, guardUnique, inTransaction, likePrefixIgnoreCase, pageLimit, parseJson, toJson, unstorable } from './shared.js';

const UNIQUE_FIELDS = { client_id: 'client_id' };

function toRow(app: App): AppsTable {
  return {
    id: app.id,
    name: app.body.name,
    label: app.body.label,
    status: app.status,
    client_id: app.clientId,
    sign_on_mode: app.body.signOnMode,
    body: toJson(app.body),
    created: app.created,
    last_updated: app.lastUpdated,
  };
}

function toApp(row: AppsTable): App {
  return {
    id: row.id,
    status: row.status as App['status'],
    clientId: row.client_id,
    body: parseJson<AppBody>(row.body),
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

function secretToRow(s: AppSecret): AppSecretsTable {
  return {
    id: s.id,
    app_id: s.appId,
    secret_enc: s.secretSealed,
    secret_hash: s.secretHash,
    status: s.status,
    created: s.created,
    last_updated: s.lastUpdated,
  };
}

function toSecret(row: AppSecretsTable): AppSecret {
  return {
    id: row.id,
    appId: row.app_id,
    secretSealed: row.secret_enc,
    secretHash: row.secret_hash,
    status: row.status as AppSecret['status'],
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

function toUserAssignment(row: AppUserAssignmentsTable): AppUserAssignment {
  return {
    appId: row.app_id,
    userId: row.user_id,
    scope: row.scope as AppUserAssignment['scope'],
    body: parseJson<Record<string, unknown>>(row.body),
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

function toGroupAssignment(row: AppGroupAssignmentsTable): AppGroupAssignment {
  return {
    appId: row.app_id,
    groupId: row.group_id,
    priority: row.priority,
    body: parseJson<Record<string, unknown>>(row.body),
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

type AssignedParams = Record<string, string>;

// Checked on every token grant, so compiled once per number of groups (see prepared.ts for why);
// a user in more groups than this goes through the query builder.
const PREPARED_GROUP_COUNTS = 8;
const assignedQueries: PreparedQuery<AssignedParams, { assigned: unknown }>[] = Array.from({ length: PREPARED_GROUP_COUNTS + 1 }, (_, n) =>
  prepareQuery((db, p: AssignedParams) => assignedQuery(db, p.appId!, p.userId!, Array.from({ length: n }, (_, i) => p[`g${i}`]!))));

/**
 * One row, `assigned` true (PostgreSQL) or 1 (SQLite) when the user is assigned directly or through
 * one of the groups. `exists … or exists …` rather than a UNION ALL: SQLite runs it in half the time.
 */
function assignedQuery(db: Db, appId: string, userId: string, groupIds: string[]) {
  return db.selectNoFrom((eb) => {
    const direct = eb.exists(db.selectFrom('app_user_assignments').select('app_id')
      .where('app_id', '=', appId).where('user_id', '=', userId));
    // `IN ()` is not valid SQL, so without groups only the direct branch runs.
    const viaGroup = groupIds.length === 0 ? [] : [eb.exists(db.selectFrom('app_group_assignments').select('app_id')
      .where('app_id', '=', appId).where('group_id', 'in', groupIds))];
    return eb.or([direct, ...viaGroup]).as('assigned');
  });
}

const isTrue = (v: unknown): boolean => v === true || v === 1 || v === 1n;

/** A user row with the direct and the winning group assignment's columns (null when absent). */
type AssignedUserRow = UsersTable & {
  d_scope: string | null; d_body: string | null; d_created: number | null; d_last_updated: number | null;
  g_group_id: string | null; g_priority: number | null; g_body: string | null; g_created: number | null; g_last_updated: number | null;
};

/**
 * Users assigned to an app in one statement: each source of candidate ids (direct assignments,
 * members of the app's groups, every user when the app is assigned to the built-in Everyone group)
 * gives at most one page of ids after the cursor, in id order, so the page is found without reading
 * past it; only that page is then joined with its direct assignment and its highest-priority group
 * assignment. Plain SQL that SQLite and PostgreSQL both run.
 */
function assignedUsersQuery(appId: string, query: Page & { userId?: string | undefined }) {
  const after = query.after ?? '';
  const limit = pageLimit(query);
  const only = (column: string) => (query.userId === undefined ? sql`` : sql`AND ${sql.ref(column)} = ${query.userId}`);
  const everyone = sql`SELECT g.id FROM groups g WHERE g.type = 'BUILT_IN' AND g.name = 'Everyone'`;
  return sql<AssignedUserRow>`
    WITH assigned AS (
      SELECT id FROM (
        SELECT d.user_id AS id FROM app_user_assignments d
          WHERE d.app_id = ${appId} AND d.user_id > ${after} ${only('d.user_id')}
          ORDER BY d.user_id LIMIT ${limit}
      ) direct_ids
      UNION
      SELECT id FROM (
        SELECT DISTINCT gm.user_id AS id FROM group_members gm JOIN app_group_assignments ga ON ga.group_id = gm.group_id
          WHERE ga.app_id = ${appId} AND gm.user_id > ${after} ${only('gm.user_id')}
          ORDER BY 1 LIMIT ${limit}
      ) member_ids
      UNION
      SELECT id FROM (
        SELECT u.id AS id FROM users u
          WHERE u.id > ${after} ${only('u.id')}
          AND EXISTS (SELECT 1 FROM app_group_assignments ga WHERE ga.app_id = ${appId} AND ga.group_id IN (${everyone}))
          ORDER BY u.id LIMIT ${limit}
      ) everyone_ids
    ),
    chosen AS (
      SELECT u.*, (
        SELECT ga.group_id FROM app_group_assignments ga
          WHERE ga.app_id = ${appId}
          AND (ga.group_id IN (SELECT gm.group_id FROM group_members gm WHERE gm.user_id = u.id) OR ga.group_id IN (${everyone}))
          ORDER BY ga.priority, ga.group_id LIMIT 1
      ) AS via_group_id
      FROM assigned a JOIN users u ON u.id = a.id
      ORDER BY u.id LIMIT ${limit}
    )
    SELECT c.*,
      d.scope AS d_scope, d.body AS d_body, d.created AS d_created, d.last_updated AS d_last_updated,
      ga.group_id AS g_group_id, ga.priority AS g_priority, ga.body AS g_body, ga.created AS g_created, ga.last_updated AS g_last_updated
    FROM chosen c
    LEFT JOIN app_user_assignments d ON d.app_id = ${appId} AND d.user_id = c.id
    LEFT JOIN app_group_assignments ga ON ga.app_id = ${appId} AND ga.group_id = c.via_group_id
    ORDER BY c.id`;
}

function toAssignedUser(appId: string, row: AssignedUserRow): AssignedUser {
  const direct = row.d_scope === null ? undefined : toUserAssignment({
    app_id: appId, user_id: row.id, scope: row.d_scope, body: row.d_body!, created: row.d_created!, last_updated: row.d_last_updated!,
  });
  const group = row.g_group_id === null ? undefined : toGroupAssignment({
    app_id: appId, group_id: row.g_group_id, priority: row.g_priority!, body: row.g_body!, created: row.g_created!, last_updated: row.g_last_updated!,
  });
  return { user: rowToUser(row), direct, group };
}

export function createAppRepo(db: Db): AppRepo {
  return {
    async create(app) {
      await guardUnique(() => db.insertInto('apps').values(toRow(app)).execute(), UNIQUE_FIELDS);
    },

    async get(id) {
      const row = await db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toApp(row);
    },

    async getByClientId(clientId) {
      if (unstorable(clientId)) return undefined;
      const row = await db.selectFrom('apps').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      return row && toApp(row);
    },

    async list(query) {
      let qb = db.selectFrom('apps').selectAll();
      if (query.after !== undefined) qb = qb.where('id', '>', query.after);
      if (query.status) qb = qb.where('status', '=', query.status);
      if (query.q) {
        const q = query.q;
        qb = qb.where((eb) => eb.or([likePrefixIgnoreCase(eb.ref('label'), q), likePrefixIgnoreCase(eb.ref('name'), q)]));
      }
      const rows = await qb.orderBy('id').limit(pageLimit(query)).execute();
      return rows.map(toApp);
    },

    async update(app) {
      const { id, created, ...changes } = toRow(app);
      await guardUnique(() => db.updateTable('apps').set(changes).where('id', '=', id).execute(), UNIQUE_FIELDS);
    },

    async delete(id) {
      await inTransaction(db, async (trx) => {
        await trx.deleteFrom('app_secrets').where('app_id', '=', id).execute();
        await trx.deleteFrom('app_user_assignments').where('app_id', '=', id).execute();
        await trx.deleteFrom('app_group_assignments').where('app_id', '=', id).execute();
        await trx.deleteFrom('apps').where('id', '=', id).execute();
      });
    },

    async listSecrets(appId) {
      const rows = await db.selectFrom('app_secrets').selectAll().where('app_id', '=', appId).orderBy('id').execute();
      return rows.map(toSecret);
    },

    async getSecret(appId, secretId) {
      const row = await db.selectFrom('app_secrets').selectAll()
        .where('app_id', '=', appId).where('id', '=', secretId).executeTakeFirst();
      return row && toSecret(row);
    },

    async createSecret(secret) {
      await guardUnique(() => db.insertInto('app_secrets').values(secretToRow(secret)).execute());
    },

    async updateSecret(secret) {
      const { id, app_id, created, ...changes } = secretToRow(secret);
      await db.updateTable('app_secrets').set(changes).where('app_id', '=', app_id).where('id', '=', id).execute();
    },

    async deleteSecret(appId, secretId) {
      await db.deleteFrom('app_secrets').where('app_id', '=', appId).where('id', '=', secretId).execute();
    },

    async assignUser(a) {
      // Assigning again updates the assignment in place (Okta's assign is an upsert).
      await db.insertInto('app_user_assignments')
        .values({ app_id: a.appId, user_id: a.userId, scope: a.scope, body: toJson(a.body), created: a.created, last_updated: a.lastUpdated })
        .onConflict((oc) => oc.columns(['app_id', 'user_id']).doUpdateSet((eb) => ({
          scope: eb.ref('excluded.scope'),
          body: eb.ref('excluded.body'),
          last_updated: eb.ref('excluded.last_updated'),
        })))
        .execute();
    },

    async getUserAssignment(appId, userId) {
      const row = await db.selectFrom('app_user_assignments').selectAll()
        .where('app_id', '=', appId).where('user_id', '=', userId).executeTakeFirst();
      return row && toUserAssignment(row);
    },

    async listUserAssignments(appId, page) {
      let qb = db.selectFrom('app_user_assignments').selectAll().where('app_id', '=', appId);
      if (page.after !== undefined) qb = qb.where('user_id', '>', page.after);
      const rows = await qb.orderBy('user_id').limit(pageLimit(page)).execute();
      return rows.map(toUserAssignment);
    },

    async unassignUser(appId, userId) {
      await db.deleteFrom('app_user_assignments').where('app_id', '=', appId).where('user_id', '=', userId).execute();
    },

    async assignGroup(a) {
      await db.insertInto('app_group_assignments')
        .values({ app_id: a.appId, group_id: a.groupId, priority: a.priority, body: toJson(a.body), created: a.created, last_updated: a.lastUpdated })
        .onConflict((oc) => oc.columns(['app_id', 'group_id']).doUpdateSet((eb) => ({
          priority: eb.ref('excluded.priority'),
          body: eb.ref('excluded.body'),
          last_updated: eb.ref('excluded.last_updated'),
        })))
        .execute();
    },

    async getGroupAssignment(appId, groupId) {
      const row = await db.selectFrom('app_group_assignments').selectAll()
        .where('app_id', '=', appId).where('group_id', '=', groupId).executeTakeFirst();
      return row && toGroupAssignment(row);
    },

    async listGroupAssignments(appId, page) {
      let qb = db.selectFrom('app_group_assignments').selectAll().where('app_id', '=', appId);
      if (page.after !== undefined) qb = qb.where('group_id', '>', page.after);
      const rows = await qb.orderBy('group_id').limit(pageLimit(page)).execute();
      return rows.map(toGroupAssignment);
    },

    async unassignGroup(appId, groupId) {
      await db.deleteFrom('app_group_assignments').where('app_id', '=', appId).where('group_id', '=', groupId).execute();
    },

    async listAppIdsForUser(userId, groupIds) {
      const direct = db.selectFrom('app_user_assignments').select('app_id').where('user_id', '=', userId);
      const rows = groupIds.length === 0
        ? await direct.execute()
        : await direct.union(db.selectFrom('app_group_assignments').select('app_id').where('group_id', 'in', groupIds)).execute();
      return [...new Set(rows.map((r) => r.app_id))].sort();
    },

    async isAssigned(appId, userId, groupIds) {
      const prepared = assignedQueries[groupIds.length];
      if (!prepared) return isTrue((await assignedQuery(db, appId, userId, groupIds).executeTakeFirst())?.assigned);
      const params: AssignedParams = { appId, userId };
      groupIds.forEach((id, i) => { params[`g${i}`] = id; });
      return isTrue((await prepared(db, params)).rows[0]?.assigned);
    },

    async listAssignedUsers(appId, query) {
      const { rows } = await assignedUsersQuery(appId, query).execute(db);
      return rows.map((row) => toAssignedUser(appId, row));
    },

    async listAssignedApps(userId, groupIds) {
      const direct = db.selectFrom('app_user_assignments').select('app_id').where('user_id', '=', userId);
      const ids = groupIds.length === 0
        ? direct
        : direct.union(db.selectFrom('app_group_assignments').select('app_id').where('group_id', 'in', groupIds));
      const rows = await db.selectFrom('apps').selectAll().where('id', 'in', ids).orderBy('id').execute();
      return rows.map(toApp);
    },
  };
}
