import type { StoreUpkeep } from './stores/cache-store';
import type { BreakerSnapshot } from '../redis/circuit-breaker';

/** Counters returned by `CacheService.stats()`. */
export interface CacheStats {
  hits: number;
  /** Hits answered by L1 (included in `hits`). */
  l1Hits: number;
  misses: number;
  writes: number;
  deletes: number;
  errors: number;
  /** Values past their ttl that `getOrSet` returned instead of an error (see `grace`). */
  stale: number;
  /** Loads with `lock` that got the value another instance loaded, instead of running the loader. */
  lockWaits: number;
  /**
   * Loads with `lock` that ran the loader here after all: the wait ran out, the lock was freed
   * without a value, or the lock store failed (see the `lock-fallback` event's `reason`).
   */
  lockFallbacks: number;
  /** Values stored compressed (see the `compression` option); 0 without compression. */
  compressed: number;
  /** Serialized bytes of the values stored compressed, before compression. */
  bytesBeforeCompression: number;
  /** Bytes stored for those values after compression (the stored text, base64 included). */
  bytesAfterCompression: number;
  /** hits / (hits + misses), 0 when there were no reads. */
  hitRatio: number;
  /** Entries in L1 now (0 without L1). */
  l1Items: number;
  /**
   * Live entries in the in-process value store now (the memory setup, no Redis); 0 on Redis and
   * custom stores.
   */
  l2Items: number;
  /** Entries the in-process value store evicted for room (`maxMemoryItems`, `maxMemorySize`); 0 elsewhere. */
  l2Evictions: number;
  /** Entries the in-process value store dropped past their expiry (swept or looked at); 0 elsewhere. */
  l2Expired: number;
  /** The Redis circuit breaker's state and counts; null without Redis or with `circuitBreaker: false`. */
  breaker: BreakerSnapshot | null;
}

/** Mutable counters; plain fields so an increment on the hot path is one add. */
export class CacheCounters {
  hits = 0;
  l1Hits = 0;
  misses = 0;
  writes = 0;
  deletes = 0;
  errors = 0;
  stale = 0;
  lockWaits = 0;
  lockFallbacks = 0;
  compressed = 0;
  bytesBeforeCompression = 0;
  bytesAfterCompression = 0;

  snapshot(l1Items: number, upkeep?: StoreUpkeep, breaker: BreakerSnapshot | null = null): CacheStats {
    const reads = this.hits + this.misses;
    return {
      hits: this.hits,
      l1Hits: this.l1Hits,
      misses: this.misses,
      writes: this.writes,
      deletes: this.deletes,
      errors: this.errors,
      stale: this.stale,
      lockWaits: this.lockWaits,
      lockFallbacks: this.lockFallbacks,
      compressed: this.compressed,
      bytesBeforeCompression: this.bytesBeforeCompression,
      bytesAfterCompression: this.bytesAfterCompression,
      hitRatio: reads === 0 ? 0 : this.hits / reads,
      l1Items,
      l2Items: upkeep?.items ?? 0,
      l2Evictions: upkeep?.evictions ?? 0,
      l2Expired: upkeep?.expired ?? 0,
      breaker,
    };
  }
}
