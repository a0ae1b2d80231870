/** Users: profile as JSON, with lower-cased copies of the searchable attributes kept in sync. */
import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';
import type { Database, UsersTable } from '../../db/schema.js';
import type { User, UserProfile, UserStatus } from '../../domain/model.js';
import type { UserFilter, UserListQuery, UserRepo } from '../store.js';
import { prepareQuery } from './prepared.js';
import { type Db, guardUnique, inTransaction, likePrefix, pageLimit, parseJson, toJson, unstorable } from './shared.js';

const UNIQUE_FIELDS = { login_lower: 'login' };

type UserRow = Selectable<UsersTable>;
type Eb = ExpressionBuilder<Database, 'users'>;

function lower(value: unknown): string | null {
  return typeof value === 'string' ? value.toLowerCase() : null;
}

export function userToRow(user: User): UsersTable {
  const { profile } = user;
  return {
    id: user.id,
    login: profile.login,
    login_lower: profile.login.toLowerCase(),
    email_lower: lower(profile.email),
    first_name_lower: lower(profile.firstName),
    last_name_lower: lower(profile.lastName),
    status: user.status,
    profile: toJson(profile),
    password_hash: user.passwordHash,
    failed_logins: user.failedLogins,
    admin_roles: toJson(user.adminRoles),
    created: user.created,
    activated: user.activated,
    status_changed: user.statusChanged,
    last_login: user.lastLogin,
    last_updated: user.lastUpdated,
    password_changed: user.passwordChanged,
  };
}

export function rowToUser(row: UserRow): User {
  return {
    id: row.id,
    status: row.status as UserStatus,
    profile: parseJson<UserProfile>(row.profile),
    passwordHash: row.password_hash,
    failedLogins: row.failed_logins,
    adminRoles: parseJson<string[]>(row.admin_roles),
    created: row.created,
    activated: row.activated,
    statusChanged: row.status_changed,
    lastLogin: row.last_login,
    lastUpdated: row.last_updated,
    passwordChanged: row.password_changed,
  };
}

// Profile attributes compare case-insensitively through their *_lower columns.
const TEXT_COLUMNS = {
  id: { column: 'id', folded: false },
  status: { column: 'status', folded: false },
  login: { column: 'login_lower', folded: true },
  email: { column: 'email_lower', folded: true },
  firstName: { column: 'first_name_lower', folded: true },
  lastName: { column: 'last_name_lower', folded: true },
} as const;

const TIME_COLUMNS = {
  created: 'created',
  lastUpdated: 'last_updated',
  statusChanged: 'status_changed',
  activated: 'activated',
  lastLogin: 'last_login',
} as const;

const COMPARATORS = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

type TimeTerm = Extract<UserFilter, { value: number }>;
type TextTerm = Extract<UserFilter, { value: string }>;

function isTimeTerm(term: TimeTerm | TextTerm): term is TimeTerm {
  return term.field in TIME_COLUMNS;
}

function filterExpression(eb: Eb, filter: UserFilter): Expression<SqlBool> {
  if ('op' in filter) {
    const terms = filter.terms.map((t) => filterExpression(eb, t));
    return filter.op === 'and' ? eb.and(terms) : eb.or(terms);
  }
  if (isTimeTerm(filter)) return eb(TIME_COLUMNS[filter.field], COMPARATORS[filter.cmp], filter.value);
  const { column, folded } = TEXT_COLUMNS[filter.field];
  const value = folded ? filter.value.toLowerCase() : filter.value;
  if (filter.cmp === 'eq') return eb(column, '=', value);
  // Exact-case columns (id, status) must not go through SQLite's case-insensitive LIKE.
  return folded ? likePrefix(eb.ref(column), value) : eb(eb.fn('substr', [eb.ref(column), eb.lit(1), eb.val([...value].length)]), '=', value);
}

const NAME_COLUMNS = ['login_lower', 'email_lower', 'first_name_lower', 'last_name_lower'] as const;

function prefixOfAnyName(eb: Eb, q: string): Expression<SqlBool> {
  const prefix = q.toLowerCase();
  return eb.or(NAME_COLUMNS.map((c) => likePrefix(eb.ref(c), prefix)));
}

// Read on every token grant, compiled once (see prepared.ts for why).
const selectUser = prepareQuery((db, p: { id: string }) => db.selectFrom('users').selectAll().where('id', '=', p.id));

export function createUserRepo(db: Db): UserRepo {
  return {
    async create(user) {
      await guardUnique(() => db.insertInto('users').values(userToRow(user)).execute(), UNIQUE_FIELDS);
    },

    async get(id) {
      const [row] = (await selectUser(db, { id })).rows;
      return row && rowToUser(row);
    },

    async getByLogin(login) {
      if (unstorable(login)) return undefined;
      const row = await db.selectFrom('users').selectAll().where('login_lower', '=', login.toLowerCase()).executeTakeFirst();
      return row && rowToUser(row);
    },

    async list(query: UserListQuery) {
      let qb = db.selectFrom('users').selectAll();
      if (query.after !== undefined) qb = qb.where('id', '>', query.after);
      if (query.q) {
        const q = query.q;
        qb = qb.where((eb) => prefixOfAnyName(eb, q));
      }
      if (query.filter) {
        const filter = query.filter;
        qb = qb.where((eb) => filterExpression(eb, filter));
      }
      const rows = await qb.orderBy('id').limit(pageLimit(query)).execute();
      return rows.map(rowToUser);
    },

    async update(user) {
      const { id, created, ...changes } = userToRow(user);
      await guardUnique(() => db.updateTable('users').set(changes).where('id', '=', id).execute(), UNIQUE_FIELDS);
    },

    async delete(id) {
      await inTransaction(db, async (trx) => {
        await trx.deleteFrom('group_members').where('user_id', '=', id).execute();
        await trx.deleteFrom('app_user_assignments').where('user_id', '=', id).execute();
        await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
        await trx.deleteFrom('refresh_tokens').where('user_id', '=', id).execute();
        await trx.deleteFrom('consent_grants').where('user_id', '=', id).execute();
        await trx.deleteFrom('users').where('id', '=', id).execute();
      });
    },

    async recordFailedLogin(id, threshold, now) {
      // One UPDATE so concurrent failures each count; SET expressions all see the row as it was.
      const row = await db.updateTable('users')
        .set((eb) => {
          const reachesThreshold = eb.and([
            eb('status', '!=', 'LOCKED_OUT'),
            eb(eb('failed_logins', '+', 1), '>=', threshold),
          ]);
          return {
            failed_logins: eb('failed_logins', '+', 1),
            status: eb.case().when(reachesThreshold).then('LOCKED_OUT').else(eb.ref('status')).end(),
            status_changed: eb.case().when(reachesThreshold).then(now).else(eb.ref('status_changed')).end(),
            last_updated: eb.case().when(reachesThreshold).then(now).else(eb.ref('last_updated')).end(),
          };
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && rowToUser(row);
    },

    async recordSuccessfulLogin(id, now) {
      await db.updateTable('users').set({ failed_logins: 0, last_login: now }).where('id', '=', id).execute();
    },
  };
}
