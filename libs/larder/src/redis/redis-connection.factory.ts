import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { isRedisInstance } from './is-cluster';
import { makeSentinelClientsCloseAtOnce } from './sentinel-clients';
import type { RedisClusterConfig, RedisConnectionOption } from './redis-options';

/** A connection and whether Larder created it (and so must close it). */
export interface OwnedConnection {
  client: Redis | Cluster;
  owned: boolean;
}

/**
 * Reconnect forever with capped, jittered backoff, so a fleet does not reconnect in lockstep
 * after an outage.
 */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(50 * 2 ** Math.min(attempt, 6), 2000);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/**
 * Defaults for connections Larder creates. No offline queue: while Redis is away a command fails
 * at once instead of piling up in memory; callers treat that as a miss (cache) or a refusal
 * (locks, sessions). A command that was sent but never answered is bounded by RedisCoordinator
 * (one shared deadline timer), not by ioredis' `commandTimeout`, which arms a timer per command.
 * A closing socket is dropped at once (`disconnectTimeout: 0`): Larder QUITs when it wants the
 * replies in flight, and ioredis' 2 s default timer, armed even when closing while reconnecting
 * (no socket left to wait for), kept a closed app's process alive after an outage.
 */
export function connectionDefaults(commandTimeout: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(commandTimeout, 2000),
    retryStrategy: reconnectDelay,
    disconnectTimeout: 0,
  };
}

export function isClusterConfig(value: unknown): value is RedisClusterConfig {
  return typeof value === 'object' && value !== null && Array.isArray((value as RedisClusterConfig).nodes);
}

/**
 * How often an owned Cluster asks for the slot map again. ioredis refreshes it only on a MOVED
 * reply or a lost connection: a master that hangs (SIGSTOP, a stalled host) answers nothing and
 * keeps its socket open, so after its replica took over, calls for its slots went to it and timed
 * out for as long as we measured (30 s and more). A CLUSTER SLOTS every 2 s costs each client one
 * small reply and bounds how long a failed-over master keeps receiving calls.
 */
export const CLUSTER_SLOTS_REFRESH_MS = 2000;

/**
 * Sentinel connections Larder owns follow a failover as sentinels announce it (`+switch-master`)
 * instead of waiting for their socket to the old master to break, which a hung master never does.
 */
function sentinelDefaults(option: RedisOptions): RedisOptions {
  return option.sentinels ? { failoverDetector: true } : {};
}

/** Creates (or adopts) the ioredis coordination connection for a `redis` option. */
export function createRedisConnection(
  option: RedisConnectionOption,
  commandTimeout: number,
): OwnedConnection {
  const defaults = connectionDefaults(commandTimeout);
  if (isRedisInstance(option)) return { client: option, owned: false };
  if (typeof option === 'string') return { client: new Redis(option, defaults), owned: true };
  if (isClusterConfig(option)) {
    const { redisOptions, ...clusterOptions } = option.options ?? {};
    const client = new Cluster(option.nodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshInterval: CLUSTER_SLOTS_REFRESH_MS,
      ...clusterOptions,
      redisOptions: { ...defaults, ...redisOptions },
    });
    return { client, owned: true };
  }
  const client = new Redis({ ...defaults, ...sentinelDefaults(option), ...option });
  return { client: makeSentinelClientsCloseAtOnce(client), owned: true };
}
