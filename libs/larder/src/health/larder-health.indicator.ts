import KeyvRedis from '@keyv/redis';
import type { CacheStore } from '../cache/stores/cache-store';
import { argumentRule, assertKey } from '../common/assert-key';
import { parseOptionalDuration, type Duration } from '../common/duration';
import { checkCallOptions, optionKeys } from '../common/known-keys';
import type { CacheOptions } from '../cache/cache-options';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import type { BreakerSnapshot } from '../redis/circuit-breaker';
import { withTimeout } from '../redis/with-timeout';
import { isCluster } from '../redis/is-cluster';
import { checkClusterMasters, type ClusterMastersHealth, type LarderMasterHealth } from './cluster-masters';

/**
 * Options of `LarderHealthIndicator.isHealthy()`.
 * @example await larder.isHealthy('larder', { timeout: '500ms' })
 */
export interface LarderHealthCheckOptions {
  /** Longest the whole check may take; past it the result is `down`. Default: the module's `commandTimeout`. */
  timeout?: Duration;
}

const HEALTH_CHECK_KEYS = optionKeys<LarderHealthCheckOptions>({ timeout: true });
const HEALTH_CHECK_PLACE = { subject: 'isHealthy option' };
/** The key names the result, not a stored key: a bad one is `E_INVALID_ARGUMENT`. */
const KEY_ARGUMENT = argumentRule();

/**
 * One Redis connection as the health check saw it.
 * @example { client: 'ioredis', state: 'ready', latencyMs: 0.41 }
 */
export interface LarderConnectionHealth {
  /** `'ioredis'` (coordination, and values when they share it) or `'@keyv/redis'` (the value store's own client). */
  client: 'ioredis' | '@keyv/redis';
  /** `'ready'` when the PING answered; otherwise ioredis' status (`'reconnecting'`, ...) or `'down'`. */
  state: string;
  /** PING round trip, in milliseconds (two decimals); absent when it failed. */
  latencyMs?: number;
  /** Why the PING failed. */
  error?: string;
}

/**
 * What the indicator reports under its key, next to `status`.
 * @example { status: 'up', cache: 'default', store: 'redis', latencyMs: 0.52, connections: { coordination: {...}, values: {...} } }
 */
// A type alias, not an interface: terminus wants additional data assignable to Record<string, unknown>.
export type LarderHealthDetails = {
  /** The cache name (`name` option). */
  cache: string;
  /** Where cache values live: `'memory'`, `'redis'` or `'custom'` (the `store` option). */
  store: CacheStore['kind'];
  /** The slowest successful PING, in milliseconds; absent when nothing was pinged. */
  latencyMs?: number;
  /** Every Redis connection Larder uses; empty on the in-memory setup. */
  connections: { coordination?: LarderConnectionHealth; values?: LarderConnectionHealth };
  /** On Redis Cluster: every master by address (`host:port`); the check is down when one is, or when slots are served by none. */
  masters?: Record<string, LarderMasterHealth>;
  /**
   * The Redis circuit breaker (absent without one). The check PINGs whatever its state, so `status`
   * is what Redis answers; an `open` breaker next to `up` means Redis is back and the next probe closes it.
   */
  breaker?: BreakerSnapshot;
  /** Why the check is down. */
  message?: string;
};

/**
 * What `isHealthy(key)` resolves: terminus' `HealthIndicatorResult<Key, 'up' | 'down', LarderHealthDetails>`,
 * written out because Larder's published types must not import @nestjs/terminus, an optional peer.
 * @example const { larder }: LarderHealthResult = await indicator.isHealthy(); // larder.status
 */
export type LarderHealthResult<Key extends string = 'larder'> = Record<
  Key,
  { status: 'up' | 'down' } & LarderHealthDetails
>;

/** The part of terminus' `HealthIndicatorService` the indicator uses, typed structurally for the same reason. */
export interface HealthIndicatorSessions {
  check<const Key extends string>(
    key: Key,
  ): {
    up(data: LarderHealthDetails): Record<Key, { status: 'up' } & LarderHealthDetails>;
    down(data: LarderHealthDetails): Record<Key, { status: 'down' } & LarderHealthDetails>;
  };
}

