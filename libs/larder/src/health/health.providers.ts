import type { Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { HealthIndicatorService } from '@nestjs/terminus';
import type { CacheStore } from '../cache/stores/cache-store';
import { LARDER_CACHE_OPTIONS, LARDER_CACHE_STORE, LARDER_REDIS } from '../larder.constants';
import { loadOptionalPeer } from '../common/optional-peer';
import type { CacheOptions } from '../cache/cache-options';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import { LarderHealthIndicator } from './larder-health.indicator';

type Terminus = Pick<typeof import('@nestjs/terminus'), 'HealthIndicatorService'>;

/**
 * The terminus `HealthIndicatorService` the app registered (it imports `TerminusModule`), found
 * lazily because CacheModule does not import TerminusModule itself; when the app has none in
 * reach, the indicator uses its own instance, so a missing import never breaks the module.
 */
function indicatorService(moduleRef: ModuleRef, terminus: Terminus): () => HealthIndicatorService {
  const resolve = (): HealthIndicatorService => {
    try {
      return moduleRef.get(terminus.HealthIndicatorService, { strict: false });
    } catch {
      return new terminus.HealthIndicatorService();
    }
  };
  let service: HealthIndicatorService | undefined;
  return () => (service ??= resolve());
}

/** The health providers for a given terminus package, or none when it is not installed. */
export function healthProviders(terminus: Terminus | null): Provider[] {
  if (!terminus) return [];
  return [
    {
      provide: LarderHealthIndicator,
      inject: [LARDER_REDIS, LARDER_CACHE_STORE, LARDER_CACHE_OPTIONS, ModuleRef],
      useFactory: (
        redis: RedisCoordinator | null,
        store: CacheStore,
        options: CacheOptions,
        moduleRef: ModuleRef,
      ) => new LarderHealthIndicator(redis, store, options, indicatorService(moduleRef, terminus)),
    },
  ];
}

const terminus = loadOptionalPeer<Terminus>('@nestjs/terminus');

/** `LarderHealthIndicator`, provided only when the optional peer @nestjs/terminus is installed. */
export const HEALTH_PROVIDERS: Provider[] = healthProviders(terminus);

/** What a module importing CacheModule can inject for health checks. */
export const HEALTH_EXPORTS = terminus ? [LarderHealthIndicator] : [];
