/**
 * SessionStore on Redis. Each record is a hash {v: JSON, ver: version} with a TTL; the
 * check-and-write steps run as Lua scripts, so they are atomic on the server.
 */
import { Redis } from 'ioredis';
import { SessionStoreError, type SessionStore, type StoredRecord } from './store.js';

const PREFIX = 'gatehouse:gateway:';

const CREATE = `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'ver', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
const GET = `local r = redis.call('HMGET', KEYS[1], 'v', 'ver')
if not r[1] then return nil end
return {r[1], r[2], redis.call('PTTL', KEYS[1])}`;
const SWAP = `local ver = redis.call('HGET', KEYS[1], 'ver')
if not ver or tonumber(ver) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'ver', tonumber(ver) + 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;
const TAKE = `local v = redis.call('HGET', KEYS[1], 'v')
if not v then return nil end
redis.call('DEL', KEYS[1])
return v`;

export async function openRedisStore(url: string, now: () => number = Date.now): Promise<SessionStore> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5000, enableOfflineQueue: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new SessionStoreError(`cannot connect to the Redis session store: ${(err as Error).message}`);
  }
  const ttl = (ms: number) => String(Math.max(1, Math.ceil(ms)));

  return {
    kind: 'redis',
    async create(key, value, ttlMs) {
      return (await redis.eval(CREATE, 1, PREFIX + key, JSON.stringify(value), ttl(ttlMs))) === 1;
    },
    async get<T>(key: string): Promise<StoredRecord<T> | undefined> {
      const r = (await redis.eval(GET, 1, PREFIX + key)) as [string, string, number] | null;
      if (!r) return undefined;
      return { value: JSON.parse(r[0]) as T, version: Number(r[1]), expiresAt: now() + Number(r[2]) };
    },
    async swap(key, expectedVersion, value, ttlMs) {
      return (await redis.eval(SWAP, 1, PREFIX + key, String(expectedVersion), JSON.stringify(value), ttl(ttlMs))) === 1;
    },
    async take<T>(key: string): Promise<T | undefined> {
      const v = (await redis.eval(TAKE, 1, PREFIX + key)) as string | null;
      return v == null ? undefined : (JSON.parse(v) as T);
    },
    async delete(key) {
      await redis.del(PREFIX + key);
    },
    async ping() {
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