interface Probe {
  name: 'coordination' | 'values';
  client: LarderConnectionHealth['client'];
  ping: () => Promise<number>;
  state: () => string;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * A @nestjs/terminus health indicator for Larder. `isHealthy(key)` PINGs every Redis connection
 * Larder uses (coordination and, when it has its own client, the value store) in parallel and
 * reports latency, connection state and store kind. It never throws for a store failure: an
 * error or a timeout is a `down` result, so `HealthCheckService` answers 503. On the in-memory
 * setup it is always `up` with `store: 'memory'`.
 *
 * The app imports `TerminusModule` for `HealthCheckService`; this indicator is provided by
 * `CacheModule` when @nestjs/terminus is installed.
 *
 * @example
 * @Controller('health')
 * export class HealthController {
 *   constructor(private readonly health: HealthCheckService, private readonly larder: LarderHealthIndicator) {}
 *
 *   @Get() @HealthCheck()
 *   check() {
 *     return this.health.check([() => this.larder.isHealthy('larder', { timeout: '500ms' })]);
 *   }
 * }
 */
export class LarderHealthIndicator {
  constructor(
    private readonly redis: RedisCoordinator | null,
    private readonly store: CacheStore,
    private readonly options: Pick<CacheOptions, 'name' | 'commandTimeout'>,
    private readonly indicators: () => HealthIndicatorSessions,
  ) {}

  /**
   * Checks every Redis connection; resolves `{ [key]: { status: 'up' | 'down', ...LarderHealthDetails } }`.
   * @throws InvalidArgumentError / InvalidOptionError for a bad `key` or `timeout` (never for store failures)
   * @example const result = await larder.isHealthy('cache', { timeout: 300 }); // result.cache.status
   */
  async isHealthy<const Key extends string = 'larder'>(
    key: Key = 'larder' as Key,
    options: LarderHealthCheckOptions = {},
  ): Promise<LarderHealthResult<Key>> {
    assertKey('health check key', key, Infinity, KEY_ARGUMENT);
    checkCallOptions(options, HEALTH_CHECK_KEYS, HEALTH_CHECK_PLACE, '{ timeout? }');
    const timeout = parseOptionalDuration(options.timeout, 'timeout') ?? this.options.commandTimeout;
    const session = this.indicators().check(key);
    const details: LarderHealthDetails = {
      cache: this.options.name,
      store: this.store.kind,
      connections: {},
    };
    const probes = this.probes();
    const [seen, cluster] = await Promise.all([
      Promise.all(probes.map((probe) => this.run(probe, timeout))),
      this.clusterMasters(timeout),
    ]);
    probes.forEach((probe, i) => (details.connections[probe.name] = seen[i]));
    if (cluster) details.masters = cluster.masters;
    if (this.redis?.breaker) details.breaker = this.redis.breaker.snapshot();
    const failed = probes.filter((_, i) => seen[i].error !== undefined);
    const latencies = seen.flatMap((c) => (c.latencyMs === undefined ? [] : [c.latencyMs]));
    if (latencies.length > 0) details.latencyMs = Math.max(...latencies);
    const problems = [
      ...failed.map((p) => `${p.name}: ${details.connections[p.name]?.error}`),
      ...(cluster?.problems ?? []),
    ];
    if (problems.length === 0) return session.up(details);
    details.message = problems.join('; ');
    return session.down(details);
  }

  /**
   * On a cluster, every master on its own (see checkClusterMasters), bounded by the check's
   * timeout; no slot map at all is a problem of its own, next to the coordination PING's.
   */
  private async clusterMasters(timeout: number): Promise<ClusterMastersHealth | undefined> {
    const redis = this.redis;
    if (!redis || !isCluster(redis.client)) return undefined;
    try {
      return await withTimeout(
        checkClusterMasters(redis, redis.client, timeout),
        timeout,
        'health check CLUSTER SLOTS',
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { masters: {}, problems: [`cluster: ${message}`] };
    }
  }

  /** The connections to check. Values sharing the coordination connection are not pinged twice. */
  private probes(): Probe[] {
    const probes: Probe[] = [];
    const redis = this.redis;
    if (redis) {
      probes.push({
        name: 'coordination',
        client: 'ioredis',
        ping: () => redis.ping(),
        state: () => redis.client.status,
      });
    }
    if (this.store.ping && this.store.keyv.store instanceof KeyvRedis) {
      const ping = this.store.ping.bind(this.store);
      probes.push({ name: 'values', client: '@keyv/redis', ping, state: () => 'down' });
    }
    return probes;
  }

  /** One PING under the check's timeout; a failure becomes data, never an exception. */
  private async run(probe: Probe, timeout: number): Promise<LarderConnectionHealth> {
    try {
      const latency = await withTimeout(probe.ping(), timeout, `health check PING (${probe.name})`);
      return { client: probe.client, state: 'ready', latencyMs: round(latency) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { client: probe.client, state: probe.state(), error: message };
    }
  }
}
