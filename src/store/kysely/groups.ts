/** Groups and their memberships. */
import type { GroupsTable } from '../../db/schema.js';
import type { Group, GroupType } from '../../domain/model.js';
import type { GroupRepo } from '../store.js';
import { prepareQuery } from './prepared.js';
import { type Db, count, guardUnique, inTransaction, likePrefix, pageLimit } from './shared.js';
import { rowToUser } from './users.js';

const UNIQUE_FIELDS = { name_lower: 'name' };

/** The built-in group every user belongs to implicitly, membership row or not. */
const EVERYONE = 'Everyone';

function toRow(group: Group): GroupsTable {
  return {
    id: group.id,
    type: group.type,
    name: group.name,
    name_lower: group.name.toLowerCase(),
    description: group.description,
    created: group.created,
    last_updated: group.lastUpdated,
    last_membership_updated: group.lastMembershipUpdated,
  };
}

function toGroup(row: GroupsTable): Group {
  return {
    id: row.id,
    type: row.type as GroupType,
    name: row.name,
    description: row.description,
    created: row.created,
    lastUpdated: row.last_updated,
    lastMembershipUpdated: row.last_membership_updated,
  };
}

// Read on every token grant (assignment check, custom claims), compiled once (see prepared.ts for why).
const groupRefsQuery = prepareQuery((db, p: { userId: string }) =>
  db.selectFrom('groups').select(['id', 'name'])
    .where((eb) => eb.or([
      eb('id', 'in', eb.selectFrom('group_members').select('group_id').where('user_id', '=', p.userId)),
      eb.and([eb('type', '=', 'BUILT_IN'), eb('name', '=', EVERYONE)]),
    ])));

export function createGroupRepo(db: Db): GroupRepo {
  return {
    async create(group) {
      await guardUnique(() => db.insertInto('groups').values(toRow(group)).execute(), UNIQUE_FIELDS);
    },

    async get(id) {
      const row = await db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toGroup(row);
    },

    async getByName(name) {
      const row = await db.selectFrom('groups').selectAll().where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
      return row && toGroup(row);
    },

    async list(query) {
      let qb = db.selectFrom('groups').selectAll();
      if (query.after !== undefined) qb = qb.where('id', '>', query.after);
      if (query.q) {
        const q = query.q.toLowerCase();
        qb = qb.where((eb) => likePrefix(eb.ref('name_lower'), q));
      }
      const rows = await qb.orderBy('id').limit(pageLimit(query)).execute();
      return rows.map(toGroup);
    },

    async update(group) {
      const { id, created, ...changes } = toRow(group);
      await guardUnique(() => db.updateTable('groups').set(changes).where('id', '=', id).execute(), UNIQUE_FIELDS);
    },

    async delete(id) {
      await inTransaction(db, async (trx) => {
        await trx.deleteFrom('group_members').where('group_id', '=', id).execute();
        await trx.deleteFrom('app_group_assignments').where('group_id', '=', id).execute();
        await trx.deleteFrom('groups').where('id', '=', id).execute();
      });
    },

    async addMember(groupId, userId, now) {
      await inTransaction(db, async (trx) => {
        // Adding an existing member is a no-op and leaves lastMembershipUpdated alone.
        const added = await trx.insertInto('group_members')
          .values({ group_id: groupId, user_id: userId, created: now })
          .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
          .executeTakeFirst();
        if (count(added.numInsertedOrUpdatedRows) > 0) {
          await trx.updateTable('groups').set({ last_membership_updated: now }).where('id', '=', groupId).execute();
        }
      });
    },

    async removeMember(groupId, userId, now) {
      await inTransaction(db, async (trx) => {
        const removed = await trx.deleteFrom('group_members')
          .where('group_id', '=', groupId).where('user_id', '=', userId)
          .executeTakeFirst();
        if (count(removed.numDeletedRows) > 0) {
          await trx.updateTable('groups').set({ last_membership_updated: now }).where('id', '=', groupId).execute();
        }
      });
    },

    async listMembers(groupId, page) {
      let qb = db.selectFrom('users')
        .innerJoin('group_members', 'group_members.user_id', 'users.id')
        .selectAll('users')
        .where('group_members.group_id', '=', groupId);
      if (page.after !== undefined) qb = qb.where('users.id', '>', page.after);
      const rows = await qb.orderBy('users.id').limit(pageLimit(page)).execute();
      return rows.map(rowToUser);
    },

    async listGroupsOfUser(userId) {
      const rows = await db.selectFrom('groups').selectAll()
        .where('id', 'in', (eb) => eb.selectFrom('group_members').select('group_id').where('user_id', '=', userId))
        .orderBy('id')
        .execute();
      return rows.map(toGroup);
    },

    async groupIdsOfUser(userId) {
      // UNION (not UNION ALL) also drops Everyone if someone added an explicit membership to it.
      const rows = await db.selectFrom('group_members').select('group_id as id').where('user_id', '=', userId)
        .union(db.selectFrom('groups').select('id').where('type', '=', 'BUILT_IN').where('name', '=', EVERYONE))
        .execute();
      return rows.map((r) => r.id).sort();
    },

    async groupRefsOfUser(userId) {
      const { rows } = await groupRefsQuery(db, { userId });
      return rows.map((r) => ({ id: r.id, name: r.name })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
    },
  };
}
