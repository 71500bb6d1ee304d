import type { CacheEventMap, CacheEventName } from '../cache/cache-events';
import type { CacheScope } from '../cache/cache-scope';
import type { CacheService } from '../cache/cache.service';
import type { Loader } from '../cache/resilience/resilient-load';
import type { LarderTracer } from './larder-tracer';

/**
 * Puts spans around a cache scope's `get`, `set`, `del` and `getOrSet` (its loader a child span
 * `larder.cache.loader`) by giving the instance its own methods; the scopes its `namespace()`
 * returns are traced the same way. The classes stay untouched: with tracing off nothing wraps.
 */
export function traceScope<S extends CacheScope>(scope: S, tracer: LarderTracer): S {
  const { get, set, del, getOrSet, namespace } = scope;
  const traced = scope as CacheScope;
  traced.get = <T>(key: string) =>
    tracer.run('cache.get', tracer.key(key), () => get.call(scope, key) as Promise<T | undefined>);
  traced.set = (key, value, ttlOrOptions) =>
    tracer.run('cache.set', tracer.key(key), () => set.call(scope, key, value, ttlOrOptions));
  traced.del = (key) => tracer.run('cache.del', tracer.key(key), () => del.call(scope, key));
  traced.getOrSet = <T>(key: string, loader: Loader<T>, options?: Parameters<CacheScope['getOrSet']>[2]) => {
    const load: Loader<T> =
      typeof loader === 'function'
        ? (args) => tracer.run('cache.loader', undefined, async () => loader(args))
        : loader;
    return tracer.run(
      'cache.getOrSet',
      tracer.key(key),
      () => getOrSet.call(scope, key, load, options) as Promise<T>,
    );
  };
  traced.namespace = (prefix) => traceScope(namespace.call(scope, prefix), tracer);
  return scope;
}

/**
 * What a call's cache events tell its span: a hit and its tier, a miss, a stale value served, a
 * store failure it failed open on (`larder.degraded`), and, when keys are recorded, the scope.
 * Returns the unsubscribe.
 */
export function annotateFromCacheEvents(cache: CacheService, tracer: LarderTracer): () => void {
  const scoped = (span: NonNullable<ReturnType<LarderTracer['current']>>, e: { namespace: string }) => {
    if (tracer.options.keys && e.namespace) span.setAttribute('larder.scope', e.namespace);
  };
  const listeners: { [E in CacheEventName]?: (event: CacheEventMap[E]) => void } = {
    hit: (e) => {
      const span = tracer.current();
      if (!span) return;
      span.setAttribute('larder.hit', true);
      span.setAttribute('larder.tier', e.tier);
      scoped(span, e);
    },
    miss: (e) => {
      const span = tracer.current();
      if (!span) return;
      span.setAttribute('larder.hit', false);
      scoped(span, e);
    },
    stale: (e) => {
      const span = tracer.current();
      if (!span) return;
      span.setAttribute('larder.stale', true);
      span.setAttribute('larder.stale.reason', e.reason);
    },
    error: (e) => {
      const span = tracer.current();
      if (span) tracer.degraded(span, e.error);
    },
    write: (e) => {
      const span = tracer.current();
      if (span) scoped(span, e);
    },
    delete: (e) => {
      const span = tracer.current();
      if (span) scoped(span, e);
    },
  };
  const names = Object.keys(listeners) as CacheEventName[];
  for (const name of names) cache.on(name, listeners[name] as never);
  return () => {
    for (const name of names) cache.off(name, listeners[name] as never);
  };
}
