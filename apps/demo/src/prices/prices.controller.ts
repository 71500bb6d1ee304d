import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { CacheService, type GetOrSetOptions } from '@larder/nestjs';
import { DatabaseModeBody, PriceParams } from './price.dto';
import { PriceDatabase } from './price-database';

/**
 * Resilient caching (docs/resilience.md): prices live 3s, are refreshed in the background past
 * 80 % of that, and stay an hour as a fallback. Switch the database to `failing` or `slow` and
 * the route keeps answering with the last price (its `fetchedAt` shows how old it is); only a
 * price never loaded before gets the error (503 failing, 504-style E_LOADER_TIMEOUT slow).
 */
const PRICE_CACHING: GetOrSetOptions = {
  ttl: '3s',
  grace: '1h',
  failSafeThrottle: '2s',
  timeout: { soft: '200ms', hard: '1s' },
  refreshAhead: 0.8,
};

@Controller('prices')
export class PricesController {
  constructor(
    private readonly cache: CacheService,
    private readonly database: PriceDatabase,
  ) {}

  @Put('database')
  setMode(@Body() { mode }: DatabaseModeBody) {
    this.database.mode = mode;
    return { mode, queries: this.database.queries };
  }

  @Get(':sku')
  price(@Param() { sku }: PriceParams) {
    return this.cache.getOrSet(
      `price:${sku}`,
      ({ signal }) => this.database.price(sku, signal),
      PRICE_CACHING,
    );
  }
}
