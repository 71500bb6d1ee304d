import { InvalidArgumentError } from '../errors';
import type { CacheEventListener, CacheEventName } from './cache-events';
import type { CacheStats } from './cache-stats';
import { parseDuration, type Duration } from '../common/duration';
import { assertKey } from '../common/assert-key';
import {
  assertTags,
  checkEntryFields,
  checkIncrementOptions,
  checkSetOptions,
  resolveGrace,
  resolveTtl,
} from './cache-arguments';
import { policyOf, type ResilienceOptions } from './resilience/resilience-options';
import type { Loader } from './resilience/resilient-load';

const GET_OR_SET_PLACE = { subject: 'getOrSet option' };
import type { CacheCore, Scope } from './cache-core';
import { scopePrefix } from './cache-keys';
import { CacheReader } from './cache-reader';
import {
  checkWarmArguments,
  runWarmTasks,
  type WarmEntry,
  type WarmOptions,
  type WarmReport,
} from './cache-warmer';
import { CacheWriter } from './cache-writer';
import { checkStoreStatsOptions, type StoreStats, type StoreStatsOptions } from './store-stats';

/** Options of a write: how long it lives and which tags it carries. */
export interface CacheSetOptions {
  /** Milliseconds or `'30s'`-style; 0 = no expiry; unset = the module's `defaultTtl`. */
  ttl?: Duration;
  /** Tags for `invalidateTags()`. */
  tags?: string[];
  /**
   * How long past `ttl` the entry stays stored as a fallback for `getOrSet` (see ResilienceOptions).
   * Unset: the module's `resilience.grace` (default none).
   */
  grace?: Duration;
}

/** Options of `getOrSet`: those of a write, and what to do when the loader or the store fails. */
export interface GetOrSetOptions extends CacheSetOptions, ResilienceOptions {}

/** One entry of `setMany`. */
export interface CacheEntry<T = unknown> extends CacheSetOptions {
  key: string;
  value: T;
}

/**
 * The cache API. `CacheService` is the root scope; `namespace(prefix)` returns another scope with
 * the same API whose keys, tags and `clear()` are confined to that prefix.
 */
export class CacheScope {
  protected readonly reader: CacheReader;
  protected readonly writer: CacheWriter;

