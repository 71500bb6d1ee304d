import { Controller, Get, Query } from '@nestjs/common';
import { CacheService } from '@larder/nestjs';
import { CacheEventsService } from './cache-events.service';

/** The cache, live: recent hit/miss/write/delete/clear events and the counters. */
@Controller('cache')
export class CacheEventsController {
  constructor(
    private readonly events: CacheEventsService,
    private readonly cache: CacheService,
  ) {}

  @Get('events')
  list(@Query('limit') limit = '50') {
    return this.events.list(Math.min(100, Math.max(1, Number(limit) || 50)));
  }

  @Get('stats')
  stats() {
    return this.cache.stats();
  }
}
