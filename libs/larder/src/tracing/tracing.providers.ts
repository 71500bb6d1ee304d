import type { Provider } from '@nestjs/common';
import { LarderTracing } from './larder-tracing.service';

/** The tracing provider every Larder module instance has (it does nothing while `tracing` is off). */
export const TRACING_PROVIDERS: Provider[] = [LarderTracing];
