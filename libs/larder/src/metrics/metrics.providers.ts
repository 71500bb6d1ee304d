import type { Provider } from '@nestjs/common';
import { LarderMetrics } from './larder-metrics.service';

/** Metrics providers every Larder module instance has (LarderMetrics subscribes only when metrics are on). */
export const METRICS_PROVIDERS: Provider[] = [LarderMetrics];

/** What a module importing CacheModule can inject for metrics. */
export const METRICS_EXPORTS = [LarderMetrics];
