import { Logger, type Provider } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { CacheCore } from './cache/cache-core';
import { systemClock, type LarderClock } from './common/clock';
import { entryKey } from './cache/cache-keys';
import { createCacheCore } from './cache/cache-core.factory';
import { CacheService } from './cache/cache.service';
import { failOpenKeyv } from './cache/cache-manager-store';
import { createCacheStore } from './cache/stores/cache-store.factory';
import type { CacheStore } from './cache/stores/cache-store';
import { LarderLifecycle } from './larder-lifecycle.service';
import { LARDER_MODULE_OPTIONS } from './larder.module-definition';
import {
  CACHE_MANAGER,
  LARDER_CACHE_OPTIONS,
  LARDER_CACHE_STORE,
  LARDER_CLOCK,
  LARDER_CONNECTION_OPTIONS,
  LARDER_LEADERBOARD_OPTIONS,
  LARDER_CONSOLE_OPTIONS,
  LARDER_LENS_OPTIONS,
  LARDER_TRACING_OPTIONS,
  LARDER_LOCK_OPTIONS,
  LARDER_LOCK_STORE,
  LARDER_METRICS_OPTIONS,
  LARDER_OPTION_SLICES,
  LARDER_RATE_LIMIT_OPTIONS,
  LARDER_REDIS,
  LARDER_SESSION_OPTIONS,
} from './larder.constants';
import { resolveLarderOptions, type LarderModuleOptions, type LarderOptionSlices } from './larder-options';
import type { CacheOptions } from './cache/cache-options';
import type { ConnectionOptions } from './redis/redis-options';
import { createRedisConnection } from './redis/redis-connection.factory';
import { RedisCoordinator } from './redis/redis-coordinator';

const logger = new Logger('Larder');

/** Each slice of the options under its own token: no service is given the whole options object. */
const SLICES: Array<[symbol, keyof LarderOptionSlices]> = [
  [LARDER_CONNECTION_OPTIONS, 'connection'],
  [LARDER_CACHE_OPTIONS, 'cache'],
  [LARDER_LOCK_OPTIONS, 'lock'],
  [LARDER_RATE_LIMIT_OPTIONS, 'rateLimit'],
  [LARDER_SESSION_OPTIONS, 'session'],
  [LARDER_LEADERBOARD_OPTIONS, 'leaderboard'],
  [LARDER_METRICS_OPTIONS, 'metrics'],
  [LARDER_CONSOLE_OPTIONS, 'console'],
  [LARDER_LENS_OPTIONS, 'lens'],
  [LARDER_TRACING_OPTIONS, 'tracing'],
];

/** The options, validated once and split into slices (see resolveLarderOptions). */
export const OPTIONS_PROVIDERS: Provider[] = [
  {
    provide: LARDER_OPTION_SLICES,
    inject: [LARDER_MODULE_OPTIONS],
    useFactory: (options: LarderModuleOptions) => resolveLarderOptions(options),
  },
  ...SLICES.map(([token, slice]) => ({
    provide: token,
    inject: [LARDER_OPTION_SLICES],
    useFactory: (slices: LarderOptionSlices) => slices[slice],
  })),
];

/** The providers every Larder module instance has: connections, the cache and its lifecycle. */
export const CORE_PROVIDERS: Provider[] = [
  // Real time; `startLarder(options, metadata, { clock })` replaces it to drive expiry in tests.
  { provide: LARDER_CLOCK, useValue: systemClock },
  {
    provide: LARDER_REDIS,
    inject: [LARDER_CONNECTION_OPTIONS],
    useFactory: (options: ConnectionOptions) => {
      if (!options.redis) return null;
      const { client, owned } = createRedisConnection(options.redis, options.commandTimeout);
      return new RedisCoordinator(
        client,
        owned,
        options.commandTimeout,
        options.logConnectionEvents ? logger : undefined,
        options.circuitBreaker,
      );
    },
  },
  {
    provide: LARDER_CACHE_STORE,
    inject: [LARDER_CACHE_OPTIONS, LARDER_CONNECTION_OPTIONS, LARDER_REDIS, LARDER_CLOCK],
    useFactory: (
      options: CacheOptions,
      connection: ConnectionOptions,
      redis: RedisCoordinator | null,
      clock: LarderClock,
    ) =>
      createCacheStore(
        options,
        connection,
        redis,
        connection.logConnectionEvents ? logger : undefined,
        clock,
      ),
  },
  {
    provide: CacheCore,
    inject: [LARDER_CACHE_OPTIONS, LARDER_CACHE_STORE, LARDER_REDIS, LARDER_LOCK_STORE, LARDER_CLOCK],
    useFactory: createCacheCore,
  },
  CacheService,
  {
    // The same Keyv store behind a cache-manager v7 Cache, for code written for @nestjs/cache-manager.
    // Its writes drop the matching L1 entries so CacheService never serves what it replaced.
    provide: CACHE_MANAGER,
    inject: [LARDER_CACHE_STORE, CacheCore, LARDER_CACHE_OPTIONS],
    useFactory: (store: CacheStore, core: CacheCore, options: CacheOptions) => {
      // Through CacheService's failure policy: fail open, bounded by commandTimeout (failOpenKeyv).
      const cache = createCache({ stores: [failOpenKeyv(core)], ttl: options.defaultTtl || undefined });
      // cache-manager's keys are root keys: L1 holds them under the root's layout.
      const drop = (event: { key?: string; keys?: string[]; list?: Array<{ key: string }> }) =>
        core.dropCopies({
          keys: [
            ...(event.key ? [event.key] : []),
            ...(event.keys ?? []),
            ...(event.list ?? []).map((e) => e.key),
          ].map((key) => entryKey('', key)),
        });
      // 'mdel' is emitted but missing from cache-manager's event typings.
      const on = cache.on as unknown as (event: string, listener: typeof drop) => void;
      for (const name of ['set', 'del', 'mset', 'mdel']) on.call(cache, name, drop);
      cache.on('clear', () => core.dropCopies({ prefix: '' }));
      return cache;
    },
  },
  LarderLifecycle,
];

/** What a module importing CacheModule can inject. */
export const CORE_EXPORTS = [CacheService, CACHE_MANAGER, LARDER_REDIS, LARDER_CACHE_STORE];