  constructor(
    protected readonly core: CacheCore,
    protected readonly scope: Scope,
  ) {
    this.reader = new CacheReader(core, scope);
    this.writer = new CacheWriter(core, scope);
  }

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
   * `E_VALUE_TOO_LARGE`, before anything is written.
   * @example await cache.set('config', cfg, { ttl: '1h', tags: ['config'] });
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
    return this.writer.set(key, value, ttl, tags, this.core.options.throwOnError, grace);
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
      const { defaultTtl, resilience } = this.core.options;
      return {
        key: e.key,
        value: e.value,
        ttl: resolveTtl(e.ttl, defaultTtl),
        tags,
        grace: resolveGrace(e.grace, resilience.grace),
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
    return this.reader.getOrSet(
      key,
      loader,
      (value) => this.writer.set(key, value, ttl, tags, false, policy.grace),
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
   * Atomically adds `by` (default 1) to an integer and returns the result. `ttl` applies when the
   * counter is created. Unlike reads, a store failure rejects (a counter cannot fail open).
   * @example const views = await cache.increment(`views:${id}`, 1, { ttl: '1d' });
   */
  async increment(key: string, by = 1, options: { ttl?: Duration } = {}): Promise<number> {
    assertKey('cache key', key, this.core.options.maxKeyLength);
    if (!Number.isSafeInteger(by))
      throw new InvalidArgumentError(`Invalid by: ${by}. Expected a safe integer.`);
    checkIncrementOptions(options);
    return this.writer.increment(key, by, resolveTtl(options.ttl, 0));
  }

  /**
   * Makes a live entry expire `ttl` from now (> 0), whatever its lifetime was; a grace it was
   * written with is kept. Resolves to false when the key is missing (nothing is created). Atomic
   * on Redis; the L1 copies on every instance are dropped, and `ttl(key)` reports the new lifetime.
   * A store failure resolves to false (rejects with `throwOnError`).
   * @throws InvalidOptionError naming `ttl` when it is not a duration > 0
   * @example await cache.expire(`otp:${user}`, '5m')
   */
  async expire(key: string, ttl: Duration): Promise<boolean> {
    assertKey('cache key', key, this.core.options.maxKeyLength);
    return this.writer.retime(key, parseDuration(ttl, 'ttl'));
  }

  /**
   * `expire` for keeping an entry alive: `ttl` defaults to the module's `defaultTtl`.
   * @throws InvalidArgumentError when neither `ttl` nor `defaultTtl` is set
   * @example if (!(await cache.touch(`cart:${id}`))) cart = await rebuild(id);
   */
  async touch(key: string, ttl?: Duration): Promise<boolean> {
    assertKey('cache key', key, this.core.options.maxKeyLength);
    const ms = ttl === undefined ? this.core.options.defaultTtl : parseDuration(ttl, 'ttl');
    if (ms === 0) {
      throw new InvalidArgumentError('Invalid ttl: touch() needs a ttl when the module has no defaultTtl.');
    }
    return this.writer.retime(key, ms);
  }

  /**
   * Removes an entry's expiry: it stays until deleted (or evicted). False when the key is missing.
   * @example await cache.persist('config')
   */
  async persist(key: string): Promise<boolean> {
    assertKey('cache key', key, this.core.options.maxKeyLength);
    return this.writer.retime(key, 0);
  }

  /**
   * Loads and stores many entries (a warm-up before traffic arrives), at most `concurrency` loads
   * at once. One failing entry (its loader throws, its value cannot be stored, the store fails)
   * is reported in `failed` and never fails the others; with `skipIfPresent`, entries already
   * holding a live value are left alone. Every entry is checked before anything loads.
   * @throws InvalidArgumentError / InvalidKeyError / InvalidOptionError naming the entry or option
   * @example
   * const { loaded, failed } = await cache.warm(
   *   ids.map((id) => ({ key: `product:${id}`, load: () => repo.find(id), ttl: '5m', tags: ['products'] })),
   *   { concurrency: 4, skipIfPresent: true },
   * );
   */
  async warm(entries: WarmEntry[], options: WarmOptions = {}): Promise<WarmReport> {
    const { defaultTtl, maxKeyLength } = this.core.options;
    const { tasks, concurrency, skipIfPresent } = checkWarmArguments(entries, options, {
      defaultTtl,
      maxKeyLength,
    });
    return runWarmTasks(tasks, concurrency, async (task) => {
      if (skipIfPresent && (await this.reader.has(task.key))) return false;
      const value = await task.load();
      if (value === undefined) return false;
      await this.writer.set(task.key, value, task.ttl, task.tags, true);
      return true;
    });
  }

  /** Remaining lifetime in ms; `Infinity` without expiry; `undefined` when missing (or on a store failure). */
  async ttl(key: string): Promise<number | undefined> {
    assertKey('cache key', key, this.core.options.maxKeyLength);
    return this.reader.ttl(key);
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

  /** Counters shared by every scope of this cache, and the item counts of the in-process tiers. */
  stats(): CacheStats {
    return this.core.counters.snapshot(
      this.core.l1?.size ?? 0,
      this.core.store.upkeep?.(),
      this.core.breaker?.snapshot() ?? null,
    );
  }

  /**
   * What the value store holds for this scope (`keys`, `approximateBytes`, and whether a figure is
   * an `estimate`), with bounded work: on Redis SCAN (never KEYS) examining at most `maxScanned`
   * keys per master, MEMORY USAGE of `samples` of them, and INFO's `usedMemory`, `maxMemory`,
   * `evictedKeys`, `keyspaceHits`/`Misses` (summed over every master on a cluster); in memory
   * exact counts and the whole store's `items` and `bytes`. Unlike `stats()` it does I/O: call it
   * from a dashboard or an admin endpoint, not per request. A store failure rejects with a typed error.
   * @throws InvalidOptionError naming `maxScanned` or `samples`
   * @example const { keys, approximateBytes, estimate } = await cache.namespace('user:1').storeStats();
   */
  async storeStats(options: StoreStatsOptions = {}): Promise<StoreStats> {
    const limits = checkStoreStatsOptions(options);
    const { store } = this.core;
    return this.core.storeCall(
      'storeStats',
      this.scope,
      undefined,
      () => store.stats(this.scope.prefix, limits),
      {
        fallback: undefined as never,
        rethrow: true,
        boundedPerRoundTrip: store.kind === 'redis',
      },
    );
  }

  /** Subscribes to cache events (all scopes). */
  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): this {
    this.core.events.on(event, listener);
    return this;
  }

  off<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): this {
    this.core.events.off(event, listener);
    return this;
  }
}
