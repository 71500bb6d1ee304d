/*
 * Where an entry of a scope lives inside the namespace. A root key is stored as itself, except that
 * one starting with "@" gets a second "@". Each `namespace(segment)` level adds "@<segment>/",
 * the segment percent-escaped so that it holds no "/" and does not start with "@":
 *
 *   cache.set('user:1')                          -> user:1
 *   cache.set('@home')                           -> @@home
 *   cache.namespace('user').set('1')             -> @user/1
 *   cache.namespace('a').namespace('b').set('k') -> @a/@b/k
 *   cache.namespace('a:b').set('k')              -> @a:b/k
 *   cache.namespace('a/b').set('@k')             -> @a%2Fb/@@k
 *
 * A stored key therefore reads back as exactly one (scope path, key): "@" followed by anything but
 * "@" opens a segment that runs to the next "/", "@@" or any other character starts the key. So
 * two scope paths, or a root key and a scoped key, never share an entry, and a scope's prefix
 * covers its own keys and those of the scopes nested in it, and nothing else. Tags use the same
 * layout. A plain root key (the hot path) costs one character check.
 */

const MARK = 64; // '@'

/** The prefix of `segment` nested in the scope whose prefix is `parent` ('' for the root). */
export function scopePrefix(parent: string, segment: string): string {
  let escaped = segment.replace(/[%/]/g, (c) => (c === '%' ? '%25' : '%2F'));
  if (escaped.charCodeAt(0) === MARK) escaped = `%40${escaped.slice(1)}`;
  return `${parent}@${escaped}/`;
}

/** Where `key` (or a tag) of the scope with `prefix` is stored. */
export function entryKey(prefix: string, key: string): string {
  return key.charCodeAt(0) === MARK ? `${prefix}@${key}` : prefix + key;
}

/** The caller's key back from an entry stored directly in the scope with `prefix`. */
export function keyOfEntry(prefix: string, stored: string): string {
  return stored.charCodeAt(prefix.length) === MARK
    ? stored.slice(prefix.length + 1)
    : stored.slice(prefix.length);
}

/** Separator between namespace and key; the same one @keyv/redis uses, so both value stores share a layout. */
export const KEY_SEPARATOR = '::';

/**
 * Where the cache keeps things in Redis, for a namespace. `<entry>` is a key in
 * the layout above (root keys as themselves, scoped ones as `@<segment>/...<key>`):
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
