/**
 * Every injection token and metadata key Larder defines, in one place and namespaced 'LARDER:*'
 * so they never collide with the application's own.
 */

/** The cache-manager `Cache` token used by @nestjs/cache-manager; Larder provides the same token. */
export const CACHE_MANAGER = 'CACHE_MANAGER';

/** The module options validated and split into slices (`LarderOptionSlices`); internal, read by the slice tokens below. */
export const LARDER_OPTION_SLICES = Symbol.for('LARDER:OPTION_SLICES');
/** The connection slice (`ConnectionOptions`). */
export const LARDER_CONNECTION_OPTIONS = Symbol.for('LARDER:CONNECTION_OPTIONS');
/** The cache slice (`CacheOptions`). */
export const LARDER_CACHE_OPTIONS = Symbol.for('LARDER:CACHE_OPTIONS');
/** The lock slice (`LockOptions`). */
export const LARDER_LOCK_OPTIONS = Symbol.for('LARDER:LOCK_OPTIONS');
/** The rate-limit slice (`RateLimitOptions`). */
export const LARDER_RATE_LIMIT_OPTIONS = Symbol.for('LARDER:RATE_LIMIT_OPTIONS');
/** The session slice (`SessionOptions`). */
export const LARDER_SESSION_OPTIONS = Symbol.for('LARDER:SESSION_OPTIONS');
/** The leaderboard slice (`LeaderboardOptions`). */
export const LARDER_LEADERBOARD_OPTIONS = Symbol.for('LARDER:LEADERBOARD_OPTIONS');
/** The metrics slice (`MetricsOptions`), `null` when metrics are off. */
export const LARDER_METRICS_OPTIONS = Symbol.for('LARDER:METRICS_OPTIONS');
/** The console slice (`ConsoleOptions`), `null` when the console is off. */
export const LARDER_CONSOLE_OPTIONS = Symbol.for('LARDER:CONSOLE_OPTIONS');
/** Whether the Lens bridge is on (`lens: true`). */
export const LARDER_LENS_OPTIONS = Symbol.for('LARDER:LENS_OPTIONS');
/** The tracing slice (`TracingOptions`), `null` when tracing is off. */
export const LARDER_TRACING_OPTIONS = Symbol.for('LARDER:TRACING_OPTIONS');
/** What wraps each call of a decorated method (`DecoratedCallHook`): tracing puts its span around it. */
export const LARDER_DECORATED_CALLS = Symbol.for('LARDER:DECORATED_CALLS');
/** The coordination connection (`RedisCoordinator`), or `null` on the in-memory setup. */
export const LARDER_REDIS = Symbol.for('LARDER:REDIS');
/** Where locks live (`LockStore`): Redis, memory, or the `lock.store` option. */
export const LARDER_LOCK_STORE = Symbol.for('LARDER:LOCK_STORE');
/** Where rate-limit counters live (`RateLimitStore`): Redis, memory, or the `rateLimit.store` option. */
export const LARDER_RATE_LIMIT_STORE = Symbol.for('LARDER:RATE_LIMIT_STORE');
/**
 * Who the request's user is for `by: 'user'` rate limits when `req.user.id` is unset
 * (`RateLimitUserResolver`): by default the user of Larder's own session.
 */
export const LARDER_RATE_LIMIT_USER = Symbol.for('LARDER:RATE_LIMIT_USER');
/** Where sessions live (`SessionStore`): Redis, memory, or the `session.store` option. */
export const LARDER_SESSION_STORE = Symbol.for('LARDER:SESSION_STORE');
/** Where leaderboards live (`LeaderboardStore`): Redis, memory, or the `leaderboard.store` option. */
export const LARDER_LEADERBOARD_STORE = Symbol.for('LARDER:LEADERBOARD_STORE');
/** The clock of the in-process stores and tiers (`LarderClock`); internal, replaced by `startLarder`'s `clock`. */
export const LARDER_CLOCK = Symbol.for('LARDER:CLOCK');
/** Where cache values and their tags live (`CacheStore`). */
export const LARDER_CACHE_STORE = Symbol.for('LARDER:VALUE_BACKEND');

export const CACHEABLE_METADATA = 'LARDER:CACHEABLE';
export const CACHE_EVICT_METADATA = 'LARDER:CACHE_EVICT';
export const CACHE_PUT_METADATA = 'LARDER:CACHE_PUT';
export const RATE_LIMIT_METADATA = 'LARDER:RATE_LIMIT';
export const SKIP_RATE_LIMIT_METADATA = 'LARDER:SKIP_RATE_LIMIT';
