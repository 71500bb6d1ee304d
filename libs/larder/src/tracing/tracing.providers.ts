import type { Provider } from '@nestjs/common';
import { LARDER_DECORATED_CALLS } from '../larder.constants';
import { LarderTracing } from './larder-tracing.service';

/**
 * The tracing provider every Larder module instance has (it does nothing while `tracing` is off),
 * also the hook the decorator explorer wraps each decorated method with.
 */
export const TRACING_PROVIDERS: Provider[] = [
  LarderTracing,
  { provide: LARDER_DECORATED_CALLS, useExisting: LarderTracing },
];
