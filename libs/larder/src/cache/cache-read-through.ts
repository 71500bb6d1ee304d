import type { CacheCore, Scope } from './cache-core';
import { entryKey } from './cache-keys';
import type { CacheReader } from './cache-reader';
import { isLive, type StoredEntry } from './stored-entry';
import { loadOrFallBack, run, type Loader } from './resilience/resilient-load';
import { isDue, startRefresh } from './resilience/refresh-ahead';
import type { LoadPolicy } from './resilience/resilience-options';
import type { LiveEntry, SharedLoadJob } from './resilience/shared-load';

/** What a read for a load resolves to when the store could not be read. */
const UNREADABLE: unique symbol = Symbol('unreadable');
const FAIL_MARKED = { fallback: UNREADABLE as StoredEntry | typeof UNREADABLE, rethrow: false };
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
  /** The store was read and held no entry at all (not even one past its ttl). */
  absent?: boolean;
}

/**
 * `getOrSet`'s read-through: an L1 or store hit, else one shared load per key (single-flight in
 * this process, across instances with `lock`), its value stored, with the resilience policy's
 * fallbacks. Reads go through CacheReader, so they are counted like `get`.
 */
export class CacheReadThrough {
  constructor(
    private readonly core: CacheCore,
    private readonly scope: Scope,
    private readonly reader: CacheReader,
  ) {}

  /**
   * The read a load starts with (see Lookup). Counted like `get`: a value past its ttl is a miss;
   * when the store fails, the failure is an `error` event as always.
   */
  lookup(key: string, full: string): Promise<Lookup> {
    const started = performance.now();
    return (
      this.core.readEntry(this.scope, key, full, FAIL_MARKED) as Promise<StoredEntry | typeof UNREADABLE>
    ).then((raw): Lookup => {
      if (raw === UNREADABLE) return { stale: this.core.l1?.peekStale(full), unreadable: true };
      const value = this.reader.record(key, full, raw, started);
      if (value !== undefined) return { value, endsAt: raw?.freshUntil ?? raw?.expires ?? undefined };
      return raw == null ? { absent: true } : { stale: raw.value };
    });
  }

  /**
   * The store's live entry for a load that waited on another instance (or took its lock): not
   * counted as a read, since the load's lookup was; kept in L1. Rejects when the store fails.
   */
  private async readLive(key: string, full: string): Promise<LiveEntry | undefined> {
    const raw = (await this.core.readEntry(this.scope, key, full, FAIL_THROWN)) as StoredEntry;
    if (!isLive(raw, this.core.clock.now())) {
      this.reader.reportUnreadable(key, raw);
      return undefined;
    }
    this.reader.keepInL1(full, raw);
    return { value: raw.value, endsAt: raw.freshUntil ?? raw.expires ?? undefined };
  }

  /**
   * See CacheScope.getOrSet. `store` writes the loaded value and never throws on store failures;
   * `absent` says the lookup found no entry (see CacheStore.write).
   */
  getOrSet<T>(
    key: string,
    loader: Loader<T>,
    store: (value: T, absent: boolean) => Promise<void>,
    policy: LoadPolicy,
    ttl: number,
  ): Promise<T> {
    const full = entryKey(this.scope.prefix, key);
    const cached = this.reader.fromL1(key, full);
    if (cached !== undefined) {
      if (
        policy.refreshAhead > 0 &&
        isDue(this.core.clock.now(), this.core.l1?.endsAt(full), ttl, policy.refreshAhead)
      ) {
        startRefresh(this.core, this.job(key, full, loader, store, policy, false), ttl, policy);
      }
      return Promise.resolve(cached as T);
    }
    const pending = this.core.inflight.get(full);
    if (pending) return pending as Promise<T>;
    const load = this.load(key, full, loader, store, policy, ttl);
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
    store: (value: T, absent: boolean) => Promise<void>,
    policy: LoadPolicy,
    absent: boolean,
  ): SharedLoadJob<T> {
    return {
      key,
      full,
      load: () =>
        run(loader, policy.hard, key).then(async (value) => {
          if (value !== undefined) await store(value, absent);
          return value;
        }),
      read: () => this.readLive(key, full),
    };
  }

  private async load<T>(
    key: string,
    full: string,
    loader: Loader<T>,
    store: (value: T, absent: boolean) => Promise<void>,
    policy: LoadPolicy,
    ttl: number,
  ): Promise<T> {
    const found = await this.lookup(key, full);
    const job = this.job(key, full, loader, store, policy, found.absent === true);
    if (found.value !== undefined) {
      if (policy.refreshAhead > 0 && isDue(this.core.clock.now(), found.endsAt, ttl, policy.refreshAhead)) {
        startRefresh(this.core, job, ttl, policy);
      }
      return found.value as T;
    }
    return loadOrFallBack(this.core, this.scope, job, found, policy);
  }
}
