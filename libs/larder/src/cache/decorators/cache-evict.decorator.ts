import 'reflect-metadata';
import { CACHE_EVICT_METADATA } from '../../larder.constants';
import { evictPlan, type EvictPlan } from './cache-plan';
import { decoratedMethod } from './decorated-method';
import type { CacheEvictOptions } from './decorator-options';

/**
 * Removes a key, every entry carrying some tags, or a whole namespace (`allEntries`) when the
 * method succeeds; with `beforeInvocation: true`, before it runs, even if it then throws. Several
 * `@CacheEvict` on one method all apply. An eviction that fails (Redis down) is logged and never
 * changes what the method returns or throws.
 *
 * @example
 * @CacheEvict({ key: 'user:{0}' })
 * @CacheEvict({ tags: ['user:{0}:orders'] })
 * async updateUser(id: string, patch: Partial<User>): Promise<void> {
 *   await this.db.users.update(id, patch);
 * }
 */
export function CacheEvict<A extends readonly unknown[] = never[]>(
  options: CacheEvictOptions<A>,
): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const { where, fn } = decoratedMethod('@CacheEvict', target, propertyKey, descriptor);
    const plan = evictPlan(options, where);
    const existing = (Reflect.getOwnMetadata(CACHE_EVICT_METADATA, fn) as EvictPlan[] | undefined) ?? [];
    Reflect.defineMetadata(CACHE_EVICT_METADATA, [plan, ...existing], fn);
  };
}
