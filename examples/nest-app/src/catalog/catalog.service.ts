import { Injectable, NotFoundException } from '@nestjs/common';
import { Cacheable, CacheEvict } from '@larder/nestjs';

export interface Product {
  id: string;
  name: string;
  price: number;
}

/** A plain service whose reads are cached and whose writes evict: no CacheService in sight. */
@Injectable()
export class CatalogService {
  /** How many times the "database" was read; a cache hit does not count. */
  loads = 0;

  private readonly products = new Map<string, Product>([
    ['1', { id: '1', name: 'Teapot', price: 25 }],
    ['2', { id: '2', name: 'Kettle', price: 40 }],
  ]);

  @Cacheable({ key: 'product:{0}', ttl: '1m' })
  async find(id: string): Promise<Product> {
    this.loads++;
    const product = this.products.get(id);
    if (!product) throw new NotFoundException(`No product ${id}`);
    return { ...product };
  }

  @CacheEvict({ key: 'product:{0}' })
  async setPrice(id: string, price: number): Promise<Product> {
    const product = await this.find(id);
    const updated = { ...product, price };
    this.products.set(id, updated);
    return updated;
  }
}
