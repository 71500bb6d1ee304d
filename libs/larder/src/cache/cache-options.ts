import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Keyv, KeyvStoreAdapter } from 'keyv';
import { parseDuration, type Duration } from '../common/duration';
import { optionKeys } from '../common/known-keys';
import type { SharedOptions } from '../common/shared-options';
import {
  HasMethods,
  IsDuration,
  applyRules,
  invalidOption,
  validateOptions,
} from '../common/validate-options';
import { resolveResilience } from './resilience/load-policy';
import type { LoadPolicy, ResilienceOptions } from './resilience/resilience-options';
import {
  resolveModuleCompression,
  type CompressionOptions,
  type ResolvedCompression,
} from './compression/compression-options';

const MIB = 1024 * 1024;
/** Redis' own hard limit for a string value (proto-max-bulk-len). */
const REDIS_MAX_VALUE = 512 * MIB;
/**
 * 4 MiB: a cache entry past a few megabytes is almost always a mistake (a whole table, an unbounded
 * list), and every read of it blocks Redis and this process while it moves and parses.
 */
const DEFAULT_MAX_VALUE_SIZE = 4 * MIB;

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

/** The cache fields of `LarderModuleOptions`. */
export interface CacheModuleOptions {
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
  /** Make cache `set`/`del`/`clear` reject on store errors instead of failing open. Default false. */
  throwOnError?: boolean;
  /**
   * Redis values: the single-key reads (`get`, `getOrSet`'s read) started in one tick go out as one
   * MGET (one per cluster slot, at most 100 keys each) instead of one GET each. Each caller keeps
   * its own result, failure policy and events. Default true; the README's options table says what
   * it costs a lone caller.
   */
  batchReads?: boolean;
  /** Defaults of `getOrSet` and `@Cacheable` for failures (`{ grace, failSafeThrottle }`). See docs/resilience.md. */
  resilience?: ResilienceOptions;
  /**
   * Stores values whose serialized form is at least `threshold` bytes compressed (`{ threshold:
   * '1kb', algorithm: 'brotli' }`), overridable per write; reads are transparent. Default `false`.
   */
  compression?: CompressionOptions | false;
}

/** The L1 tier after validation; ms. */
export interface ResolvedMemoryTier {
  maxItems: number;
  ttl: number;
  maxSize: number;
}

/**
 * The cache slice (`LARDER_CACHE_OPTIONS`): the cache fields after validation (durations in ms,
 * 0 = no expiry), the shared module fields, and `commandTimeout`, which bounds every store call.
 */
export interface CacheOptions extends SharedOptions {
  defaultTtl: number;
  memory: ResolvedMemoryTier | false;
  store?: KeyvStoreAdapter | Keyv | Map<unknown, unknown>;
  maxMemoryItems: number;
  maxMemorySize: number;
  maxValueSize: number;
  throwOnError: boolean;
  batchReads: boolean;
  commandTimeout: number;
  /** The load policy of `getOrSet` and `@Cacheable` calls that set none of their own. */
  resilience: LoadPolicy;
  /** The default compression of writes (null: none) and the codecs entries may name. */
  compression: ResolvedCompression;
}

const MEMORY_KEYS = optionKeys<MemoryTierOptions>({ maxItems: true, ttl: true, maxSize: true });
const PLACE = { subject: 'Larder option' };
const MEMORY_PLACE = { subject: 'Larder option', path: 'memory' };

/** The rules of the cache fields (see validateOptions); `memory` has its own. */
class CacheOptionRules {
  @IsOptional() @IsDuration({ allowZero: true }) defaultTtl?: Duration;
  @IsOptional()
  @HasMethods(['get', 'set', 'delete'], 'a Keyv instance, a Keyv store adapter or a Map')
  store?: unknown;
  @IsOptional() @IsInt() @Min(1) @Max(100_000_000) maxMemoryItems?: number;
  @IsOptional() @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER) maxMemorySize?: number;
  @IsOptional() @IsInt() @Min(1) @Max(REDIS_MAX_VALUE) maxValueSize?: number;
  @IsOptional() @IsBoolean() throwOnError?: boolean;
  @IsOptional() @IsBoolean() batchReads?: boolean;
}

/** The rules of `memory`. */
class MemoryTierRules {
  @IsOptional() @IsInt() @Min(1) maxItems?: number;
  @IsOptional() @IsDuration() ttl?: Duration;
  @IsOptional() @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER) maxSize?: number;
}

function resolveMemory(memory: CacheModuleOptions['memory']): ResolvedMemoryTier | false {
  if (memory === undefined || memory === false) return false;
  const tier = validateOptions<MemoryTierOptions>(MemoryTierRules, memory, MEMORY_KEYS, MEMORY_PLACE);
  return {
    maxItems: tier.maxItems ?? 10_000,
    ttl: parseDuration(tier.ttl ?? 60_000, 'memory.ttl'),
    maxSize: tier.maxSize ?? 64 * MIB,
  };
}

/**
 * Validates the cache fields of the module options (whose other fields are not looked at) and
 * builds the cache slice from them, the shared fields and the connection's `commandTimeout`.
 * @param hasRedis whether a Redis connection is configured (the in-memory store then is not used)
 * @throws InvalidOptionError naming the field
 * @example resolveCacheOptions({ defaultTtl: '5m' }, shared, 1000, false).defaultTtl // 300000
 */
export function resolveCacheOptions(
  options: CacheModuleOptions,
  shared: SharedOptions,
  commandTimeout: number,
  hasRedis: boolean,
): CacheOptions {
  applyRules(CacheOptionRules, options, PLACE);
  const maxValueSize = options.maxValueSize ?? DEFAULT_MAX_VALUE_SIZE;
  const maxMemorySize = options.maxMemorySize ?? 256 * MIB;
  // The in-memory store must be able to hold any value a write may carry.
  if (!hasRedis && !options.store && maxMemorySize < maxValueSize) {
    const allowed = `at least maxValueSize (${maxValueSize}), so every accepted value fits`;
    throw invalidOption(PLACE, 'maxMemorySize', maxMemorySize, allowed);
  }
  return {
    ...shared,
    defaultTtl: parseDuration(options.defaultTtl ?? 0, 'defaultTtl', { allowZero: true }),
    memory: resolveMemory(options.memory),
    store: options.store,
    maxMemoryItems: options.maxMemoryItems ?? 100_000,
    maxMemorySize,
    maxValueSize,
    throwOnError: options.throwOnError ?? false,
    batchReads: options.batchReads ?? true,
    commandTimeout,
    resilience: resolveResilience(options.resilience),
    compression: resolveModuleCompression(options.compression),
  };
}
