import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Patch } from '@nestjs/common';
import { CacheService } from '@larder/nestjs';
import { IdParams } from '../shared/id-params.dto';
import type { Product } from './product.repository';
import { ProductsService } from './products.service';

/** Products: cached reads (@Cacheable), tag eviction on update and delete (@CacheEvict). */
@Controller('products')
export class ProductsController {
  constructor(
    private readonly products: ProductsService,
    private readonly cache: CacheService,
  ) {}

  @Get()
  list(): Promise<Product[]> {
    return this.products.list();
  }

  @Get('stats')
  stats() {
    return { databaseReads: this.products.databaseReads, cache: this.cache.stats() };
  }

  @Get(':id')
  async one(@Param() { id }: IdParams): Promise<Product> {
    const product = await this.products.find(id);
    if (!product) throw new NotFoundException(`No product ${id}`);
    return product;
  }

  @Patch(':id')
  async update(
    @Param() { id }: IdParams,
    @Body() patch: { name?: string; price?: number },
  ): Promise<Product> {
    const product = await this.products.update(id, patch);
    if (!product) throw new NotFoundException(`No product ${id}`);
    return product;
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param() { id }: IdParams): Promise<void> {
    if (!(await this.products.remove(id))) throw new NotFoundException(`No product ${id}`);
  }
}
