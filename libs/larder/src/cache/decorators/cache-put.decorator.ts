import 'reflect-metadata';
import { CACHE_PUT_METADATA } from '../../larder.constants';
import { writePlan, type WritePlan } from './cache-plan';
import { assertCompatible, decoratedMethod } from './decorated-method';
import type { CachePutOptions } from './decorator-options';

/**
 * Write-through: the method always runs, then what it resolves to is stored under `key` (unless
 * it is `undefined`, `condition` is false or `unless` is true), so later `@Cacheable` reads of
 * that key see it. Several `@CachePut` on one method write several entries.
 *
 * @example
 * @CachePut({ key: 'user:{0}', ttl: '5m', tags: ['user:{0}'] })
 * async rename(id: string, name: string): Promise<User> {
 *   return this.db.users.update(id, { name });
 * }
 */
export function CachePut<R = never, A extends readonly unknown[] = never[]>(
  options: CachePutOptions<R, A>,
): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const { where, fn } = decoratedMethod('@CachePut', target, propertyKey, descriptor);
    const plan = writePlan('@CachePut', options, where);
    // Decorators apply bottom-up; prepending keeps the order in which they are written.
    const existing = (Reflect.getOwnMetadata(CACHE_PUT_METADATA, fn) as WritePlan[] | undefined) ?? [];
    Reflect.defineMetadata(CACHE_PUT_METADATA, [plan, ...existing], fn);
    assertCompatible(fn, where);
  };
}
