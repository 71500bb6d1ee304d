import { defineLuaScript } from '../redis/lua-script';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import type { LockBackend } from './lock-backend';
import { lockKeyPrefix, redisLockKey, redisLockKeys } from './lock-key';

/**
 * SET NX PX and, only when that succeeds, INCR of the fence counter: one atomic step, so a fence
 * is issued exactly once per grant. The counter never expires, so fences keep rising across
 * expiries of the lock itself.
 */
const ACQUIRE = defineLuaScript(
  'lock-acquire',
  `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return false`,
);

/** Compare-and-delete: 1 when the lock was ours and is gone, 0 (deleting nothing) otherwise. */
const RELEASE = defineLuaScript(
  'lock-release',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`,
);

/**
 * Compare-and-delete for a release by owner, which does not know the fence. The counter only
 * moves on a grant, so while the lock is held its value is the holder's fence.
 */
const RELEASE_OWNED = defineLuaScript(
  'lock-release-owned',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return tonumber(redis.call('GET', KEYS[2]) or '0')
end
return false`,
);

/** Compare-and-pexpire. */
const EXTEND = defineLuaScript(
  'lock-extend',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`,
);

/** Locks in Redis, shared by every instance; each call is one EVALSHA (or GET) under `commandTimeout`. */
export class RedisLockBackend implements LockBackend {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisCoordinator,
    namespace: string,
  ) {
    this.prefix = lockKeyPrefix(namespace);
  }

  /** The Redis keys of a lock (exposed for tests and for operators reading Redis). */
  keys(key: string): [lockKey: string, fenceKey: string] {
    return redisLockKeys(this.prefix, key);
  }

  async acquire(key: string, token: string, ttl: number): Promise<number | null> {
    const fence = await this.redis.eval(ACQUIRE, this.keys(key), [token, ttl]);
    return typeof fence === 'number' ? fence : null;
  }

  async release(key: string, token: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE, [redisLockKey(this.prefix, key)], [token])) === 1;
  }

  async releaseOwned(key: string, token: string): Promise<number | null> {
    const fence = await this.redis.eval(RELEASE_OWNED, this.keys(key), [token]);
    return typeof fence === 'number' ? fence : null;
  }

  async extend(key: string, token: string, ttl: number): Promise<boolean> {
    return (await this.redis.eval(EXTEND, [redisLockKey(this.prefix, key)], [token, ttl])) === 1;
  }

  async holder(key: string): Promise<string | null> {
    const lockKey = redisLockKey(this.prefix, key);
    return this.redis.call('GET', (client) => client.get(lockKey));
  }
}
