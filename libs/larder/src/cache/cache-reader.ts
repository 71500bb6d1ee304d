import type { CacheEventMap } from './cache-events';
import type { CacheCore, Scope } from './cache-core';
import { entryKey } from './cache-keys';
import { ENCODED_SIZE, EXPIRY_UNKNOWN } from './stores/encoded-value';
import { loadOrFallBack, run, type Loader } from './resilience/resilient-load';
import { isDue, startRefresh } from './resilience/refresh-ahead';
import type { LoadPolicy } from './resilience/resilience-options';
import type { LiveEntry, SharedLoadJob } from './resilience/shared-load';

type Raw = { value?: unknown; expires?: number | null; freshUntil?: number } | undefined;
const FAIL_OPEN = { fallback: undefined, rethrow: false };
/** What a read for a load resolves to when the store could not be read. */
const UNREADABLE: unique symbol = Symbol('unreadable');
const FAIL_MARKED = { fallback: UNREADABLE as Raw | typeof UNREADABLE, rethrow: false };
const FAIL_THROWN = { fallback: undefined, rethrow: true };

/**
 * What a load found: a live value, or none; then possibly `stale`, a value past its ttl (from the
 * store, or L1's copy when the store could not be read, `unreadable`) for `getOrSet` to fall back on.
 */
export interface Lookup {
  value?: unknown;
  /** Where the live value's ttl ends (epoch ms; unset without expiry). */
  endsAt?: number;
  stale?: unknown;
  unreadable?: boolean;
}

/** Whether a read brought a value within its ttl (past it, an entry kept for grace is only a fallback: see lookup). */
function isLive(raw: Raw, now: number): raw is NonNullable<Raw> {
  return (
    raw !== undefined &&
    raw !== null &&
    raw.value !== undefined &&
    (raw.freshUntil === undefined || raw.freshUntil > now)
  );
}

/** The read path: L1 first, then the value store, with single-flight loads. */
export class CacheReader {
  constructor(
    private readonly core: CacheCore,
    private readonly scope: Scope,
  ) {}

  /** The L1 lookup alone: the hottest path, kept synchronous and allocation-free when nobody listens. */
  private fromL1(key: string, full: string): unknown {
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
      .storeCall('get', this.scope, key, () => this.core.store.keyv.get(full, { raw: true }), FAIL_OPEN)
      .then((raw) => this.record(key, full, raw as Raw, started));
  }

  /**
   * The read a load starts with (see Lookup). Counted like `get`: a value past its ttl is a miss;
   * when the store fails, the failure is an `error` event as always.
   */
  lookup(key: string, full: string): Promise<Lookup> {
    const started = performance.now();
    return this.core
      .storeCall(
        'get',
        this.scope,
        key,
        () => this.core.store.keyv.get(full, { raw: true }) as Promise<Raw>,
        FAIL_MARKED,
      )
      .then((raw): Lookup => {
        if (raw === UNREADABLE) return { stale: this.core.l1?.peekStale(full), unreadable: true };
        const value = this.record(key, full, raw, started);
        if (value !== undefined) return { value, endsAt: raw?.freshUntil ?? raw?.expires ?? undefined };
        return { stale: raw?.value };
      });
  }

