import { assertKnownKeys, assertOptionsObject, optionKeys } from './common/known-keys';
import { resolveSharedOptions, type SharedModuleOptions } from './common/shared-options';
import {
  resolveConsoleOptions,
  type ConsoleModuleOptions,
  type ConsoleOptions,
} from './console/console-options';
import { resolveLensOption } from './console/lens-bridge';
import { resolveCacheOptions, type CacheModuleOptions, type CacheOptions } from './cache/cache-options';
import { resolveLockOptions, type LockModuleOptions, type LockOptions } from './lock/lock-options';
import {
  resolveLeaderboardOptions,
  type LeaderboardModuleOptions,
  type LeaderboardOptions,
} from './leaderboard/leaderboard-options';
import {
  resolveMetricsOptions,
  type MetricsModuleOptions,
  type MetricsOptions,
} from './metrics/metrics-options';
import {
  resolveRateLimitOptions,
  type RateLimitModuleOptions,
  type RateLimitOptions,
} from './rate-limit/rate-limit-options';
import {
  resolveConnectionOptions,
  type ConnectionModuleOptions,
  type ConnectionOptions,
} from './redis/redis-options';
import {
  resolveTracingOptions,
  type TracingModuleOptions,
  type TracingOptions,
} from './tracing/tracing-options';
import {
  resolveSessionOptions,
  type SessionModuleOptions,
  type SessionOptions,
} from './session/session-options';

/**
 * Options of `CacheModule.forRoot()` / `forRootAsync()`. Every field is optional. Each capability
 * owns its part: the connection (`redis`, `commandTimeout`, `logConnectionEvents`, `requireRedis`), the cache
 * (`defaultTtl`, `memory`, `store`, sizes, `throwOnError`), and one field each for locks, rate
 * limits, sessions and metrics; `namespace`, `name`, `maxKeyLength` and `serializer` are shared.
 *
 * @example
 * CacheModule.forRoot({ redis: process.env.REDIS_URL, namespace: 'shop', defaultTtl: '5m', lock: { ttl: '10s' } })
 */
export interface LarderModuleOptions
  extends SharedModuleOptions, ConnectionModuleOptions, CacheModuleOptions {
  /** Lock defaults (`{ ttl, wait, retryDelay }`) for LockService. Default `{ ttl: '30s', wait: 0, retryDelay: '100ms' }`. */
  lock?: LockModuleOptions;
  /** Rate limits: global rules for RateLimitGuard, failure policy, headers. See docs/rate-limits.md. */
  rateLimit?: RateLimitModuleOptions;
  /** Sessions (`{ ttl, rolling, maxLifetime, maxPerUser, bearer, cookie }`) for SessionService. See docs/sessions.md. */
  session?: SessionModuleOptions;
  /** Leaderboard defaults (`{ order, ttl, maxMembers, store }`) for LeaderboardService. See docs/leaderboards.md. */
  leaderboard?: LeaderboardModuleOptions;
  /** Prometheus metrics (`{ enabled, registry, prefix, buckets }`, prom-client). Default: off. See docs/operations.md. */
  metrics?: MetricsModuleOptions;
  /** The live console (`{ path, token | guard, showValues, bufferSize }`). Default: off. See docs/console.md. */
  console?: ConsoleModuleOptions;
  /** Forward cache events to Lens' cache watcher (needs @lensjs/core). Default `false`. See docs/console.md. */
  lens?: boolean;
  /** OpenTelemetry spans (`true` or `{ tracerName, keys }`, needs @opentelemetry/api). Default: off. See docs/tracing.md. */
  tracing?: boolean | TracingModuleOptions;
}

/** The fields of `CacheModule.forRoot()` options; each capability checks its own part. */
const MODULE_KEYS = optionKeys<LarderModuleOptions>({
  redis: true,
  namespace: true,
  name: true,
  defaultTtl: true,
  memory: true,
  store: true,
  maxMemoryItems: true,
  maxMemorySize: true,
  maxValueSize: true,
  commandTimeout: true,
  serializer: true,
  maxKeyLength: true,
  throwOnError: true,
  batchReads: true,
  resilience: true,
  compression: true,
  logConnectionEvents: true,
  requireRedis: true,
  circuitBreaker: true,
  lock: true,
  rateLimit: true,
  session: true,
  leaderboard: true,
  metrics: true,
  console: true,
  lens: true,
  tracing: true,
});

/** The module options split into what each capability is given, through its own token. */
export interface LarderOptionSlices {
  connection: ConnectionOptions;
  cache: CacheOptions;
  lock: LockOptions;
  rateLimit: RateLimitOptions;
  session: SessionOptions;
  leaderboard: LeaderboardOptions;
  /** `null` when metrics are off. */
  metrics: MetricsOptions | null;
  /** `null` when the console is off. */
  console: ConsoleOptions | null;
  /** Whether the Lens bridge is on. */
  lens: boolean;
  /** `null` when tracing is off. */
  tracing: TracingOptions | null;
}

/**
 * Validates module options once at boot, fills in defaults and splits them into slices. Unknown
 * fields are refused first (with the closest valid name), then each capability checks its part.
 * @throws InvalidOptionError naming the field, the value and what is allowed
 * @example resolveLarderOptions({ redis: url, lock: { ttl: '10s' } }).lock.ttl // 10000
 */
export function resolveLarderOptions(options: LarderModuleOptions): LarderOptionSlices {
  assertOptionsObject(options, 'Larder', "an object (forRootAsync's factory must return one)");
  assertKnownKeys(options, MODULE_KEYS, { subject: 'Larder option' });
  const shared = resolveSharedOptions(options);
  const connection = resolveConnectionOptions(options);
  const { namespace, name, maxKeyLength, serializer } = shared;
  const cache = resolveCacheOptions(
    options,
    shared,
    connection.commandTimeout,
    connection.redis !== undefined,
  );
  const lock = { ...resolveLockOptions(options.lock), namespace, name, maxKeyLength };
  const rateLimit = { ...resolveRateLimitOptions(options.rateLimit), namespace };
  const session = { ...resolveSessionOptions(options.session), namespace, serializer };
  const leaderboard = { ...resolveLeaderboardOptions(options.leaderboard), namespace, maxKeyLength };
  const metrics = resolveMetricsOptions(options.metrics);
  const consoleSlice = resolveConsoleOptions(options.console, name);
  return {
    connection,
    cache,
    lock,
    rateLimit,
    session,
    leaderboard,
    metrics: metrics ? { ...metrics, name } : null,
    console: consoleSlice,
    lens: resolveLensOption(options.lens),
    tracing: resolveTracingOptions(options.tracing, { name, namespace }),
  };
}
