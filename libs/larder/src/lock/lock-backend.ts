/**
 * Where locks live. Two implementations share one contract (test/contract/lock-contract.ts):
 * Redis (Lua scripts, shared by every instance) and memory (one process). Keys here are the
 * user's lock keys; each backend adds its own namespace. Every method is one round trip at most.
 */
export interface LockBackend {
  /**
   * Takes `key` for `token` for `ttl` ms if nobody holds it, and returns the new fence: strictly
   * greater than every fence issued before for this key, also across expiries. `null` when held.
   */
  acquire(key: string, token: string, ttl: number): Promise<number | null>;
  /** Deletes the lock if `token` holds it; false (deleting nothing) when it is free or held by another token. */
  release(key: string, token: string): Promise<boolean>;
  /** Like `release`, for a caller that does not know the fence: returns the fence of the grant that ended, or `null`. */
  releaseOwned(key: string, token: string): Promise<number | null>;
  /** Sets the remaining lifetime to `ttl` ms if `token` holds the lock; false (changing nothing) otherwise. */
  extend(key: string, token: string, ttl: number): Promise<boolean>;
  /** The token holding `key` now, or `null` when it is free. */
  holder(key: string): Promise<string | null>;
}
