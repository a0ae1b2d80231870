/** Opens the session store named by GATEWAY_SESSION_STORE: `sqlite:PATH`, `postgres://…` or `redis://…`. */
import { SessionStoreError, type SessionStore } from './store.js';

export type SessionStoreUrl =
  | { kind: 'sqlite'; filename: string }
  | { kind: 'postgres'; url: string }
  | { kind: 'redis'; url: string };

/** Parses a store URL; throws SessionStoreError with the accepted forms when it is not one. */
export function parseSessionStoreUrl(raw: string): SessionStoreUrl {
  if (raw.startsWith('sqlite:')) {
    const filename = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!filename) throw new SessionStoreError('sqlite: needs a file name, e.g. sqlite:./data/gateway-sessions.db');
    return { kind: 'sqlite', filename };
  }
  if (/^postgres(ql)?:\/\//.test(raw) || /^rediss?:\/\//.test(raw)) {
    try {
      new URL(raw);
    } catch {
      throw new SessionStoreError(`not a valid URL: ${raw}`);
    }
    return raw.startsWith('redis') ? { kind: 'redis', url: raw } : { kind: 'postgres', url: raw };
  }
  throw new SessionStoreError(`unsupported store "${raw}": use sqlite:PATH, postgres://user@host:5432/db or redis://host:6379`);
}

export async function openSessionStore(target: SessionStoreUrl, now?: () => number): Promise<SessionStore> {
  switch (target.kind) {
    case 'sqlite': {
      const { openSqliteStore } = await import('./sqlite.js');
      return openSqliteStore(target.filename, now);
    }
    case 'postgres': {
      const { openPostgresStore } = await import('./postgres.js');
      return openPostgresStore(target.url, now);
    }
    case 'redis': {
      const { openRedisStore } = await import('./redis.js');
      return openRedisStore(target.url, now);
    }
  }
}

export { SessionStoreError };
export type { SessionStore };
