import type { Provider } from '@nestjs/common';
import { systemClock, type LarderClock } from '../common/clock';
import {
  LARDER_CLOCK,
  LARDER_RATE_LIMIT_OPTIONS,
  LARDER_RATE_LIMIT_STORE,
  LARDER_REDIS,
} from '../larder.constants';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import type { RateLimitOptions } from './rate-limit-options';
import type { RateLimitStore } from './rate-limit-store';
import { RateLimitService } from './rate-limit.service';
import { RedisRateLimitStore } from './redis-rate-limit.store';

/** The counters' store: the `rateLimit.store` option, else Redis when it is configured, else process memory. */
export function createRateLimitStore(
  options: RateLimitOptions,
  redis: RedisCoordinator | null,
  clock: LarderClock = systemClock,
): RateLimitStore {
  if (options.store) return options.store;
  return redis
    ? new RedisRateLimitStore(redis)
    : new MemoryRateLimitStore(options.maxMemoryKeys, () => clock.now());
}

/** Rate-limit providers of every Larder module instance (the guard is instantiated where it is used). */
export const RATE_LIMIT_PROVIDERS: Provider[] = [
  {
    provide: LARDER_RATE_LIMIT_STORE,
    inject: [LARDER_RATE_LIMIT_OPTIONS, LARDER_REDIS, LARDER_CLOCK],
    useFactory: createRateLimitStore,
  },
  RateLimitService,
];

/** What a module importing CacheModule can inject for rate limits. */
export const RATE_LIMIT_EXPORTS = [RateLimitService, LARDER_RATE_LIMIT_STORE];
