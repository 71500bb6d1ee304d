import 'reflect-metadata';
import { InvalidDecoratorUsageError } from '../../errors';
import { CACHEABLE_METADATA } from '../../larder.constants';
import { writePlan } from './cache-plan';
import { assertCompatible, decoratedMethod } from './decorated-method';
import type { CacheableOptions } from './decorator-options';

/**
 * Caches what an async method resolves to. On a hit the method does not run; on a miss it runs
 * once per key in this process however many calls are waiting (single-flight), and its result is
 * stored unless it is `undefined` or `unless` says so. The method's own errors reach the caller
 * unchanged and are never cached; a cache failure never changes what the method returns.
 *
 * Metadata only: CacheModule wraps decorated methods of every provider and controller at start-up.
 *
 * @example
 * @Injectable()
 * export class UserService {
 *   @Cacheable({ key: 'user:{0}', ttl: '5m', tags: ['user:{0}'] })
 *   async findUser(id: string): Promise<User> {
 *     return this.db.users.findOne(id);
 *   }
 * }
 */
export function Cacheable<R = never, A extends readonly unknown[] = never[]>(
  options?: CacheableOptions<R, A>,
): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const { where, fn } = decoratedMethod('@Cacheable', target, propertyKey, descriptor);
    if (Reflect.hasOwnMetadata(CACHEABLE_METADATA, fn)) {
      throw new InvalidDecoratorUsageError(`@Cacheable applied twice to ${where}.`);
    }
    Reflect.defineMetadata(CACHEABLE_METADATA, writePlan('@Cacheable', options, where), fn);
    assertCompatible(fn, where);
  };
}
