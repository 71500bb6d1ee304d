import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  validateSync,
} from 'class-validator';
import { InvalidOptionError } from '../errors';
import { parseDuration } from '../common/duration';
import { describe } from '../common/describe';
import type { LarderModuleOptions, ResolvedLarderOptions } from './larder-options.interface';
import { jsonSerializer } from '../common/serializer';
import { assertKnownKeys, assertOptionsObject } from '../common/known-keys';
import { CLUSTER_KEYS, LARDER_OPTION, MEMORY_KEYS, MODULE_KEYS } from './larder-option-keys';
import { resolveLockOptions } from '../lock/lock-options';
import { resolveRateLimitOptions } from '../rate-limit/rate-limit-options.resolver';
import { resolveSessionOptions } from '../session/session-options';
import { resolveMetricsOptions } from '../metrics/metrics-options';

const NAMESPACE_PATTERN = /^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*$/;
const MIB = 1024 * 1024;
/** Redis' own hard limit for a string value (proto-max-bulk-len). */
const REDIS_MAX_VALUE = 512 * MIB;
/**
 * 4 MiB: a cache entry past a few megabytes is almost always a mistake (a whole table, an unbounded
 * list), and every read of it blocks Redis and this process while it moves and parses.
 */
const DEFAULT_MAX_VALUE_SIZE = 4 * MIB;

/** The scalar options, checked with class-validator; unions (redis, store, durations) are checked by hand below. */
class ScalarOptions {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(NAMESPACE_PATTERN, {
    message: 'must be letters, digits, "_", "." or "-", in segments separated by single ":"',
  })
  namespace?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9_.-]+$/, { message: 'must be letters, digits, "_", "." or "-"' })
  name?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  maxMemoryItems?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  maxMemorySize?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(REDIS_MAX_VALUE)
  maxValueSize?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxKeyLength?: number;

  @IsOptional()
  @IsBoolean()
  throwOnError?: boolean;

  @IsOptional()
  @IsBoolean()
  logConnectionEvents?: boolean;
}

function fail(field: string, value: unknown, allowed: string): never {
  throw new InvalidOptionError(`Invalid Larder option "${field}": ${describe(value)}. Allowed: ${allowed}.`);
}

function checkScalars(options: LarderModuleOptions): void {
  const scalars = plainToInstance(ScalarOptions, {
    namespace: options.namespace,
    name: options.name,
    maxMemoryItems: options.maxMemoryItems,
    maxMemorySize: options.maxMemorySize,
    maxValueSize: options.maxValueSize,
    maxKeyLength: options.maxKeyLength,
    throwOnError: options.throwOnError,
    logConnectionEvents: options.logConnectionEvents,
  });
  const [first] = validateSync(scalars, { forbidUnknownValues: false });
  if (first) {
    const messages = Object.values(first.constraints ?? {}).join('; ');
    fail(first.property, first.value, messages);
  }
}

/** Where ioredis keeps a client's options (a Cluster keeps them per node in redisOptions). */
function keyPrefixOf(redis: object): unknown {
  const own = redis as {
    keyPrefix?: unknown;
    options?: { keyPrefix?: unknown; redisOptions?: { keyPrefix?: unknown } };
  };
  return own.keyPrefix ?? own.options?.keyPrefix ?? own.options?.redisOptions?.keyPrefix;
}

function checkRedis(redis: unknown): void {
  if (redis === undefined) return;
  if (typeof redis === 'string') {
    // Never echo the string: a URL may carry a password.
    if (!/^rediss?:\/\/.+/i.test(redis)) {
      throw new InvalidOptionError(
        'Invalid Larder option "redis": not a redis:// or rediss:// URL (value not shown: it may hold a password).',
      );
    }
    return;
  }
  if (typeof redis !== 'object' || redis === null || Array.isArray(redis)) {
    fail('redis', redis, 'a URL, ioredis options, an ioredis Redis/Cluster instance, or { nodes: [...] }');
  }
  const nodes = (redis as { nodes?: unknown }).nodes;
  if (nodes !== undefined && (!Array.isArray(nodes) || nodes.length === 0)) {
    fail('redis.nodes', nodes, 'a non-empty array of cluster nodes');
  }
  // Only Larder's own { nodes, options } wrapper is checked: ioredis options and instances are ioredis'.
  if (nodes !== undefined) assertKnownKeys(redis, CLUSTER_KEYS, { ...LARDER_OPTION, path: 'redis' });
  // ioredis prefixes keys but not SCAN patterns, so clear() would find keys it then cannot delete.
  const prefix = keyPrefixOf(redis);
  if (prefix !== undefined && prefix !== '') {
    fail(
      'redis.keyPrefix',
      prefix,
      'no keyPrefix on the connection; use the "namespace" option to prefix Larder\'s keys',
    );
  }
}

