import { Controller, Delete, Get, Param } from '@nestjs/common';
import { CacheService } from '@larder/nestjs';
import { IdParams } from '../shared/id-params.dto';
import { slowly } from '../shared/slowly';

/** Per-user cache scopes: everything cached for a user lives under `user:<id>:` and goes with one clear(). */
@Controller('users')
export class UsersController {
  constructor(private readonly cache: CacheService) {}

  @Get(':id/profile')
  profile(@Param() { id }: IdParams) {
    return this.cache
      .namespace(`user:${id}`)
      .getOrSet('profile', () => slowly({ id, name: `User ${id}`, loadedAt: new Date().toISOString() }), {
        ttl: '10m',
      });
  }

  @Get(':id/recommendations')
  recommendations(@Param() { id }: IdParams) {
    return this.cache
      .namespace(`user:${id}`)
      .getOrSet(
        'recommendations',
        () => slowly({ id, items: ['1', '3'], loadedAt: new Date().toISOString() }),
        {
          ttl: '10m',
        },
      );
  }

  /** "Delete all of this user's cache": one scoped clear (SCAN + UNLINK of `user:<id>:*` only). */
  @Delete(':id/cache')
  async forget(@Param() { id }: IdParams) {
    return { removed: await this.cache.namespace(`user:${id}`).clear() };
  }
}
