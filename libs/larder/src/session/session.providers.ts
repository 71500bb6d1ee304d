import type { Provider } from '@nestjs/common';
import { SessionGuard } from './session.guard';
import { SessionService } from './session.service';

/** Session providers every Larder module instance has (SessionService runs on memory without Redis). */
export const SESSION_PROVIDERS: Provider[] = [SessionService, SessionGuard];

/** What a module importing CacheModule can inject for sessions. */
export const SESSION_EXPORTS = [SessionService, SessionGuard];
