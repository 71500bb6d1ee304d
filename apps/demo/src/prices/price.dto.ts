import { IsIn, Matches } from 'class-validator';
import type { DatabaseMode } from './price-database';

/** `:sku` of a price. */
export class PriceParams {
  @Matches(/^[a-z0-9-]{1,32}$/, { message: 'skus are 1-32 of a-z, 0-9 and -' })
  sku!: string;
}

/** The body of `PUT /prices/database`. */
export class DatabaseModeBody {
  @IsIn(['ok', 'failing', 'slow'], { message: 'mode must be ok, failing or slow' })
  mode!: DatabaseMode;
}
