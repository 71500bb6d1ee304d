import type { RedisCoordinator } from '../redis/redis-coordinator';
import type { LockStore } from './lock-store';
import { lockKeyPrefix, redisLockKey, redisLockKeys } from './lock-keys';
import { ACQUIRE, EXTEND, RELEASE, RELEASE_OWNED } from './lock.scripts';

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

  async acquire(key: string, token: string, ttl: number): Promise<number | null> {
    const fence = await this.redis.eval(ACQUIRE, this.keys(key), [token, ttl]);
    return typeof fence === 'number' ? fence : null;
  }

  /** SET NX PX alone: no fence counter, so a lease leaves no key behind once it ends. */
  async lease(key: string, token: string, ttl: number): Promise<boolean> {
    const lockKey = redisLockKey(this.prefix, key);
    const reply = await this.redis.call('SET NX', (client) => client.set(lockKey, token, 'PX', ttl, 'NX'));
    return reply === 'OK';
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
