import { type DynamicModule, Inject, Module, type NestModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CacheDecoratorExplorer } from './decorators/cache-decorators.explorer';
import { DECORATORS_EXPORTS, DECORATORS_PROVIDERS } from './decorators/decorators.providers';
import { CORE_EXPORTS, CORE_PROVIDERS } from './larder.providers';
import { LOCK_EXPORTS, LOCK_PROVIDERS } from './lock/lock.providers';
import { RATE_LIMIT_EXPORTS, RATE_LIMIT_PROVIDERS } from './rate-limit/rate-limit.providers';
import { SESSION_EXPORTS, SESSION_PROVIDERS } from './session/session.providers';
import { HEALTH_EXPORTS, HEALTH_PROVIDERS } from './health/health.providers';
import { METRICS_EXPORTS, METRICS_PROVIDERS } from './observability/metrics/metrics.providers';
import {
  LARDER_ASYNC_OPTIONS_TYPE,
  LARDER_OPTIONS_TYPE,
  LarderConfigurableModule,
} from './larder.module-definition';

/**
 * Larder's one module: cache, locks, rate limits, sessions, health and metrics from one options
 * object. Options are validated at boot (`E_INVALID_OPTION` names the field). Without `redis`,
 * everything runs in process memory.
 *
 * @example
 * CacheModule.forRoot({ redis: process.env.REDIS_URL, namespace: 'shop', defaultTtl: '5m', isGlobal: true })
 * @example
 * CacheModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ redis: config.get('REDIS_URL') }),
 * })
 */
@Module({})
export class CacheModule extends LarderConfigurableModule implements NestModule {
  constructor(@Inject(CacheDecoratorExplorer) private readonly decorators: CacheDecoratorExplorer) {
    super();
  }

  /** Nest runs this before it maps routes, which capture controller methods: wrap decorated methods now. */
  configure(): void {
    this.decorators.explore();
  }

  static forRoot(options: typeof LARDER_OPTIONS_TYPE = {}): DynamicModule {
    return CacheModule.withProviders(super.forRoot(options));
  }

  static forRootAsync(options: typeof LARDER_ASYNC_OPTIONS_TYPE): DynamicModule {
    return CacheModule.withProviders(super.forRootAsync(options));
  }

  private static withProviders(base: DynamicModule): DynamicModule {
    return {
      ...base,
      imports: [...(base.imports ?? []), DiscoveryModule],
      providers: [
        ...(base.providers ?? []),
        ...CORE_PROVIDERS,
        ...LOCK_PROVIDERS,
        ...RATE_LIMIT_PROVIDERS,
        ...DECORATORS_PROVIDERS,
        ...SESSION_PROVIDERS,
        ...HEALTH_PROVIDERS,
        ...METRICS_PROVIDERS,
      ],
      exports: [
        ...(base.exports ?? []),
        ...CORE_EXPORTS,
        ...LOCK_EXPORTS,
        ...RATE_LIMIT_EXPORTS,
        ...DECORATORS_EXPORTS,
        ...SESSION_EXPORTS,
        ...HEALTH_EXPORTS,
        ...METRICS_EXPORTS,
      ],
    };
  }
}
