import type { CacheEventMap, CacheEventName } from '../cache/cache-events';
import type { CacheScope } from '../cache/cache-scope';
import type { CacheService } from '../cache/cache.service';
import type { MethodFunction } from '../cache/decorators/cached-method';
import type { DecoratedCall } from '../cache/decorators/decorated-call-hook';
import type { Loader } from '../cache/resilience/resilient-load';
import type { LarderTracer, SpanAttributes } from './larder-tracer';

/**
 * Puts spans around a cache scope's `get`, `set`, `del` and `getOrSet` (its loader a child span
 * `larder.cache.loader`) and its batch and group calls (see traceBatches) by giving the instance
 * its own methods; the scopes its `namespace()` returns are traced the same way. The classes stay
 * untouched: with tracing off nothing wraps.
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
  traceBatches(traced, tracer);
  return scope;
}

/**
 * A `larder.cache.method` span around each call of a `@Cacheable` / `@CachePut` / `@CacheEvict`
 * method: the decorators go through the cache's internals, not its traced public methods, so
 * without it they would have no span. It says which method (`code.function.name`, code, not data)
 * and which decorators; the cache events mark it hit or miss like a getOrSet. The method's own
 * work (what it traces, the Redis commands of its reads and writes) nests under it.
 */
export function traceDecorated(
  fn: MethodFunction,
  call: DecoratedCall,
  tracer: LarderTracer,
): MethodFunction {
  const attributes: SpanAttributes = {
    'code.function.name': call.where,
    'larder.decorators': call.decorators,
  };
  return function tracedMethod(this: unknown, ...args: unknown[]): Promise<unknown> {
    return tracer.run('cache.method', attributes, () => Promise.resolve(fn.apply(this, args)));
  };
}

/** Spans of batch calls: one key's hit or miss would misdescribe them, so events do not mark them. */
const batchSpans = new WeakSet<object>();

const size = (items: unknown): SpanAttributes => ({
  'larder.batch.size': Array.isArray(items) ? items.length : 0,
});

/**
 * Spans around `getMany`, `setMany`, `delMany` (with `larder.batch.size`), `invalidateTags` and
 * `clear` (with `larder.removed`, the entries removed) and `warm` (with what it loaded, skipped
 * and failed). Keys and tags are never recorded here: a batch's keys would be an unbounded list.
 */
function traceBatches(scope: CacheScope, tracer: LarderTracer): void {
  const { getMany, setMany, delMany, invalidateTags, clear, warm } = scope;
  const removed = (count: number) => ({ 'larder.removed': count });
  scope.getMany = <T>(keys: string[]) =>
    tracer.run('cache.getMany', size(keys), () => {
      const span = tracer.current();
      if (span) batchSpans.add(span);
      return getMany.call(scope, keys) as Promise<Array<T | undefined>>;
    });
  scope.setMany = (entries) => tracer.run('cache.setMany', size(entries), () => setMany.call(scope, entries));
  scope.delMany = (keys) => tracer.run('cache.delMany', size(keys), () => delMany.call(scope, keys));
  scope.invalidateTags = (tags) =>
    tracer.run('cache.invalidateTags', size(tags), () => invalidateTags.call(scope, tags), removed);
  scope.clear = () => tracer.run('cache.clear', undefined, () => clear.call(scope), removed);
  scope.warm = (entries, options) =>
    tracer.run(
      'cache.warm',
      size(entries),
      () => warm.call(scope, entries, options),
      (report) => ({
        'larder.warm.loaded': report.loaded,
        'larder.warm.skipped': report.skipped,
        'larder.warm.failed': report.failed.length,
      }),
    );
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
      if (!span || batchSpans.has(span)) return;
      span.setAttribute('larder.hit', true);
      span.setAttribute('larder.tier', e.tier);
      scoped(span, e);
    },
    miss: (e) => {
      const span = tracer.current();
      if (!span || batchSpans.has(span)) return;
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
