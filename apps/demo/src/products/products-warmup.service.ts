import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ProductsService } from './products.service';

/** The products most people open first, loaded into the cache before traffic arrives. */
export const POPULAR_PRODUCTS = ['1', '2'];

/** Cache warm-up at boot: runs after every module has initialised, so the decorators are in place. */
@Injectable()
export class ProductsWarmup implements OnApplicationBootstrap {
  private readonly logger = new Logger('ProductsWarmup');

  constructor(private readonly products: ProductsService) {}

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(POPULAR_PRODUCTS.map((id) => this.products.find(id)));
    await this.products.list();
    this.logger.log(`warmed ${POPULAR_PRODUCTS.length} popular products and the product list`);
  }
}
