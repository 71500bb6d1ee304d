import type { Provider } from '@nestjs/common';
import { systemClock, type LarderClock } from '../common/clock';
import {
  LARDER_CLOCK,
  LARDER_REDIS,
  LARDER_SESSION_OPTIONS,
  LARDER_SESSION_STORE,
} from '../larder.constants';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import { MemorySessionStore } from './memory-session.store';
import { RedisSessionStore } from './redis-session.store';
import { sessionKeys } from './session-keys';
import type { SessionOptions } from './session-options';
import type { SessionStore } from './session-store';
import { SessionGuard } from './session.guard';
import { SessionService } from './session.service';

/** The sessions' store: the `session.store` option, else Redis when it is configured, else process memory. */
export function createSessionStore(
  options: SessionOptions,
  redis: RedisCoordinator | null,
  clock: LarderClock = systemClock,
): SessionStore {
  if (options.store) return options.store;
  return redis
    ? new RedisSessionStore(redis, sessionKeys(options.namespace))
    : new MemorySessionStore(() => clock.now());
}

/** Session providers every Larder module instance has. */
export const SESSION_PROVIDERS: Provider[] = [
  {
    provide: LARDER_SESSION_STORE,
    inject: [LARDER_SESSION_OPTIONS, LARDER_REDIS, LARDER_CLOCK],
    useFactory: createSessionStore,
  },
  SessionService,
  SessionGuard,
];

/** What a module importing CacheModule can inject for sessions. */
export const SESSION_EXPORTS = [SessionService, SessionGuard, LARDER_SESSION_STORE];
