import { Inject, Injectable } from '@nestjs/common';
import { CacheCore } from './cache-core';
import { CacheScope } from './cache-scope';

/**
 * The cache: L1 (optional, in-process) in front of the value store (Redis or memory), with tags,
 * namespace scopes, single-flight `getOrSet`, atomic counters, events and stats. Reads fail open:
 * a Redis error or timeout is a miss, never a crash or a hang.
 *
 * @example
 * constructor(private readonly cache: CacheService) {}
 * findUser(id: string) {
 *   return this.cache.getOrSet(`user:${id}`, () => this.db.user(id), { ttl: '5m', tags: [`user:${id}`] });
 * }
 */
@Injectable()
export class CacheService extends CacheScope {
  constructor(@Inject(CacheCore) core: CacheCore) {
    super(core, { prefix: '', label: '' });
  }
}
