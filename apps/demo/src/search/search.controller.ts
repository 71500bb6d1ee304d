import { Controller, Get, Query } from '@nestjs/common';
import { RateLimit, RateLimitGuard } from '@larder/nestjs';
import { UseGuards } from '@nestjs/common';

const CATALOG = ['espresso beans', 'pour-over kettle', 'burr grinder', 'milk jug', 'scale'];

/** An IP-limited endpoint: 5 searches per 10 seconds per client ip, plus 100 per hour. */
@Controller('search')
@UseGuards(RateLimitGuard)
export class SearchController {
  @Get()
  @RateLimit([
    { name: 'search-burst', limit: 5, window: '10s' },
    { name: 'search-hourly', limit: 100, window: '1h' },
  ])
  search(@Query('q') q = '') {
    const term = q.toLowerCase();
    return { q, results: CATALOG.filter((item) => item.includes(term)) };
  }
}
