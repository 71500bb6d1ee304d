/**
 * Where locks live: the storage contract behind LockService. Larder's own are RedisLockStore (Lua
 * scripts, shared by every instance) and MemoryLockStore (one process); an application can bring
 * its own with the `lock.store` option, and run it through `describeLockContract` from
 * `@larder/nestjs/testing`. Keys here are the caller's lock keys: a store adds its own namespace.
 * Every method should be one round trip at most, and reject (never resolve) when the store fails:
 * LockService then fails closed.
 *
 * @example
 * class PgLockStore implements LockStore {
 *   acquire(key: string, token: string, ttl: number) { return this.db.tryLock(key, token, ttl); } // fence or null
 *   // release, releaseOwned, extend, holder ...
 * }
 * CacheModule.forRoot({ lock: { store: new PgLockStore(db) } });
 */
export interface LockStore {
  /**
   * Takes `key` for `token` for `ttl` ms if nobody holds it, and returns the new fence: strictly
   * greater than every fence issued before for this key, also across expiries. `null` when held.
   */
  acquire(key: string, token: string, ttl: number): Promise<number | null>;
  /**
   * Optional: takes `key` for `token` for `ttl` ms if nobody holds it, like `acquire` but issuing
   * no fence, so nothing is left behind once it expires. For short leases whose holder writes
   * nothing that needs fencing: the cache's load locks (`getOrSet` with `lock`), one per cache key
   * loaded. True when taken. A store without it is asked `acquire` instead.
   */
  lease?(key: string, token: string, ttl: number): Promise<boolean>;
  /** Deletes the lock if `token` holds it; false (deleting nothing) when it is free or held by another token. */
  release(key: string, token: string): Promise<boolean>;
  /** Like `release`, for a caller that does not know the fence: returns the fence of the grant that ended, or `null`. */
  releaseOwned(key: string, token: string): Promise<number | null>;
  /** Sets the remaining lifetime to `ttl` ms if `token` holds the lock; false (changing nothing) otherwise. */
  extend(key: string, token: string, ttl: number): Promise<boolean>;
  /** The token holding `key` now, or `null` when it is free. */
  holder(key: string): Promise<string | null>;
}
