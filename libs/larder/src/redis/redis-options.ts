import { IsBoolean, IsOptional } from 'class-validator';
import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { InvalidOptionError } from '../errors';
import { isCluster, isRedisInstance } from './is-cluster';
import {
  resolveBreakerOptions,
  type CircuitBreakerModuleOptions,
  type CircuitBreakerOptions,
} from './breaker-options';
import { parseDuration, type Duration } from '../common/duration';
import { assertKnownKeys, optionKeys } from '../common/known-keys';
import { IsDuration, applyRules, invalidOption } from '../common/validate-options';

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

/** The connection fields of `LarderModuleOptions`. */
export interface ConnectionModuleOptions {
  /** Redis connection. Unset: every service runs on in-process memory (single instance only). */
  redis?: RedisConnectionOption;
  /** Upper bound for every Redis call; past it the call counts as failed. Default `'1s'`. */
  commandTimeout?: Duration;
  /**
   * Log connection state changes through Nest's Logger, and the one WARN at boot when no Redis is
   * configured. Default true.
   */
  logConnectionEvents?: boolean;
  /**
   * Refuse to start without `redis`: a production app that lost its `REDIS_URL` fails its boot
   * instead of running every instance on its own memory. Default false. An unreachable Redis never
   * fails the boot (the app starts and reconnects); this checks the configuration only.
   */
  requireRedis?: boolean;
  /**
   * After `failures` consecutive connection failures or timeouts, calls skip Redis at once for
   * `cooldown` (cache: miss or stale value; rate limits: the insurance limiter; locks and sessions:
   * E_STORE_UNAVAILABLE), then one PING probes it. `false` turns it off. Default
   * `{ failures: 5, cooldown: '2s' }`; off on a Redis Cluster unless given. See docs/resilience.md.
   */
  circuitBreaker?: CircuitBreakerModuleOptions | false;
}

/** The connection slice (`LARDER_CONNECTION_OPTIONS`): the connection fields after validation; ms. */
export interface ConnectionOptions {
  redis?: RedisConnectionOption;
  commandTimeout: number;
  logConnectionEvents: boolean;
  /** The breaker's settings, or false when it is off (or there is no Redis). */
  circuitBreaker: CircuitBreakerOptions | false;
}

/** The fields of `redis: { nodes, options }`; the ioredis options inside `options` are ioredis' own. */
const CLUSTER_KEYS = optionKeys<RedisClusterConfig>({ nodes: true, options: true });
const PLACE = { subject: 'Larder option' };

/** The rules of the connection fields (see validateOptions); `redis` is checked by hand. */
class ConnectionOptionRules {
  @IsOptional() @IsDuration() commandTimeout?: Duration;
  @IsOptional() @IsBoolean() logConnectionEvents?: boolean;
  @IsOptional() @IsBoolean() requireRedis?: boolean;
}

/** Where ioredis keeps a client's options (a Cluster keeps them per node in redisOptions). */
function keyPrefixOf(redis: object): unknown {
  const own = redis as {
    keyPrefix?: unknown;
    options?: { keyPrefix?: unknown; redisOptions?: { keyPrefix?: unknown } };
  };
  return own.keyPrefix ?? own.options?.keyPrefix ?? own.options?.redisOptions?.keyPrefix;
}

/** Whether the `redis` option is a Redis Cluster: `{ nodes }`, or an ioredis Cluster instance. */
function isClusterOption(redis: RedisConnectionOption | undefined): boolean {
  if (redis === undefined || typeof redis === 'string') return false;
  return isRedisInstance(redis) ? isCluster(redis) : Array.isArray((redis as { nodes?: unknown }).nodes);
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
    const allowed = 'a URL, ioredis options, an ioredis Redis/Cluster instance, or { nodes: [...] }';
    throw invalidOption(PLACE, 'redis', redis, allowed);
  }
  // An ioredis Cluster has a `nodes()` method, not a nodes array: an instance is ioredis' to check.
  const nodes = isRedisInstance(redis) ? undefined : (redis as { nodes?: unknown }).nodes;
  if (nodes !== undefined && (!Array.isArray(nodes) || nodes.length === 0)) {
    throw invalidOption(PLACE, 'redis.nodes', nodes, 'a non-empty array of cluster nodes');
  }
  // Only Larder's own { nodes, options } wrapper is checked: ioredis options and instances are ioredis'.
  if (nodes !== undefined) assertKnownKeys(redis, CLUSTER_KEYS, { ...PLACE, path: 'redis' });
  // ioredis prefixes keys but not SCAN patterns, so clear() would find keys it then cannot delete.
  const prefix = keyPrefixOf(redis);
  if (prefix !== undefined && prefix !== '') {
    const allowed = 'no keyPrefix on the connection; use the "namespace" option to prefix Larder\'s keys';
    throw invalidOption(PLACE, 'redis.keyPrefix', prefix, allowed);
  }
}

/**
 * Validates the connection fields of the module options (whose other fields are not looked at).
 * @throws InvalidOptionError naming the field; a bad URL is never echoed (it may hold a password)
 * @example resolveConnectionOptions({ redis: 'redis://localhost:6379' }).commandTimeout // 1000
 */
export function resolveConnectionOptions(options: ConnectionModuleOptions): ConnectionOptions {
  applyRules(ConnectionOptionRules, options, PLACE);
  checkRedis(options.redis);
  if (options.requireRedis === true && options.redis === undefined) {
    throw new InvalidOptionError(
      'Invalid Larder option "redis": not set, and "requireRedis" is true. Give a Redis URL, ioredis ' +
        'options or an ioredis instance (is REDIS_URL set?), or drop requireRedis to run in process memory.',
    );
  }
  const breaker = resolveBreakerOptions(options.circuitBreaker, isClusterOption(options.redis));
  return {
    redis: options.redis,
    commandTimeout: parseDuration(options.commandTimeout ?? 1000, 'commandTimeout'),
    logConnectionEvents: options.logConnectionEvents ?? true,
    // Checked even without Redis (a bad value is a bad value), though there is nothing to guard then.
    circuitBreaker: options.redis === undefined ? false : breaker,
  };
}
