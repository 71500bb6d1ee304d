/**
 * Remembers which entries carry which tag, so `invalidateTags()` can remove a group, and which
 * tags each entry carries, so deleting or overwriting it takes it out of them. Used where values
 * and index cannot change in one step: a custom store, or Redis Cluster (values in many slots,
 * the index in one). Keys and tags are in the layout of cache-keys.ts.
 */
export interface TagStore {
  /** Makes `tags` the only tags of `key` (none: it leaves them all); `ttl` ms (0 = none) is the entry's lifetime. */
  retag(key: string, tags: string[], ttl: number): Promise<void>;
  /** Moves an entry's expiry in every tag it carries to `ttl` ms from now (0 = none). */
  retime(key: string, ttl: number): Promise<void>;
  /** Takes deleted or evicted entries out of every tag they carried. */
  forget(keys: string[]): Promise<void>;
  /** Forgets `tags` and every live entry carrying one of them (from its other tags too); returns those entries. */
  take(tags: string[]): Promise<string[]>;
  /** Forgets every tag and entry under a scope prefix (`''`: all). */
  clear(prefix: string): Promise<void>;
}
