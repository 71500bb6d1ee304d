import type { MethodFunction } from './cached-method';

/** The decorated method a hook is wrapping. */
export interface DecoratedCall {
  /** `Class.method`. */
  where: string;
  /** Its Larder decorators, e.g. `['Cacheable']` or `['CachePut', 'CacheEvict']`. */
  decorators: string[];
}

/**
 * Wraps the finished wrapper of a decorated method (`LARDER_DECORATED_CALLS`), so an observing
 * layer above the cache (tracing) can surround each call without the cache importing it. The
 * explorer calls it once per method at start-up; nothing wraps when no hook is provided or it
 * returns `fn` itself.
 */
export interface DecoratedCallHook {
  wrapDecorated(fn: MethodFunction, call: DecoratedCall): MethodFunction;
}
