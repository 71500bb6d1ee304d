import type { CacheEventMap } from './cache-events';
import type { CacheCore, Scope } from './cache-core';
import { entryKey } from './cache-keys';
import { EXPIRY_UNKNOWN } from './stores/encoded-value';
import { encodedSizeOf, isLive, unreadableError, type StoredEntry } from './stored-entry';
import type { CompressionError } from '../errors';

const FAIL_OPEN = { fallback: undefined, rethrow: false };

/**
 * The read path: L1 first, then the value store. Loads (`getOrSet`) build on it in CacheReadThrough,
 * through `fromL1`, `record` and `keepInL1`, so every read is counted and kept in L1 the same way.
 */
export class CacheReader {
  constructor(
    private readonly core: CacheCore,
    private readonly scope: Scope,
  ) {}

  /** The L1 lookup alone: the hottest path, kept synchronous and allocation-free when nobody listens. */
  fromL1(key: string, full: string): unknown {
    const l1 = this.core.l1;
    if (l1 === null) return undefined;
    const value = l1.get(full);
    if (value !== undefined) {
      const counters = this.core.counters;
      counters.hits++;
      counters.l1Hits++;
      if (this.core.events.wants('hit'))
        this.core.events.emit('hit', this.core.base(this.scope, key, 'l1') as CacheEventMap['hit']);
    }
    return value;
  }

  /** Never throws synchronously; plain promises rather than async frames, as this is every read. */
  get(key: string): Promise<unknown> {
    const full = entryKey(this.scope.prefix, key);
    const cached = this.fromL1(key, full);
    if (cached !== undefined) return Promise.resolve(cached);
    const started = performance.now();
    return this.core
      .readEntry(this.scope, key, full, FAIL_OPEN)
      .then((raw) => this.record(key, full, raw as StoredEntry, started));
  }

  /** Counts a store read as a hit (and keeps it in L1) or a miss; the live value, or undefined. */
  record(key: string, full: string, raw: StoredEntry, started: number): unknown {
    const { counters, events } = this.core;
    if (!isLive(raw, this.core.clock.now())) {
      this.reportUnreadable(key, raw);
      counters.misses++;
      if (events.wants('miss'))
        events.emit('miss', this.core.base(this.scope, key, undefined, performance.now() - started));
      return undefined;
    }
    counters.hits++;
    this.keepInL1(full, raw);
    if (events.wants('hit')) {
      events.emit(
        'hit',
        this.core.base(this.scope, key, 'l2', performance.now() - started) as CacheEventMap['hit'],
      );
    }
    return raw.value;
  }

  /**
   * An entry that came back without a value because it could not be decompressed (keyv-codec.ts)
   * is an `error` event through the cache's error policy; the read treats it as a miss.
   */
  reportUnreadable(key: string, raw: StoredEntry): void {
    const error = unreadableError(raw);
    if (error !== undefined) this.core.reportError('get', this.scope, key, error as CompressionError);
  }

  /** Keeps a live store entry in L1 (not a counter whose expiry only Redis knows). */
  keepInL1(full: string, raw: NonNullable<StoredEntry>): void {
    if (this.core.l1 && !(raw as Record<symbol, unknown>)[EXPIRY_UNKNOWN]) {
      const size = encodedSizeOf(raw, this.core.options.serializer);
      this.core.l1.set(full, raw.value, raw.expires ?? undefined, size, raw.freshUntil);
    }
  }

  async getMany(keys: string[]): Promise<unknown[]> {
    const results: unknown[] = keys.map((key) => this.fromL1(key, entryKey(this.scope.prefix, key)));
    const missing = keys.filter((_, i) => results[i] === undefined);
    if (missing.length === 0) return results;
    const started = performance.now();
    const fulls = missing.map((key) => entryKey(this.scope.prefix, key));
    const groups = this.core.store.batches?.(fulls);
    const raws =
      groups && groups.length > 1 ? await this.readInGroups(fulls, groups) : await this.readMany(fulls);
    let m = 0;
    for (let i = 0; i < keys.length; i++) {
      if (results[i] !== undefined) continue;
      results[i] = this.record(keys[i], fulls[m], raws[m], started);
      m++;
    }
    return results;
  }

  /** One read of many entries; a store failure makes each of them a miss (and one `error` event). */
  private async readMany(fulls: string[]): Promise<StoredEntry[]> {
    return (await this.core.storeCall(
      'getMany',
      this.scope,
      undefined,
      () => this.core.store.keyv.getMany(fulls, { raw: true }),
      { fallback: fulls.map(() => undefined), rethrow: false },
    )) as StoredEntry[];
  }

  /**
   * A read per group the store split the entries into (a slot of a cluster each), side by side:
   * a shard that is down makes misses of its own entries only, not of the whole batch.
   */
  private async readInGroups(fulls: string[], groups: number[][]): Promise<StoredEntry[]> {
    const raws: StoredEntry[] = new Array(fulls.length);
    await Promise.all(
      groups.map(async (group) => {
        const found = await this.readMany(group.map((i) => fulls[i]));
        group.forEach((i, j) => (raws[i] = found[j]));
      }),
    );
    return raws;
  }

  /** A read like `get` for the counters and the event stream (hit or miss, with its tier), without the value. */
  async has(key: string): Promise<boolean> {
    const full = entryKey(this.scope.prefix, key);
    if (this.fromL1(key, full) !== undefined) return true;
    const started = performance.now();
    // A read rather than EXISTS: an entry kept for grace is there, but past its ttl it is absent.
    const read = async () => {
      const raw = (await this.core.store.keyv.get(full, { raw: true })) as StoredEntry;
      this.reportUnreadable(key, raw);
      return isLive(raw, this.core.clock.now());
    };
    const found = await this.core.storeCall('has', this.scope, key, read, {
      fallback: false,
      rethrow: false,
    });
    const { counters, events } = this.core;
    if (found) counters.hits++;
    else counters.misses++;
    const name = found ? 'hit' : 'miss';
    if (events.wants(name)) {
      const event = this.core.base(this.scope, key, found ? 'l2' : undefined, performance.now() - started);
      events.emit(name, event as CacheEventMap['hit']);
    }
    return found;
  }

  ttl(key: string): Promise<number | undefined> {
    return this.core.storeCall(
      'ttl',
      this.scope,
      key,
      () => this.core.store.ttl(entryKey(this.scope.prefix, key)),
      FAIL_OPEN,
    );
  }
}
