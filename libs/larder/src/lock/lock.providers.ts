import type { Provider } from '@nestjs/common';
import { systemClock, type LarderClock } from '../common/clock';
import { LARDER_CLOCK, LARDER_LOCK_OPTIONS, LARDER_LOCK_STORE, LARDER_REDIS } from '../larder.constants';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import type { LockOptions } from './lock-options';
import type { LockStore } from './lock-store';
import { LockService } from './lock.service';
import { MemoryLockStore } from './memory-lock.store';
import { RedisLockStore } from './redis-lock.store';

/** The lock store: the `lock.store` option, else Redis when it is configured, else process memory. */
export function createLockStore(
  options: LockOptions,
  redis: RedisCoordinator | null,
  clock: LarderClock = systemClock,
): LockStore {
  if (options.store) return options.store;
  return redis ? new RedisLockStore(redis, options.namespace) : new MemoryLockStore(clock);
}

/** The lock providers every Larder module instance has. */
export const LOCK_PROVIDERS: Provider[] = [
  {
    provide: LARDER_LOCK_STORE,
    inject: [LARDER_LOCK_OPTIONS, LARDER_REDIS, LARDER_CLOCK],
    useFactory: createLockStore,
  },
  LockService,
];

/** What a module importing CacheModule can inject for locks. */
export const LOCK_EXPORTS = [LockService, LARDER_LOCK_STORE];
