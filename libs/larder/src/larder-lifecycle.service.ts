import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CacheCore } from './cache/cache-core';
import type { CacheStore } from './cache/stores/cache-store';
import { LARDER_REDIS, LARDER_CACHE_STORE, LARDER_OPTION_SLICES } from './larder.constants';
import type { LarderOptionSlices } from './larder-options';
import { perProcessWarning } from './per-process-warning';
import type { RedisCoordinator } from './redis/redis-coordinator';

const logger = new Logger('Larder');

/**
 * Starts and stops what Larder owns. At start it gives Redis up to `commandTimeout` to connect
 * (so the first requests do not all miss) and, once connected, the invalidation bus as long again
 * to subscribe, but never fails the boot: the app starts while Redis is down and recovers by
 * itself. Without Redis it logs one WARN naming what is per-process (see perProcessWarning). At shutdown it closes only the connections it created, in every connection state
 * without waiting for a retry or a handshake, and leaves no listener on a shared one.
 */
@Injectable()
export class LarderLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(LARDER_REDIS) private readonly redis: RedisCoordinator | null,
    @Inject(LARDER_CACHE_STORE) private readonly store: CacheStore,
    @Inject(CacheCore) private readonly core: CacheCore,
    @Inject(LARDER_OPTION_SLICES) private readonly slices: LarderOptionSlices,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.redis) {
      const warning = perProcessWarning(this.slices);
      if (warning && this.slices.connection.logConnectionEvents) logger.warn(warning);
      return;
    }
    await Promise.all([
      this.redis.waitUntilReady(this.redis.commandTimeout),
      this.store.ready?.(this.redis.commandTimeout),
    ]);
    // Listening before the first request keeps a copy read into L1 from missing its invalidation;
    // with Redis down there is nothing to wait for, and the boot has waited long enough.
    await this.core.listen(this.redis.isReady ? this.redis.commandTimeout : 0);
  }

  async onApplicationShutdown(): Promise<void> {
    // Each connection closes promptly whatever its state, and side by side: the slowest bounds the
    // shutdown (QUIT on a live but unresponsive server, at most commandTimeout), not their sum.
    await Promise.all([this.core.bus?.stop(), this.store.close(), this.redis?.close()]);
    this.core.release();
  }
}
