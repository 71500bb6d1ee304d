import type { Duration } from '../common/duration';
import type { ResilienceOptions } from './resilience/resilience-options';
import type { CompressionOptions } from './compression/compression-options';

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
  /**
   * Compression of this value (see CompressionOptions): `false` stores it uncompressed, an object
   * sets its own `threshold` / `algorithm`. Unset: the module's `compression`.
   */
  compression?: CompressionOptions | false;
}

/** Options of `getOrSet`: those of a write, and what to do when the loader or the store fails. */
export interface GetOrSetOptions extends CacheSetOptions, ResilienceOptions {}

/** One entry of `setMany`. */
export interface CacheEntry<T = unknown> extends CacheSetOptions {
  key: string;
  value: T;
}
