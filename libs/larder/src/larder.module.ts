import { type DynamicModule, Inject, Module, type NestModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CacheDecoratorExplorer } from './cache/decorators/cache-decorators.explorer';
import { DECORATORS_EXPORTS, DECORATORS_PROVIDERS } from './cache/decorators/decorators.providers';
import { CORE_EXPORTS, CORE_PROVIDERS, OPTIONS_PROVIDERS } from './larder.providers';
import { LOCK_EXPORTS, LOCK_PROVIDERS } from './lock/lock.providers';
import { RATE_LIMIT_EXPORTS, RATE_LIMIT_PROVIDERS } from './rate-limit/rate-limit.providers';
import { SESSION_EXPORTS, SESSION_PROVIDERS } from './session/session.providers';
import { RATE_LIMIT_USER_PROVIDER } from './session-rate-limit-user';
import { LEADERBOARD_EXPORTS, LEADERBOARD_PROVIDERS } from './leaderboard/leaderboard.providers';
import { HEALTH_EXPORTS, HEALTH_PROVIDERS } from './health/health.providers';
import { METRICS_EXPORTS, METRICS_PROVIDERS } from './metrics/metrics.providers';
import { CONSOLE_EXPORTS, CONSOLE_PROVIDERS } from './console/console.providers';
import { TRACING_PROVIDERS } from './tracing/tracing.providers';
import { assertOptionsObject } from './common/known-keys';
import {
  fromCacheManagerOptions,
  type CacheRegisterAsyncOptions,
  type CacheRegisterModuleOptions,
} from './cache-manager-options';
import { toForRootAsync } from './cache-manager-async';
import { LARDER_RATE_LIMIT_USER } from './larder.constants';
import {
  LARDER_ASYNC_OPTIONS_TYPE,
  LARDER_OPTIONS_TYPE,
  LarderConfigurableModule,
} from './larder.module-definition';

/**
 * Larder's one module: cache, locks, rate limits, sessions, leaderboards, health and metrics from one options
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

  /**
   * The module from an options object; `forRoot()` with no argument runs on memory with defaults.
   * @throws InvalidOptionError when `options` is given but is not an object (`null`, `undefined`, ...)
   */
  static forRoot(...args: [options?: typeof LARDER_OPTIONS_TYPE]): DynamicModule {
    // An explicit `undefined` is refused like `null`: it is usually a configuration lookup that found nothing.
    const options = args.length === 0 ? {} : args[0];
    assertOptionsObject(options, 'CacheModule.forRoot()', 'an object, or no argument for the defaults');
    return CacheModule.withProviders(super.forRoot(options));
  }

  /**
   * The module from options a factory (or an options class) produces at boot.
   * @throws InvalidOptionError when `options` is not an object; the produced options fail start-up the same way
   */
  static forRootAsync(options: typeof LARDER_ASYNC_OPTIONS_TYPE): DynamicModule {
    assertOptionsObject(options, 'CacheModule.forRootAsync()', 'an object { useFactory, inject?, imports? }');
    return CacheModule.withProviders(super.forRootAsync(options));
  }

  /**
   * `forRoot` under @nestjs/cache-manager's name and option names (`ttl` in ms, `max`, `stores`,
   * `cacheId`, `isGlobal`), so a module written for it keeps working when only the import changes.
   * Larder's own options may sit beside them. See docs/migrating-from-cache-manager.md.
   * @throws InvalidOptionError naming an option Larder cannot honour (several `stores`, `refreshThreshold`, ...)
   * @example CacheModule.register({ ttl: 5000, max: 1000, isGlobal: true })
   */
  static register(options: CacheRegisterModuleOptions = {}): DynamicModule {
    assertOptionsObject(options, 'CacheModule.register()', 'an object, or no argument for the defaults');
    const { isGlobal, ...rest } = options;
    return CacheModule.forRoot({ ...fromCacheManagerOptions(rest), isGlobal });
  }

  /**
   * `forRootAsync` under @nestjs/cache-manager's name: `useFactory` + `inject`, or `useClass` /
   * `useExisting` with a `createCacheOptions()` (or `createLarderOptions()`) method, `imports`,
   * `extraProviders` and `isGlobal`; the options produced are mapped as `register()` maps them.
   * @throws InvalidOptionError when none of useFactory, useClass, useExisting is given
   * @example CacheModule.registerAsync({ imports: [ConfigModule], useClass: CacheConfigService })
   */
  static registerAsync(options: CacheRegisterAsyncOptions): DynamicModule {
    assertOptionsObject(
      options,
      'CacheModule.registerAsync()',
      'an object { useFactory | useClass | useExisting, ... }',
    );
    const { asyncOptions, providers } = toForRootAsync(options);
    const module = CacheModule.forRootAsync(asyncOptions);
    return { ...module, providers: [...(module.providers ?? []), ...providers] };
  }

  private static withProviders(base: DynamicModule): DynamicModule {
    return {
      ...base,
      imports: [...(base.imports ?? []), DiscoveryModule],
      providers: [
        ...(base.providers ?? []),
        ...OPTIONS_PROVIDERS,
        ...CORE_PROVIDERS,
        ...LOCK_PROVIDERS,
        ...RATE_LIMIT_PROVIDERS,
        ...DECORATORS_PROVIDERS,
        ...SESSION_PROVIDERS,
        RATE_LIMIT_USER_PROVIDER,
        ...LEADERBOARD_PROVIDERS,
        ...HEALTH_PROVIDERS,
        ...METRICS_PROVIDERS,
        ...CONSOLE_PROVIDERS,
        ...TRACING_PROVIDERS,
      ],
      exports: [
        ...(base.exports ?? []),
        ...CORE_EXPORTS,
        ...LOCK_EXPORTS,
        ...RATE_LIMIT_EXPORTS,
        ...DECORATORS_EXPORTS,
        ...SESSION_EXPORTS,
        LARDER_RATE_LIMIT_USER,
        ...LEADERBOARD_EXPORTS,
        ...HEALTH_EXPORTS,
        ...METRICS_EXPORTS,
        ...CONSOLE_EXPORTS,
      ],
    };
  }
}