function checkStore(store: unknown): void {
  if (store === undefined) return;
  const s = store as Record<string, unknown>;
  const isStoreLike =
    typeof store === 'object' &&
    store !== null &&
    ['get', 'set', 'delete'].every((m) => typeof s[m] === 'function');
  if (!isStoreLike) fail('store', store, 'a Keyv instance, a Keyv store adapter or a Map');
}

function resolveMemory(memory: LarderModuleOptions['memory']): ResolvedLarderOptions['memory'] {
  if (memory === undefined || memory === false) return false;
  if (typeof memory !== 'object' || memory === null || Array.isArray(memory))
    fail('memory', memory, 'false or { maxItems, ttl, maxSize }');
  assertKnownKeys(memory, MEMORY_KEYS, { ...LARDER_OPTION, path: 'memory' });
  const maxItems = memory.maxItems ?? 10_000;
  if (!Number.isInteger(maxItems) || maxItems < 1) fail('memory.maxItems', maxItems, 'an integer >= 1');
  const maxSize = memory.maxSize ?? 64 * MIB;
  if (!Number.isSafeInteger(maxSize) || maxSize < 1)
    fail('memory.maxSize', maxSize, 'a number of bytes >= 1');
  return { maxItems, ttl: parseDuration(memory.ttl ?? 60_000, 'Larder option "memory.ttl"'), maxSize };
}

function checkSerializer(serializer: unknown): void {
  if (serializer === undefined) return;
  const s = serializer as Record<string, unknown>;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.serialize !== 'function' ||
    typeof s.deserialize !== 'function'
  ) {
    fail(
      'serializer',
      serializer,
      'an object with serialize(value) => string and deserialize(string) => value',
    );
  }
}

/**
 * Validates module options once at boot and fills in defaults.
 * @throws InvalidOptionError naming the field, the value and what is allowed
 */
export function resolveLarderOptions(options: LarderModuleOptions): ResolvedLarderOptions {
  assertOptionsObject(options, 'Larder', "an object (forRootAsync's factory must return one)");
  assertKnownKeys(options, MODULE_KEYS, LARDER_OPTION);
  checkScalars(options);
  checkRedis(options.redis);
  checkStore(options.store);
  checkSerializer(options.serializer);
  const maxValueSize = options.maxValueSize ?? DEFAULT_MAX_VALUE_SIZE;
  const maxMemorySize = options.maxMemorySize ?? 256 * MIB;
  // The in-memory store must be able to hold any value a write may carry.
  if (!options.redis && !options.store && maxMemorySize < maxValueSize) {
    fail(
      'maxMemorySize',
      maxMemorySize,
      `at least maxValueSize (${maxValueSize}), so every accepted value fits`,
    );
  }
  return {
    redis: options.redis,
    namespace: options.namespace ?? 'larder',
    name: options.name ?? 'default',
    defaultTtl: parseDuration(options.defaultTtl ?? 0, 'Larder option "defaultTtl"', { allowZero: true }),
    memory: resolveMemory(options.memory),
    store: options.store,
    maxMemoryItems: options.maxMemoryItems ?? 100_000,
    maxMemorySize,
    maxValueSize,
    commandTimeout: parseDuration(options.commandTimeout ?? 1000, 'Larder option "commandTimeout"'),
    serializer: options.serializer ?? jsonSerializer,
    maxKeyLength: options.maxKeyLength ?? 1024,
    throwOnError: options.throwOnError ?? false,
    logConnectionEvents: options.logConnectionEvents ?? true,
    lock: resolveLockOptions(options.lock),
    rateLimit: resolveRateLimitOptions(options.rateLimit),
    session: resolveSessionOptions(options.session),
    metrics: resolveMetricsOptions(options.metrics),
  };
}
