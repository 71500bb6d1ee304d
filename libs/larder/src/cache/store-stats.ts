import { checkCallOptions, optionKeys } from '../common/known-keys';
import { invalidOption } from '../common/validate-options';
import type { KeyspaceLimits } from '../redis/keyspace-stats';

/**
 * What the value store holds for one scope, from `await cache.storeStats()`. `keys` and
 * `approximateBytes` cover this namespace (or scope) only; the Redis figures are the server's.
 *
 * @example
 * const { keys, approximateBytes, estimate, usedMemory } = await cache.storeStats();
 */
export interface StoreStats {
  /** Which store answered: `'memory'`, `'redis'` or `'custom'` (the `store` option). */
  kind: 'memory' | 'redis' | 'custom';
  /** Entries of this scope (counters included; the tag index is not counted). */
  keys: number;
  /**
   * Bytes those entries take. Memory: the exact size of their serialized text. Redis: MEMORY USAGE
   * of a sample of them (Redis' own allocation, overhead included) times `keys`. Custom: the
   * serialized size of the entries read.
   */
  approximateBytes: number;
  /**
   * Whether a figure is an estimate: on Redis always (bytes are sampled; `keys` too once SCAN
   * passed `maxScanned` on a node, extrapolated over DBSIZE); in memory never; on a custom store
   * when it held more than `maxScanned` entries.
   */
  estimate: boolean;
  /** Memory: entries of the whole store (every scope) and the bytes of their serialized text. */
  items?: number;
  bytes?: number;
  /** Redis, from INFO (summed over the masters on a cluster): `used_memory`. */
  usedMemory?: number;
  /** `maxmemory`; 0 when unlimited. */
  maxMemory?: number;
  /** Keys Redis evicted under `maxmemory` since it started (every namespace). */
  evictedKeys?: number;
  keyspaceHits?: number;
  keyspaceMisses?: number;
  /** Redis masters counted (1 outside a cluster). */
  masters?: number;
}

/** Bounds of the work `storeStats()` does. */
export interface StoreStatsOptions {
  /** Keys SCAN may examine per Redis master (entries read on a custom store) before `keys` is estimated. Default 100 000. */
  maxScanned?: number;
  /** Entries per Redis master whose MEMORY USAGE is asked to estimate bytes. Default 64. */
  samples?: number;
}

const KEYS = optionKeys<StoreStatsOptions>({ maxScanned: true, samples: true });
const PLACE = { subject: 'storeStats option' };
const MAX_SCANNED = 100_000_000;

/**
 * The checked bounds of a `storeStats()` call.
 * @throws InvalidOptionError naming the option
 */
export function checkStoreStatsOptions(options: unknown): KeyspaceLimits {
  checkCallOptions(options, KEYS, PLACE, '{ maxScanned?, samples? }');
  const { maxScanned = 100_000, samples = 64 } = options as StoreStatsOptions;
  if (!Number.isInteger(maxScanned) || maxScanned < 1 || maxScanned > MAX_SCANNED) {
    throw invalidOption(PLACE, 'maxScanned', maxScanned, `an integer from 1 to ${MAX_SCANNED}`);
  }
  if (!Number.isInteger(samples) || samples < 1 || samples > 10_000) {
    throw invalidOption(PLACE, 'samples', samples, 'an integer from 1 to 10000');
  }
  return { maxScanned, samples };
}
