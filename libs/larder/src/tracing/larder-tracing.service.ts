import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CacheService } from '../cache/cache.service';
import type { MethodFunction } from '../cache/decorators/cached-method';
import type { DecoratedCall, DecoratedCallHook } from '../cache/decorators/decorated-call-hook';
import { LARDER_TRACING_OPTIONS } from '../larder.constants';
import { LockService } from '../lock/lock.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { SessionService } from '../session/session.service';
import { LarderTracer } from './larder-tracer';
import { loadOtelApi, type OtelApi } from './otel-api';
import { annotateFromCacheEvents, traceDecorated, traceScope } from './trace-cache';
import { traceLocks, traceRateLimits, traceSessions } from './trace-coordination';
import type { TracingOptions } from './tracing-options';

/**
 * Turns the `tracing` option on: traces this module's CacheService, LockService, RateLimitService
 * and SessionService. It does so while Nest builds the module, before any lifecycle hook runs, so
 * the first call of any of them already has its span; the decorated methods, wrapped later by the
 * cache's explorer, get theirs through `wrapDecorated`. With tracing off it does nothing, and
 * @opentelemetry/api is never loaded.
 */
@Injectable()
export class LarderTracing implements OnModuleDestroy, DecoratedCallHook {
  private readonly unsubscribe?: () => void;
  private readonly tracer?: LarderTracer;

  constructor(
    @Inject(LARDER_TRACING_OPTIONS) options: TracingOptions | null,
    @Inject(CacheService) cache: CacheService,
    @Inject(LockService) locks: LockService,
    @Inject(RateLimitService) rateLimits: RateLimitService,
    @Inject(SessionService) sessions: SessionService,
  ) {
    if (!options) return;
    // resolveTracingOptions checked that the api loads.
    const tracer = new LarderTracer(loadOtelApi() as OtelApi, options);
    this.tracer = tracer;
    traceScope(cache, tracer);
    this.unsubscribe = annotateFromCacheEvents(cache, tracer);
    traceLocks(locks, tracer);
    traceRateLimits(rateLimits, tracer);
    traceSessions(sessions, tracer);
  }

  /** A span around each call of a decorated method; the method itself when tracing is off. */
  wrapDecorated(fn: MethodFunction, call: DecoratedCall): MethodFunction {
    return this.tracer ? traceDecorated(fn, call, this.tracer) : fn;
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}
