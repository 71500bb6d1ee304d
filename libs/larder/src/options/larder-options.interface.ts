import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { Keyv, KeyvStoreAdapter } from 'keyv';
import type { Duration } from '../common/duration';
import type { Serializer } from '../common/serializer';
import type { LockModuleOptions, ResolvedLockOptions } from '../lock/lock-options';
import type { RateLimitModuleOptions, ResolvedRateLimitOptions } from '../rate-limit/rate-limit.types';
import type { ResolvedSessionOptions, SessionModuleOptions } from '../session/session-options';
import type { MetricsModuleOptions, ResolvedMetricsOptions } from '../metrics/metrics-options';

/** Cluster connection: seed nodes plus ioredis cluster options. */
export interface RedisClusterConfig {
  nodes: ClusterNode[];
  options?: ClusterOptions;
}

/**
 * Where Redis is. A URL (`redis://`, `rediss://`), ioredis options (including `sentinels`), an
 * existing ioredis `Redis`/`Cluster` instance (shared, never closed by Larder), or cluster nodes.
 */
export type RedisConnectionOption = string | RedisOptions | Redis | Cluster | RedisClusterConfig;

/** The in-process L1 tier in front of the value store. */
export interface MemoryTierOptions {
  /** Most entries kept; the least recently used goes first. Default 10 000. */
  maxItems?: number;
  /** Longest an entry lives in L1, whatever its L2 TTL. Default 60s. */
  ttl?: Duration;
  /**
   * Most bytes L1 holds, counting each entry's serialized size (UTF-8); the least recently used
   * go first, and an entry larger than this is not kept in L1 at all. Default 64 MiB.
   */
  maxSize?: number;
}

/** Options of `CacheModule.forRoot()` / `forRootAsync()`. Every field is optional. */
export interface LarderModuleOptions {
  /** Redis connection. Unset: every service runs on in-process memory (single instance only). */
  redis?: RedisConnectionOption;
  /** Prefix of every key Larder writes; `clear()` removes only this namespace. Default `'larder'`. */
  namespace?: string;
  /** Name of this cache in events and metric labels. Default `'default'`. */
  name?: string;
  /** TTL of cache entries written without one. Default: no expiry. */
  defaultTtl?: Duration;
  /** L1 tier (`{ maxItems, ttl }`), or `false` for none. Default `false`. */
  memory?: MemoryTierOptions | false;
  /** A Keyv store adapter or Keyv instance for cache values, replacing the default. */
  store?: KeyvStoreAdapter | Keyv | Map<unknown, unknown>;
  /** Most entries of the in-memory value store used when neither `redis` nor `store` is set. Default 100 000. */
  maxMemoryItems?: number;
  /** Most bytes (serialized, UTF-8) of that in-memory value store; at least `maxValueSize`. Default 256 MiB. */
  maxMemorySize?: number;
  /**
   * Largest value accepted, in bytes of its serialized form (UTF-8, what Redis stores); a larger
   * one rejects with `E_VALUE_TOO_LARGE` before anything is written. Default 4 MiB; at most 512 MiB.
   */
  maxValueSize?: number;
  /** Upper bound for every Redis call; past it the call counts as failed. Default `'1s'`. */
  commandTimeout?: Duration;
  /** How values are encoded for the value store. Default: strict JSON (`jsonSerializer`). */
  serializer?: Serializer;
  /** Longest accepted cache key, in characters. Default 1024. */
  maxKeyLength?: number;
  /** Make cache `set`/`del`/`clear` reject on store errors instead of failing open. Default false. */
  throwOnError?: boolean;
  /** Log connection state changes through Nest's Logger. Default true. */
  logConnectionEvents?: boolean;
  /** Lock defaults (`{ ttl, wait, retryDelay }`) for LockService. Default `{ ttl: '30s', wait: 0, retryDelay: '100ms' }`. */
  lock?: LockModuleOptions;
  /** Rate limits: global rules for RateLimitGuard, failure policy, headers. See docs/rate-limits.md. */
  rateLimit?: RateLimitModuleOptions;
  /** Sessions (`{ ttl, rolling, maxLifetime, maxPerUser, bearer, cookie }`) for SessionService. See docs/sessions.md. */
  session?: SessionModuleOptions;
  /** Prometheus metrics (`{ enabled, registry, prefix, buckets }`, prom-client). Default: off. See docs/operations.md. */
  metrics?: MetricsModuleOptions;
}

/** Options after validation and defaults; durations are milliseconds (0 = no expiry). */
export interface ResolvedLarderOptions {
  redis?: RedisConnectionOption;
  namespace: string;
  name: string;
  defaultTtl: number;
  memory: { maxItems: number; ttl: number; maxSize: number } | false;
  store?: KeyvStoreAdapter | Keyv | Map<unknown, unknown>;
  maxMemoryItems: number;
  maxMemorySize: number;
  maxValueSize: number;
  commandTimeout: number;
  serializer: Serializer;
  maxKeyLength: number;
  throwOnError: boolean;
  logConnectionEvents: boolean;
  lock?: ResolvedLockOptions;
  rateLimit?: ResolvedRateLimitOptions;
  session?: ResolvedSessionOptions;
  /** Present only when metrics are on. */
  metrics?: ResolvedMetricsOptions;
}
