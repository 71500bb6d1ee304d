import type { Provider } from '@nestjs/common';
import { systemClock, type LarderClock } from '../common/clock';
import {
  LARDER_CLOCK,
  LARDER_LEADERBOARD_OPTIONS,
  LARDER_LEADERBOARD_STORE,
  LARDER_REDIS,
} from '../larder.constants';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import type { LeaderboardOptions } from './leaderboard-options';
import type { LeaderboardStore } from './leaderboard-store';
import { LeaderboardService } from './leaderboard.service';
import { MemoryLeaderboardStore } from './memory-leaderboard.store';
import { RedisLeaderboardStore } from './redis-leaderboard.store';

/** The boards' store: the `leaderboard.store` option, else Redis when it is configured, else process memory. */
export function createLeaderboardStore(
  options: LeaderboardOptions,
  redis: RedisCoordinator | null,
  clock: LarderClock = systemClock,
): LeaderboardStore {
  if (options.store) return options.store;
  return redis ? new RedisLeaderboardStore(redis) : new MemoryLeaderboardStore(() => clock.now());
}

/** Leaderboard providers every Larder module instance has. */
export const LEADERBOARD_PROVIDERS: Provider[] = [
  {
    provide: LARDER_LEADERBOARD_STORE,
    inject: [LARDER_LEADERBOARD_OPTIONS, LARDER_REDIS, LARDER_CLOCK],
    useFactory: createLeaderboardStore,
  },
  LeaderboardService,
];

/** What a module importing CacheModule can inject for leaderboards. */
export const LEADERBOARD_EXPORTS = [LeaderboardService, LARDER_LEADERBOARD_STORE];
