import { KEY_SEPARATOR } from './stores/ioredis-keyv.store';

/**
 * Where the cache keeps things in Redis, for a namespace. `<entry>` is a key in the layout of
 * cache-key-layout.ts (root keys as themselves, scoped ones as `@<segment>/...<key>`):
 *
 *   <namespace>::<entry>                     the value (spread over the cluster's slots)
 *   <namespace>:#tag:{t:<namespace>}:<tag>   sorted set of the entries carrying a tag
 *   <namespace>:#tags-of:{t:<namespace>}:<entry>  set of the tags of one entry
 *
 * The whole tag index shares the `{t:<namespace>}` hash tag: one slot, so every index script runs
 * on Redis Cluster, and scopes (which prefix `<tag>` and `<entry>` alike) can be cleared by SCAN.
 */
export interface CacheRedisKeys {
  readonly values: string;
  readonly tagSets: string;
  readonly records: string;
  /** What every index key starts with (tag sets, records, and tag sets of the layout before this one). */
  readonly index: string;
}

export function cacheRedisKeys(namespace: string): CacheRedisKeys {
  const slot = `{t:${namespace}}`;
  return {
    values: `${namespace}${KEY_SEPARATOR}`,
    tagSets: `${namespace}:#tag:${slot}:`,
    records: `${namespace}:#tags-of:${slot}:`,
    index: `${namespace}:#tag`,
  };
}
