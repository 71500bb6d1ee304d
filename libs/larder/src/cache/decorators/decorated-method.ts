import { InvalidDecoratorUsageError } from '../../errors';
import { CACHE_EVICT_METADATA, CACHE_PUT_METADATA, CACHEABLE_METADATA } from '../../larder.constants';
import type { EvictPlan, WritePlan } from './cache-plan';

/** What the caching decorators recorded on one method function. */
export interface MethodPlans {
  cacheable?: WritePlan;
  puts: WritePlan[];
  evicts: EvictPlan[];
}

/**
 * Checks where a caching decorator was applied and returns `Class.method` for messages. Only
 * instance methods can be wrapped: the explorer wraps methods of provider and controller instances.
 * @throws InvalidDecoratorUsageError on a static method, a property or an accessor
 */
export function decoratedMethod(
  decorator: string,
  target: object,
  propertyKey: string | symbol,
  descriptor: PropertyDescriptor | undefined,
): { where: string; fn: object } {
  const isStatic = typeof target === 'function';
  const className = isStatic ? (target as { name: string }).name : target.constructor.name;
  const where = `${className}.${String(propertyKey)}`;
  if (isStatic) {
    throw new InvalidDecoratorUsageError(
      `${decorator} on static method ${where}: only instance methods of providers and controllers can be cached.`,
    );
  }
  if (typeof descriptor?.value !== 'function') {
    throw new InvalidDecoratorUsageError(
      `${decorator} on ${where}: it applies to methods, not to properties or accessors.`,
    );
  }
  return { where, fn: descriptor.value as object };
}

/** The plans recorded on a method function, or `undefined` when it carries no caching decorator. */
export function readPlans(fn: object): MethodPlans | undefined {
  const cacheable = Reflect.getMetadata(CACHEABLE_METADATA, fn) as WritePlan | undefined;
  const puts = Reflect.getMetadata(CACHE_PUT_METADATA, fn) as WritePlan[] | undefined;
  const evicts = Reflect.getMetadata(CACHE_EVICT_METADATA, fn) as EvictPlan[] | undefined;
  if (!cacheable && !puts && !evicts) return undefined;
  return { cacheable, puts: puts ?? [], evicts: evicts ?? [] };
}

/** Refuses `@Cacheable` together with `@CachePut`: one says "skip the method on a hit", the other "always run it". */
export function assertCompatible(fn: object, where: string): void {
  if (Reflect.hasOwnMetadata(CACHEABLE_METADATA, fn) && Reflect.hasOwnMetadata(CACHE_PUT_METADATA, fn)) {
    throw new InvalidDecoratorUsageError(
      `@Cacheable and @CachePut on the same method ${where}: @Cacheable skips the method on a hit, @CachePut always runs it. Keep one.`,
    );
  }
}
