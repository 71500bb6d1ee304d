// The public surface of @larder/nestjs: every exported symbol is listed here.
export { CacheModule } from './larder.module';
export type { LarderModuleExtras, LarderOptionsFactory } from './larder.module-definition';
// CacheModule.register()/registerAsync(): @nestjs/cache-manager's option names and types.
export type {
  CacheManagerStore,
  CacheOptionsFactory,
  CacheRegisterAsyncOptions,
  CacheRegisterAsyncOptions as CacheModuleAsyncOptions,
  CacheRegisterModuleOptions,
  CacheRegisterModuleOptions as CacheModuleOptions,
  CacheRegisterOptions,
} from './cache-manager-options';
export {
  CACHE_MANAGER,
  LARDER_CACHE_STORE,
  LARDER_LEADERBOARD_STORE,
  LARDER_LOCK_STORE,
  LARDER_RATE_LIMIT_STORE,
  LARDER_RATE_LIMIT_USER,
  LARDER_REDIS,
  LARDER_SESSION_STORE,
} from './larder.constants';
export * from './errors';
export type { Duration, DurationUnit } from './common/duration';
export { parseDuration } from './common/duration';
export type { LarderModuleOptions } from './larder-options';
export type { MemoryTierOptions } from './cache/cache-options';
export type { RedisClusterConfig, RedisConnectionOption } from './redis/redis-options';
export type { CircuitBreakerModuleOptions } from './redis/breaker-options';
export type { BreakerSnapshot, BreakerState, BreakerTransition } from './redis/circuit-breaker';
export { jsonSerializer, type Serializer } from './common/serializer';
export {
  PROBLEM_CONTENT_TYPE,
  ProblemException,
  UnavailableException,
  type ProblemDetails,
} from './common/problem-details';
export { LarderExceptionFilter, larderProblem } from './common/larder-exception.filter';
export { CacheService } from './cache/cache.service';
export { CacheScope } from './cache/cache-scope';
export type { CacheEntry, CacheSetOptions, GetOrSetOptions } from './cache/cache-call-options';
export type { CompressionOptions } from './cache/compression/compression-options';
export type { CompressionAlgorithm, CompressionCodec } from './cache/compression/compression-codecs';
export type { ByteSize } from './common/byte-size';
export type { WarmEntry, WarmOptions, WarmReport } from './cache/cache-warmer';
export type {
  LoadLockOptions,
  LoaderTimeouts,
  ResilienceOptions,
} from './cache/resilience/resilience-options';
export type { LockFallbackReason } from './cache/resilience/shared-load';
export type { Loader, LoaderContext } from './cache/resilience/resilient-load';
export type { StaleReason } from './cache/resilience/fail-safe';
export { IoredisKeyvStore } from './cache/stores/ioredis-keyv.store';
export type { CacheStore, Removal } from './cache/stores/cache-store';
export type {
  CacheEventBase,
  CacheEventListener,
  CacheEventMap,
  CacheEventName,
  CacheTier,
} from './cache/cache-events';
export type { CacheStats } from './cache/cache-stats';
export type { StoreStats, StoreStatsOptions } from './cache/store-stats';
export type { RedisCoordinator } from './redis/redis-coordinator';
// Locks
export { LockService, type HeldLock } from './lock/lock.service';
export { Lock } from './lock/lock-handle';
export type { LockStore } from './lock/lock-store';
export type { AcquireOptions, LockModuleOptions } from './lock/lock-options';
export type {
  LockEventBase,
  LockEventListener,
  LockEventMap,
  LockEventName,
  LockLostReason,
} from './lock/lock-events';
// Rate limits
export { RateLimitService } from './rate-limit/rate-limit.service';
export { RateLimitGuard } from './rate-limit/rate-limit.guard';
export type { RateLimitUserResolver } from './rate-limit/client-key';
export { RateLimit, SkipRateLimit, type RateLimitDecorator } from './rate-limit/rate-limit.decorators';
export {
  RateLimitExceededException,
  RateLimitUnavailableException,
} from './rate-limit/rate-limit.exceptions';
export type {
  RateLimitAlgorithm,
  RateLimitBy,
  RateLimitCheck,
  RateLimitDecision,
  RateLimitKeyFn,
  RateLimitResult,
  RateLimitRule,
  ResolvedRateLimitRule,
} from './rate-limit/rate-limit.types';
export type { RateLimitModuleOptions } from './rate-limit/rate-limit-options';
export type {
  RateLimitRuleOutcome,
  RateLimitStore,
  RateLimitStoreCheck,
  RateLimitStoreOutcome,
} from './rate-limit/rate-limit-store';
export type { RateLimitRuleKeys } from './rate-limit/rate-limit-keys';
export type {
  RateLimitAllowedEvent,
  RateLimitBlockedEvent,
  RateLimitDegradedEvent,
  RateLimitEventListener,
  RateLimitEventMap,
  RateLimitEventName,
} from './rate-limit/rate-limit-events';
// Method caching decorators
export { Cacheable } from './cache/decorators/cacheable.decorator';
export { CacheEvict } from './cache/decorators/cache-evict.decorator';
export { CachePut } from './cache/decorators/cache-put.decorator';
export type {
  CacheableOptions,
  CacheEvictOptions,
  CacheKeySource,
  CachePutOptions,
} from './cache/decorators/decorator-options';
// Sessions
export { SessionService } from './session/session.service';
export { SessionGuard, SESSION_REQUEST_PROPERTY, type SessionRequest } from './session/session.guard';
export { SessionUnavailableException } from './session/session.exceptions';
export { CurrentSession } from './session/current-session.decorator';
export type {
  CreatedSession,
  CreateSessionOptions,
  RotateSessionOptions,
  Session,
  SessionData,
  SessionPatch,
  SessionSummary,
} from './session/session.types';
export type { SessionCookieOptions, SessionModuleOptions, SessionSameSite } from './session/session-options';
export type { IncomingHeaders } from './session/http/session-cookie';
export type { CookieResponse } from './session/http/set-cookie';
export type {
  DataMerge,
  SessionStore,
  SessionWrite,
  SessionWriteResult,
  StoredSession,
} from './session/session-store';
export type {
  SessionEndReason,
  SessionEventListener,
  SessionEventMap,
  SessionEventName,
} from './session/session-events';
// Leaderboards
export { LeaderboardService } from './leaderboard/leaderboard.service';
export { Leaderboard, type LeaderboardAddOptions } from './leaderboard/leaderboard';
export type { BoardOptions, LeaderboardModuleOptions } from './leaderboard/leaderboard-options';
export type {
  BoardRef,
  LeaderboardEntry,
  LeaderboardOrder,
  LeaderboardStore,
} from './leaderboard/leaderboard-store';
// Health and metrics
export { LarderHealthIndicator } from './health/larder-health.indicator';
export type {
  LarderConnectionHealth,
  LarderHealthCheckOptions,
  LarderHealthDetails,
} from './health/larder-health.indicator';
export type { LarderMasterHealth } from './health/cluster-masters';
export { LarderMetrics } from './metrics/larder-metrics.service';
export { DEFAULT_DURATION_BUCKETS, type MetricsModuleOptions } from './metrics/metrics-options';
export { LARDER_METRICS, type LarderMetricKey } from './metrics/metric-names';
// The live console
export { LarderConsole } from './console/larder-console.service';
export { LarderLensBridge, type LensCacheEntry } from './console/lens-bridge';
export type {
  ConsoleGuard,
  ConsoleGuardFunction,
  ConsoleGuardObject,
  ConsoleModuleOptions,
} from './console/console-options';
export type { ConsoleEvent, ConsoleEventType } from './console/console-event';
export type { ConsoleBreakerHook, ConsoleState } from './console/console-snapshot';
export type { SeriesPoint } from './console/console-feed';
export type { SseClientStats as ConsoleClientStats } from './console/sse-client';
// OpenTelemetry tracing
export { DEFAULT_TRACER_NAME, type TracingModuleOptions } from './tracing/tracing-options';
