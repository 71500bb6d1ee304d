import { InvalidArgumentError } from '../errors';
import { assertKey } from '../common/assert-key';
import {
  assertTags,
  checkEntryFields,
  checkSetOptions,
  resolveCompression,
  resolveGrace,
  resolveTtl,
} from './cache-arguments';
import type { CacheEntry, CacheSetOptions, GetOrSetOptions } from './cache-call-options';
import { scopePrefix } from './cache-keys';
import { CacheScopeUpkeep } from './cache-scope-upkeep';
import type { Duration } from '../common/duration';
import { policyOf } from './resilience/load-policy';
import type { Loader } from './resilience/resilient-load';

const GET_OR_SET_PLACE = { subject: 'getOrSet option' };

/**
 * The cache API. `CacheService` is the root scope; `namespace(prefix)` returns another scope with
 * the same API whose keys, tags and `clear()` are confined to that prefix. Reads, writes and loads
 * are here; lifetimes, counters, warm-up, statistics and events in CacheScopeUpkeep.
 */
export class CacheScope extends CacheScopeUpkeep {
  /**
   * The value, or `undefined` on a miss. A store error or timeout is a miss (plus an `error` event).
   * @example const user = await cache.get<User>(`user:${id}`);
   */
  get<T = unknown>(key: string): Promise<T | undefined> {
    // Not `async`: on an L1 hit the promise hops of an async wrapper cost more than the lookup.
    try {
      assertKey('cache key', key, this.core.options.maxKeyLength);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.reader.get(key) as Promise<T | undefined>;
  }

  /** Values for several keys in one round trip, `undefined` where missing. */
  async getMany<T = unknown>(keys: string[]): Promise<Array<T | undefined>> {
    if (!Array.isArray(keys)) throw new InvalidArgumentError('Invalid keys: expected an array of strings.');
    for (const key of keys) assertKey('cache key', key, this.core.options.maxKeyLength);
    return this.reader.getMany(keys) as Promise<Array<T | undefined>>;
  }

  /** Whether a live entry exists. */
  async has(key: string): Promise<boolean> {
    assertKey('cache key', key, this.core.options.maxKeyLength);
    return this.reader.has(key);
  }

  /**
   * Stores a value; its `tags` become the entry's only tags. `undefined` is refused; a value the
   * serializer cannot encode throws `E_NOT_SERIALIZABLE`, one over `maxValueSize` bytes serialized
   * `E_VALUE_TOO_LARGE`, before anything is written. `compression` overrides the module's for
   * this value (docs/compression.md).
   * @example await cache.set('config', cfg, { ttl: '1h', tags: ['config'] });
   * @example await cache.set('page', html, { compression: { threshold: '4kb', algorithm: 'gzip' } });
   */
  async set<T>(key: string, value: T, ttlOrOptions?: Duration | CacheSetOptions): Promise<void> {
    assertKey('cache key', key, this.core.options.maxKeyLength);
    let options: CacheSetOptions;
    if (typeof ttlOrOptions === 'object' && ttlOrOptions !== null) {
      checkSetOptions(ttlOrOptions, 'set');
      options = ttlOrOptions;
    } else {
      options = { ttl: ttlOrOptions };
    }
    const ttl = resolveTtl(options.ttl, this.core.options.defaultTtl);
    const tags = options.tags ?? [];
    assertTags(tags, this.core.options.maxKeyLength);
    const grace = resolveGrace(options.grace, this.core.options.resilience.grace);
    const compression = resolveCompression(options.compression, this.core.options.compression, 'set');
    return this.writer.set(key, value, ttl, tags, this.core.options.throwOnError, grace, compression);
  }

  /** Stores several entries; all values are checked before any is written. */
  async setMany<T>(entries: Array<CacheEntry<T>>): Promise<void> {
    if (!Array.isArray(entries))
      throw new InvalidArgumentError('Invalid entries: expected an array of { key, value }.');
    const checked = entries.map((e, index) => {
      assertKey('cache key', e?.key, this.core.options.maxKeyLength);
      checkEntryFields(e, index);
      const tags = e.tags ?? [];
      assertTags(tags, this.core.options.maxKeyLength);
      const { defaultTtl, resilience, compression } = this.core.options;
      return {
        key: e.key,
        value: e.value,
        ttl: resolveTtl(e.ttl, defaultTtl),
        tags,
        grace: resolveGrace(e.grace, resilience.grace),
        compression: resolveCompression(e.compression, compression, index),
      };
    });
    return this.writer.setMany(checked);
  }

  /** Removes a key (from L1 on every instance too). */
  async del(key: string): Promise<void> {
    assertKey('cache key', key, this.core.options.maxKeyLength);
    return this.writer.delMany([key]);
  }

  /** Removes several keys in one round trip. */
  async delMany(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new InvalidArgumentError('Invalid keys: expected an array of strings.');
    for (const key of keys) assertKey('cache key', key, this.core.options.maxKeyLength);
    return this.writer.delMany(keys);
  }

  /**
   * The cached value, or the loader's result stored and returned. Single-flight per key in this
   * process: concurrent callers share one loader run and its outcome; a loader error reaches them
   * all and is not cached; `undefined` is returned but never stored. On a store failure the
   * loader still runs and its value is returned. The loader gets `{ signal }`, aborted when it
   * passes `timeout.hard` (then the call rejects with `E_LOADER_TIMEOUT`). With `grace`, a value
   * past its ttl stands in when the loader throws or times out or the store cannot be read, and
   * at `timeout.soft` while the loader finishes in the background (docs/resilience.md).
   * @example const report = await cache.getOrSet(`report:${day}`, () => build(day), { ttl: '5m' });
   * @example await cache.getOrSet('rates', fetchRates, { ttl: '1m', grace: '1h' }); // stale rates beat an error
   * @example await cache.getOrSet('page', ({ signal }) => fetch(url, { signal }), { timeout: { hard: '2s' } });
   */
  async getOrSet<T>(key: string, loader: Loader<T>, options: GetOrSetOptions = {}): Promise<T> {
    assertKey('cache key', key, this.core.options.maxKeyLength);
    if (typeof loader !== 'function') throw new InvalidArgumentError('Invalid loader: expected a function.');
    checkSetOptions(options, 'getOrSet');
    const ttl = resolveTtl(options.ttl, this.core.options.defaultTtl);
    const tags = options.tags ?? [];
    assertTags(tags, this.core.options.maxKeyLength);
    const policy = policyOf(options, this.core.options.resilience, GET_OR_SET_PLACE);
    const compression = resolveCompression(options.compression, this.core.options.compression, 'getOrSet');
    return this.readThrough.getOrSet(
      key,
      loader,
      (value, absent) => this.writer.set(key, value, ttl, tags, false, policy.grace, compression, absent),
      policy,
      ttl,
    );
  }

  /** Removes every key carrying any of `tags` (and those keys from their other tags); resolves to how many keys went. */
  async invalidateTags(tags: string[]): Promise<number> {
    assertTags(tags, this.core.options.maxKeyLength);
    return this.writer.invalidateTags(tags);
  }

  /** Removes every key of this scope (SCAN + UNLINK on Redis; never KEYS or FLUSHDB); resolves to how many went. */
  async clear(): Promise<number> {
    return this.writer.clear();
  }

  /**
   * A view confined to `prefix`: its keys and tags are its own (no other scope path, and no root
   * key, shares an entry with them, whatever characters `prefix` holds), and its `clear()` removes
   * them and those of scopes nested in it with `namespace()`. See cache-keys.ts.
   * @example await cache.namespace(`user:${id}`).clear(); // everything cached for that user
   */
  namespace(prefix: string): CacheScope {
    assertKey('cache namespace prefix', prefix, this.core.options.maxKeyLength);
    const label = this.scope.label ? `${this.scope.label}:${prefix}` : prefix;
    return new CacheScope(this.core, { prefix: scopePrefix(this.scope.prefix, prefix), label });
  }
}
