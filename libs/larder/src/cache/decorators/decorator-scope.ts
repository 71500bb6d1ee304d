import { CacheScope } from '../cache-scope';
import type { LoadPolicy } from '../resilience/resilience-options';
import type { Loader } from '../resilience/resilient-load';

/**
 * A CacheScope with the single-flight `getOrSet` machinery exposed with a caller-supplied store
 * step. The decorators need it because their store step decides per result (`unless`, tags computed
 * from the result) and must never fail the call (a value the serializer refuses is logged, not
 * thrown), which the public `getOrSet` options cannot express. Loads stay shared with plain
 * `getOrSet` callers of the same key, and hits go through the same L1 path, events and stats.
 */
export class DecoratorScope extends CacheScope {
  /** The same key space as `scope` (CacheService or one of its namespaces). */
  static of(scope: CacheScope): DecoratorScope {
    if (scope instanceof DecoratorScope) return scope;
    const inner = scope as DecoratorScope;
    return new DecoratorScope(inner.core, inner.scope);
  }

  /**
   * The cached value, or `loader()`'s result after `store(result)` (skipped for `undefined`).
   * Rejects only with the loader's own error; `key` must already be checked. `ttl` (ms; unset:
   * the module's `defaultTtl`) is the one `store` writes with, for refresh-ahead to count from.
   */
  load<T>(
    key: string,
    loader: Loader<T>,
    store: (value: T) => Promise<void>,
    policy: LoadPolicy,
    ttl: number | undefined,
  ): Promise<T> {
    return this.readThrough.getOrSet(key, loader, store, policy, ttl ?? this.core.options.defaultTtl);
  }

  /** The module's `resilience` defaults, which a decorator's own fields override. */
  get resilienceDefaults(): LoadPolicy {
    return this.core.options.resilience;
  }

  override namespace(prefix: string): DecoratorScope {
    return DecoratorScope.of(super.namespace(prefix));
  }
}
