import { BadRequestException, Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { RateLimit } from '@larder/nestjs';
import { CatalogService, type Product } from './catalog.service';

@Controller()
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get('products/:id')
  async product(@Param('id') id: string): Promise<{ product: Product; loads: number }> {
    const product = await this.catalog.find(id);
    return { product, loads: this.catalog.loads };
  }

  @Put('products/:id/price')
  async setPrice(@Param('id') id: string, @Body() body: { price?: unknown }): Promise<Product> {
    if (typeof body?.price !== 'number') throw new BadRequestException('price must be a number');
    return this.catalog.setPrice(id, body.price);
  }

  /** Three searches a minute per client; the fourth gets 429 with RateLimit and Retry-After headers. */
  @Get('search')
  @RateLimit({ name: 'search', limit: 3, window: '1m' })
  search(@Query('q') q = ''): { q: string; hits: string[] } {
    return { q, hits: q ? [`${q}-1`, `${q}-2`] : [] };
  }
}
