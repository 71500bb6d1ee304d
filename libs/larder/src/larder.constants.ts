/**
 * Every injection token and metadata key Larder defines, in one place and namespaced 'LARDER:*'
 * so they never collide with the application's own.
 */

/** The cache-manager `Cache` token used by @nestjs/cache-manager; Larder provides the same token. */
export const CACHE_MANAGER = 'CACHE_MANAGER';

/** Validated, normalised options (`ResolvedLarderOptions`). */
export const LARDER_RESOLVED_OPTIONS = Symbol.for('LARDER:RESOLVED_OPTIONS');
/** The coordination connection (`RedisCoordinator`), or `null` on the in-memory setup. */
export const LARDER_REDIS = Symbol.for('LARDER:REDIS');
/** Where cache values and their tags live (`CacheStore`). */
export const LARDER_CACHE_STORE = Symbol.for('LARDER:VALUE_BACKEND');

export const CACHEABLE_METADATA = 'LARDER:CACHEABLE';
export const CACHE_EVICT_METADATA = 'LARDER:CACHE_EVICT';
export const CACHE_PUT_METADATA = 'LARDER:CACHE_PUT';
export const RATE_LIMIT_METADATA = 'LARDER:RATE_LIMIT';
export const SKIP_RATE_LIMIT_METADATA = 'LARDER:SKIP_RATE_LIMIT';
