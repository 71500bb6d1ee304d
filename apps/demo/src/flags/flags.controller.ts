import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { CacheService } from '@larder/nestjs';
import { FlagParams, SetFlagBody } from './flag.dto';

/** Feature flags kept in the cache (no expiry): every instance sees a change at once. */
@Controller('flags')
export class FlagsController {
  constructor(private readonly cache: CacheService) {}

  @Get(':name')
  async get(@Param() { name }: FlagParams) {
    return { name, enabled: (await this.cache.get<boolean>(`flag:${name}`)) ?? false };
  }

  @Put(':name')
  async set(@Param() { name }: FlagParams, @Body() { enabled }: SetFlagBody) {
    await this.cache.set(`flag:${name}`, enabled, 0);
    return { name, enabled };
  }
}
