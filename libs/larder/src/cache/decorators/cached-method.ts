import type { MethodPlans } from './decorated-method';
import { EvictStep, type PreparedEviction } from './evict-step';
import type { MethodContext } from './method-context';
import { WriteStep, type WriteTarget } from './write-step';

/** The method being wrapped, called with the instance as `this`. */
export type MethodFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Builds the function that replaces a decorated method on one instance. The order of a call is:
 * `beforeInvocation` evictions, then the method (through the cache for `@Cacheable`), then
 * `@CachePut` writes, then the other evictions (only when the method or the cache read succeeded).
 * The method's own errors reach the caller as they were thrown; cache failures are reported and
 * never change the outcome. A method with only `@Cacheable` gets a lean wrapper that returns the
 * cache's promise directly, so a warm hit costs one L1 lookup more than the method's own call.
 */
export function buildCachedMethod(
  original: MethodFunction,
  plans: MethodPlans,
  ctx: MethodContext,
): MethodFunction {
  const cacheable = plans.cacheable ? new WriteStep(plans.cacheable, ctx) : undefined;
  const puts = plans.puts.map((plan) => new WriteStep(plan, ctx));
  const evicts = plans.evicts.map((plan) => new EvictStep(plan, ctx));

  const call = cacheable ? cachedCall(original, cacheable) : original;
  if (puts.length === 0 && evicts.length === 0) return call;

  return async function cachedMethod(this: unknown, ...args: unknown[]): Promise<unknown> {
    // Resolve every key first: a bad key fails the call before anything ran or was evicted.
    const before: PreparedEviction[] = [];
    const after: PreparedEviction[] = [];
    for (const step of evicts) {
      const eviction = step.prepare(args);
      if (eviction) (step.beforeInvocation ? before : after).push(eviction);
    }
    const writes: Array<[WriteStep, WriteTarget]> = [];
    for (const step of puts) if (!step.skips(args)) writes.push([step, step.target(args)]);

    if (before.length > 0) await Promise.all(before.map((evict) => evict()));
    const result = await call.apply(this, args);
    if (writes.length > 0)
      await Promise.all(writes.map(([step, target]) => step.store(target, args, result)));
    if (after.length > 0) await Promise.all(after.map((evict) => evict()));
    return result;
  };
}

/** `@Cacheable`: the cached value, or the method run once per key (single-flight) and its result stored. */
function cachedCall(original: MethodFunction, step: WriteStep): MethodFunction {
  return function cacheableMethod(this: unknown, ...args: unknown[]): unknown {
    let target: { scope: WriteTarget['scope']; key: string };
    try {
      if (step.skips(args)) return original.apply(this, args);
      target = { scope: step.scope(args), key: step.key(args) };
    } catch (error) {
      return Promise.reject(error);
    }
    let tags: string[] | undefined;
    const load = () => {
      // Tag templates only matter when storing; resolve them before the method runs.
      tags = step.templateTags(args);
      return original.apply(this, args);
    };
    const store = (value: unknown) => step.store({ ...target, tags }, args, value);
    const policy = step.policyOver(target.scope.resilienceDefaults);
    return target.scope.load(target.key, load, store, policy, step.plan.ttl);
  };
}
