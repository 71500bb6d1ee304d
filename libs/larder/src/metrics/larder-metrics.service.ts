import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CacheService } from '../cache/cache.service';
import type { CacheStore } from '../cache/stores/cache-store';
import { LARDER_CACHE_STORE, LARDER_METRICS_OPTIONS } from '../larder.constants';
import { LockService } from '../lock/lock.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { SessionService } from '../session/session.service';
import { subscribeCacheMetrics } from './cache-metrics.subscriber';
import { subscribeCoordinationMetrics } from './coordination-metrics.subscriber';
import { LarderMetricSet } from './larder-metric-set';
import type { MetricsOptions, MetricsRegistry } from './metrics-options';

/** Prometheus' text exposition format, which prom-client's default registry produces. */
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Larder's Prometheus metrics (the `metrics` module option), and a helper for the app's
 * `/metrics` endpoint. With metrics off it subscribes to nothing and `metrics()` is empty.
 *
 * @example
 * @Controller()
 * export class MetricsController {
 *   constructor(private readonly larderMetrics: LarderMetrics) {}
 *
 *   @Get('metrics')
 *   async metrics(@Res() res: Response) {
 *     res.type(this.larderMetrics.contentType).send(await this.larderMetrics.metrics());
 *   }
 * }
 */
@Injectable()
export class LarderMetrics implements OnModuleInit, OnModuleDestroy {
  private unsubscribe: Array<() => void> = [];

  constructor(
    @Inject(LARDER_METRICS_OPTIONS) private readonly options: MetricsOptions | null,
    @Inject(CacheService) private readonly cache: CacheService,
    @Inject(LARDER_CACHE_STORE) private readonly store: CacheStore,
    @Inject(LockService) private readonly locks: LockService,
    @Inject(RateLimitService) private readonly rateLimits: RateLimitService,
    @Inject(SessionService) private readonly sessions: SessionService,
  ) {}

  /** Whether this module records metrics. */
  get enabled(): boolean {
    return this.options !== null;
  }

  /** The registry holding the metrics (the app's, or prom-client's default); `undefined` when off. */
  get registry(): MetricsRegistry | undefined {
    return this.options?.registry;
  }

  /** The `Content-Type` of `metrics()`: the registry's (Prometheus text by default). */
  get contentType(): string {
    return this.options?.registry.contentType ?? PROMETHEUS_TEXT;
  }

  /**
   * Everything in the registry (the app's own metrics too) in the exposition format; `''` when off.
   * @example res.type(larderMetrics.contentType).send(await larderMetrics.metrics());
   */
  metrics(): Promise<string> {
    return this.options?.registry.metrics() ?? Promise.resolve('');
  }

  onModuleInit(): void {
    const options = this.options;
    if (!options) return;
    const set = LarderMetricSet.for(options);
    const name = options.name;
    this.unsubscribe = [
      subscribeCacheMetrics(this.cache, this.store, set, name),
      subscribeCoordinationMetrics(
        { locks: this.locks, rateLimits: this.rateLimits, sessions: this.sessions },
        set,
        name,
      ),
    ];
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe) stop();
    this.unsubscribe = [];
  }
}