  private record(key: string, full: string, raw: Raw, started: number): unknown {
    const { counters, events } = this.core;
    if (!isLive(raw, this.core.clock.now())) {
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

  private keepInL1(full: string, raw: NonNullable<Raw>): void {
    if (this.core.l1 && !(raw as Record<symbol, unknown>)[EXPIRY_UNKNOWN]) {
      this.core.l1.set(full, raw.value, raw.expires ?? undefined, this.sizeOf(raw), raw.freshUntil);
    }
  }

  /**
   * The store's live entry for a load that waited on another instance (or took its lock): not
   * counted as a read, since the load's lookup was; kept in L1. Rejects when the store fails.
   */
  private async readLive(key: string, full: string): Promise<LiveEntry | undefined> {
    const read = () => this.core.store.keyv.get(full, { raw: true }) as Promise<Raw>;
    const raw = await this.core.storeCall('get', this.scope, key, read, FAIL_THROWN);
    if (!isLive(raw, this.core.clock.now())) return undefined;
    this.keepInL1(full, raw);
    return { value: raw.value, endsAt: raw.freshUntil ?? raw.expires ?? undefined };
  }

  /** The serialized size of what a read brought, for L1's byte budget. */
  private sizeOf(raw: NonNullable<Raw>): number {
    const measured = (raw as Record<symbol, unknown>)[ENCODED_SIZE];
    if (typeof measured === 'number') return measured;
    // A Keyv instance passed as `store` parses with its own serializer: measure with ours.
    try {
      return Buffer.byteLength(
        this.core.options.serializer.serialize({ value: raw.value, expires: raw.expires }),
      );
    } catch {
      return 0;
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
  private async readMany(fulls: string[]): Promise<Raw[]> {
    return (await this.core.storeCall(
      'getMany',
      this.scope,
      undefined,
      () => this.core.store.keyv.getMany(fulls, { raw: true }),
      { fallback: fulls.map(() => undefined), rethrow: false },
    )) as Raw[];
  }

  /**
   * A read per group the store split the entries into (a slot of a cluster each), side by side:
   * a shard that is down makes misses of its own entries only, not of the whole batch.
   */
  private async readInGroups(fulls: string[], groups: number[][]): Promise<Raw[]> {
    const raws: Raw[] = new Array(fulls.length);
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
    const read = async () =>
      isLive((await this.core.store.keyv.get(full, { raw: true })) as Raw, this.core.clock.now());
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

  /** See CacheScope.getOrSet. `store` writes the loaded value and never throws on store failures. */
  getOrSet<T>(
    key: string,
    loader: Loader<T>,
    store: (value: T) => Promise<void>,
    policy: LoadPolicy,
    ttl: number,
  ): Promise<T> {
    const full = entryKey(this.scope.prefix, key);
    const cached = this.fromL1(key, full);
    if (cached !== undefined) {
      if (
        policy.refreshAhead > 0 &&
        isDue(this.core.clock.now(), this.core.l1?.endsAt(full), ttl, policy.refreshAhead)
      ) {
        startRefresh(this.core, this.job(key, full, loader, store, policy), ttl, policy);
      }
      return Promise.resolve(cached as T);
    }
    const pending = this.core.inflight.get(full);
    if (pending) return pending as Promise<T>;
    const load = this.load(this.job(key, full, loader, store, policy), policy, ttl);
    this.core.inflight.set(full, load);
    const forget = () => {
      if (this.core.inflight.get(full) === load) this.core.inflight.delete(full);
    };
    void load.then(forget, forget);
    return load;
  }

  /** One key's load: the loader under `timeout.hard`, its value stored; and the read a load that waited makes. */
  private job<T>(
    key: string,
    full: string,
    loader: Loader<T>,
    store: (value: T) => Promise<void>,
    policy: LoadPolicy,
  ): SharedLoadJob<T> {
    return {
      key,
      full,
      load: () =>
        run(loader, policy.hard, key).then(async (value) => {
          if (value !== undefined) await store(value);
          return value;
        }),
      read: () => this.readLive(key, full),
    };
  }

  private async load<T>(job: SharedLoadJob<T>, policy: LoadPolicy, ttl: number): Promise<T> {
    const found = await this.lookup(job.key, job.full);
    if (found.value !== undefined) {
      if (policy.refreshAhead > 0 && isDue(this.core.clock.now(), found.endsAt, ttl, policy.refreshAhead)) {
        startRefresh(this.core, job, ttl, policy);
      }
      return found.value as T;
    }
    return loadOrFallBack(this.core, this.scope, job, found, policy);
  }
}
