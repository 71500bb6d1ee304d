import type { Provider } from '@nestjs/common';
import { RateLimitService } from './rate-limit.service';

/** Rate-limit providers of every Larder module instance (the guard is instantiated where it is used). */
export const RATE_LIMIT_PROVIDERS: Provider[] = [RateLimitService];

/** What a module importing CacheModule can inject for rate limits. */
export const RATE_LIMIT_EXPORTS = [RateLimitService];
