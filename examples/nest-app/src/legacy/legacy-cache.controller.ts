import { Body, Controller, Get, Inject, NotFoundException, Param, Put } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { CACHE_MANAGER } from '@larder/nestjs';

/**
 * Code written for @nestjs/cache-manager, unchanged but for the import of CACHE_MANAGER: the
 * cache-manager `Cache` it gets reads and writes the same store as CacheService.
 */
@Controller('legacy')
export class LegacyCacheController {
  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  @Put(':key')
  async put(@Param('key') key: string, @Body() body: { value?: unknown }): Promise<{ stored: string }> {
    await this.cache.set(key, body?.value, 60_000);
    return { stored: key };
  }

  @Get(':key')
  async get(@Param('key') key: string): Promise<{ key: string; value: unknown }> {
    const value = await this.cache.get(key);
    if (value === undefined) throw new NotFoundException(`Nothing cached under ${key}`);
    return { key, value };
  }
}
