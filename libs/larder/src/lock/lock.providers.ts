import type { Provider } from '@nestjs/common';
import { LockService } from './lock.service';

/** The lock providers every Larder module instance has (LockService picks Redis or memory itself). */
export const LOCK_PROVIDERS: Provider[] = [LockService];

/** What a module importing CacheModule can inject for locks. */
export const LOCK_EXPORTS = [LockService];
