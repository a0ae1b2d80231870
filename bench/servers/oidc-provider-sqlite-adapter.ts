/**
 * A durable storage adapter for oidc-provider on SQLite, so the comparison can also be made with
 * oidc-provider storing what Gatehouse stores (sessions, interactions, codes, grants, refresh
 * tokens) on disk, instead of in its process memory where a restart loses every session and
 * refresh token.
 *
 * It follows oidc-provider's adapter contract (one instance per model name: upsert, find,
 * findByUid, findByUserCode, consume, destroy, revokeByGrantId) the way its example adapters for
 * Redis or MongoDB do: one key-value row per object with the payload as JSON, plus the columns the
 * lookups need. Same engine and settings as Gatehouse's embedded store: better-sqlite3, WAL,
 * synchronous=NORMAL, statements prepared once.
 */
import Database from 'better-sqlite3';

interface Payload {
  grantId?: string;
  userCode?: string;
  uid?: string;
  consumed?: number;
  [key: string]: unknown;
}

interface Row {
  payload: string;
  expires_at: number | null;
}

export function sqliteAdapter(filename: string): new (model: string) => unknown {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    create table if not exists oidc_objects (
      model text not null,
      id text not null,
      payload text not null,
      grant_id text,
      user_code text,
      uid text,
      expires_at integer,
      primary key (model, id)
    );
    create index if not exists oidc_objects_grant on oidc_objects (grant_id);
    create index if not exists oidc_objects_uid on oidc_objects (model, uid);
    create index if not exists oidc_objects_user_code on oidc_objects (model, user_code);
  `);
  const upsert = db.prepare(`insert into oidc_objects (model, id, payload, grant_id, user_code, uid, expires_at)
    values (?, ?, ?, ?, ?, ?, ?)
    on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
      user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`);
  const byId = db.prepare('select payload, expires_at from oidc_objects where model = ? and id = ?');
  const byUid = db.prepare('select payload, expires_at from oidc_objects where model = ? and uid = ?');
  const byUserCode = db.prepare('select payload, expires_at from oidc_objects where model = ? and user_code = ?');
  const consume = db.prepare("update oidc_objects set payload = json_set(payload, '$.consumed', ?) where model = ? and id = ?");
  const destroy = db.prepare('delete from oidc_objects where model = ? and id = ?');
  const revokeGrant = db.prepare('delete from oidc_objects where grant_id = ?');

  const live = (row: Row | undefined): Payload | undefined =>
    row && (row.expires_at === null || row.expires_at > Date.now()) ? (JSON.parse(row.payload) as Payload) : undefined;

  return class SqliteAdapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : null;
      upsert.run(this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresAt);
    }

    async find(id: string): Promise<Payload | undefined> {
      return live(byId.get(this.model, id) as Row | undefined);
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      return live(byUid.get(this.model, uid) as Row | undefined);
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      return live(byUserCode.get(this.model, userCode) as Row | undefined);
    }

    async consume(id: string): Promise<void> {
      consume.run(Math.floor(Date.now() / 1000), this.model, id);
    }

    async destroy(id: string): Promise<void> {
      destroy.run(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      revokeGrant.run(grantId);
    }
  };
}
