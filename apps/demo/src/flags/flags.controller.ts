import { BadRequestException, Body, Controller, Get, Param, Put } from '@nestjs/common';
import { CacheService } from '@larder/nestjs';

const FLAG_NAME = /^[a-z0-9-]{1,64}$/;

/** Feature flags kept in the cache (no expiry): every instance sees a change at once. */
@Controller('flags')
export class FlagsController {
  constructor(private readonly cache: CacheService) {}

  @Get(':name')
  async get(@Param('name') name: string) {
    this.check(name);
    return { name, enabled: (await this.cache.get<boolean>(`flag:${name}`)) ?? false };
  }

  @Put(':name')
  async set(@Param('name') name: string, @Body() body: { enabled?: unknown }) {
    this.check(name);
    if (typeof body?.enabled !== 'boolean')
      throw new BadRequestException('body must be { "enabled": true | false }');
    await this.cache.set(`flag:${name}`, body.enabled, 0);
    return { name, enabled: body.enabled };
  }

  private check(name: string): void {
    if (!FLAG_NAME.test(name)) throw new BadRequestException('flag names are 1-64 of a-z, 0-9 and -');
  }
}
