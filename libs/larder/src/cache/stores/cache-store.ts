import type { Keyv } from 'keyv';
import type { EncodedValue, StoredEnvelope } from './encoded-value';
import type { DropListener } from './memory-keyv.store';
import type { KeyspaceLimits } from '../../redis/keyspace-stats';
import type { StoreStats } from '../store-stats';

/** Deleted entries: their keys, and how many of them held a value. */
export interface Removal {
  keys: string[];
  removed: number;
}

/** What an in-process value store holds now and what its upkeep has dropped so far. */
export interface StoreUpkeep {
  items: number;
  evictions: number;
  expired: number;
}

/** The entry a stored one becomes for its new lifetime (see renewEnvelope); undefined when it is not live. */
export type Renewal = (
  current: StoredEnvelope | undefined,
) => EncodedValue | undefined | Promise<EncodedValue | undefined>;

/**
 * Where cache values live, with the tag index that belongs to them, and the few operations Keyv
 * has no portable form for. Keys and tags are in the layout of cache-keys.ts. Reads go
 * through `keyv`; writes and deletes go through the store, so the tag index follows every one.
 * Larder builds it from the options (`KeyvCacheStore` for memory and the `store` option,
 * `RedisCacheStore` for Redis); to bring your own values store, pass a Keyv store as `store`.
 *
 * @example
 * const store = moduleRef.get<CacheStore>(LARDER_CACHE_STORE);
 * store.kind; // 'redis'
 */
export interface CacheStore {
  /** `'memory'` (in-process), `'redis'` (@keyv/redis or the shared ioredis connection) or `'custom'` (the `store` option). */
  readonly kind: 'memory' | 'redis' | 'custom';
  /** The Keyv instance holding the values; cache-manager's `Cache` wraps the same one. */
  readonly keyv: Keyv;
  /**
   * Whether `keyv` encodes with Larder's serializer (so it stores an EncodedValue's payload as is).
   * False for a Keyv instance passed in as `store`, which keeps its own serializer.
   */
  readonly usesLarderSerializer: boolean;
  /**
   * Splits entries into groups (indices into `keys`) that each go to the store as one command and
   * fail on their own: one per cluster slot on Redis Cluster, so a dead shard fails only its own
   * keys. Absent, undefined or one group: the batch is one command.
   */
  batches?(keys: string[]): number[][] | undefined;
  /**
   * Stores an entry and makes `tags` its only tags (none: it leaves every tag it had). `absent`:
   * the caller has just read the key and found no entry, so an untagged write may leave out
   * forgetting tags (on Redis a bare SET). Should a tagged write land in between, its memberships
   * outlive the overwrite, and invalidating them removes the new value: a miss, never a stale read.
   */
  write(key: string, entry: EncodedValue, ttl: number, tags: string[], absent?: boolean): Promise<void>;
  /** Deletes entries and their tag memberships; resolves to how many existed (custom stores: how many were asked). */
  deleteMany(keys: string[]): Promise<number>;
  /** Deletes every entry carrying one of `tags`, and the tags. */
  invalidateTags(tags: string[]): Promise<Removal>;
  /** Deletes every entry (and tag) of this namespace under a scope prefix (`''`: the whole namespace). */
  clearPrefix(prefix: string): Promise<number>;
  /** Adds `by` to an integer counter, creating it (with `ttl` ms, 0 = none) when missing. */
  increment(key: string, by: number, ttl: number): Promise<number>;
  /**
   * Gives a live entry the lifetime `renew` encodes (value, and the tag index following it);
   * false when the entry is missing or not live. Atomic on Redis and in memory: a write that lands
   * meanwhile is never overwritten with the old value.
   */
  retime(key: string, renew: Renewal): Promise<boolean>;
  /** In-process stores: drops up to `max` entries past their expiry (the background sweep); returns how many. */
  sweep?(max: number): number;
  /** In-process stores: live entries now and the evictions and expiries so far (undefined elsewhere). */
  upkeep?(): StoreUpkeep | undefined;
  /** In-process stores: `listener` is told of every entry evicted for room or dropped past its expiry. */
  onDrop?(listener: DropListener): void;
  /** What the store holds under a scope prefix, with bounded work (see StoreStats, KeyspaceLimits). */
  stats(prefix: string, limits: KeyspaceLimits): Promise<StoreStats>;
  /** Remaining lifetime in ms, `Infinity` without expiry, `undefined` when the key is missing. */
  ttl(key: string): Promise<number | undefined>;
  /** Resolves once the store can take commands, or after `ms` (never rejects: the app may start while Redis is down). */
  ready?(ms: number): Promise<void>;
  /**
   * Round-trip time in ms of a PING over the connection holding the values (Redis stores only;
   * used by the health indicator). Rejects with a typed error when the store does not answer.
   */
  ping?(): Promise<number>;
  /** Closes what the store opened. */
  close(): Promise<void>;
}
