import type { RedisCoordinator } from '../redis/redis-coordinator';
import type { LockStore } from './lock-store';
import { lockKeyPrefix, redisLockKey, redisLockKeys } from './lock-keys';
import { ACQUIRE, EXTEND, RELEASE, RELEASE_OWNED } from './lock.scripts';

/** A script's fence reply: a number, or nil (false in Lua, null here) when nothing was granted or released. */
const toFence = (reply: unknown): number | null => (typeof reply === 'number' ? reply : null);
const isOne = (reply: unknown): boolean => reply === 1;

/** Locks in Redis, shared by every instance; each call is one EVALSHA (or GET, or SET NX for a lease) under `commandTimeout`. */
export class RedisLockStore implements LockStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisCoordinator,
    namespace: string,
  ) {
    this.prefix = lockKeyPrefix(namespace);
  }

  /** The Redis keys of a lock and its fence counter (layout in lock-keys.ts). */
  private keys(key: string): [lockKey: string, fenceKey: string] {
    return redisLockKeys(this.prefix, key);
  }

  // acquire and release hand back the script's promise (no async layer): they are every lock's hot path.
  acquire(key: string, token: string, ttl: number): Promise<number | null> {
    return this.redis.eval(ACQUIRE, this.keys(key), [token, ttl]).then(toFence);
  }

  /** SET NX PX alone: no fence counter, so a lease leaves no key behind once it ends. */
  async lease(key: string, token: string, ttl: number): Promise<boolean> {
    const lockKey = redisLockKey(this.prefix, key);
    const reply = await this.redis.call('SET NX', (client) => client.set(lockKey, token, 'PX', ttl, 'NX'));
    return reply === 'OK';
  }

  release(key: string, token: string): Promise<boolean> {
    return this.redis.eval(RELEASE, [redisLockKey(this.prefix, key)], [token]).then(isOne);
  }

  releaseOwned(key: string, token: string): Promise<number | null> {
    return this.redis.eval(RELEASE_OWNED, this.keys(key), [token]).then(toFence);
  }

  async extend(key: string, token: string, ttl: number): Promise<boolean> {
    return (await this.redis.eval(EXTEND, [redisLockKey(this.prefix, key)], [token, ttl])) === 1;
  }

  async holder(key: string): Promise<string | null> {
    const lockKey = redisLockKey(this.prefix, key);
    return this.redis.call('GET', (client) => client.get(lockKey));
  }
}
