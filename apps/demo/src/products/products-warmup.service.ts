import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CacheService, type WarmEntry } from '@larder/nestjs';
import { ProductRepository } from './product.repository';

/** The products most people open first, loaded into the cache before traffic arrives. */
export const POPULAR_PRODUCTS = ['1', '2'];

/**
 * Cache warm-up at boot with `cache.warm`: the entries ProductsService's @Cacheable methods read
 * (same keys, ttls and tags), loaded from the repository two at a time. Entries another instance
 * already warmed are left alone, and one product failing to load never stops the boot.
 */
@Injectable()
export class ProductsWarmup implements OnApplicationBootstrap {
  private readonly logger = new Logger('ProductsWarmup');

  constructor(
    private readonly cache: CacheService,
    private readonly products: ProductRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const entries: WarmEntry[] = [
      ...POPULAR_PRODUCTS.map((id) => ({
        key: `product:${id}`,
        // A missing product is not cached, as ProductsService.find's `unless` says.
        load: async () => (await this.products.find(id)) ?? undefined,
        ttl: '5m' as const,
        tags: ['products', `product:${id}`],
      })),
      { key: 'products:all', load: () => this.products.all(), ttl: '1m', tags: ['products'] },
    ];
    const { loaded, skipped, failed } = await this.cache.warm(entries, {
      concurrency: 2,
      skipIfPresent: true,
    });
    for (const { key, error } of failed) this.logger.warn(`could not warm ${key}: ${String(error)}`);
    this.logger.log(`warmed ${loaded} entries (${skipped} already there, ${failed.length} failed)`);
  }
}
