import { Injectable } from '@nestjs/common';
import { Cacheable, CacheEvict } from '@larder/nestjs';
import { ProductRepository, type Product } from './product.repository';

/** Product reads memoized with @Cacheable; writes evict by tag with @CacheEvict. */
@Injectable()
export class ProductsService {
  constructor(private readonly products: ProductRepository) {}

  @Cacheable({ key: 'products:all', ttl: '1m', tags: ['products'] })
  async list(): Promise<Product[]> {
    return this.products.all();
  }

  /** A missing product is not cached (`unless`), so a product created later shows up at once. */
  @Cacheable({
    key: 'product:{0}',
    ttl: '5m',
    tags: ['products', 'product:{0}'],
    unless: (result) => result === null,
  })
  async find(id: string): Promise<Product | null> {
    return this.products.find(id);
  }

  @CacheEvict({ tags: ['product:{0}', 'products'] })
  async update(id: string, patch: { name?: string; price?: number }): Promise<Product | null> {
    return this.products.update(id, patch);
  }

  @CacheEvict({ tags: ['product:{0}', 'products'] })
  async remove(id: string): Promise<boolean> {
    return this.products.remove(id);
  }

  /** How many times the "database" was read. */
  get databaseReads(): number {
    return this.products.reads;
  }
}
