import { InvalidArgumentError } from '../errors';
import { parseDuration, type Duration } from '../common/duration';
import { assertKey } from '../common/assert-key';
import type { CacheEventListener, CacheEventName } from './cache-events';
import type { CacheStats } from './cache-stats';
import { checkIncrementOptions, resolveTtl } from './cache-arguments';
import type { CacheCore, Scope } from './cache-core';
import { CacheReader } from './cache-reader';
import { CacheReadThrough } from './cache-read-through';
import { CacheWriter } from './cache-writer';
import {
  checkWarmArguments,
  runWarmTasks,
  type WarmEntry,
  type WarmOptions,
  type WarmReport,
} from './cache-warmer';
import { checkStoreStatsOptions, type StoreStats, type StoreStatsOptions } from './store-stats';

/**
 * The part of the cache API beside reading and writing values (CacheScope): entry lifetimes
 * (`ttl`, `expire`, `touch`, `persist`), counters, warm-up, statistics and the event stream.
 */
export abstract class CacheScopeUpkeep {
  protected readonly reader: CacheReader;
  protected readonly readThrough: CacheReadThrough;
  protected readonly writer: CacheWriter;

  constructor(
    protected readonly core: CacheCore,
    protected readonly scope: Scope,
  ) {
    this.reader = new CacheReader(core, scope);
    this.readThrough = new CacheReadThrough(core, scope, this.reader);
    this.writer = new CacheWriter(core, scope);
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
