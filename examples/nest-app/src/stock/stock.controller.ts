import { Controller, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { type Lock, LockService } from '@larder/nestjs';

/**
 * Reservations take the item's lock for a moment; a stocktake holds it until it is done. While it
 * is open a reservation gets 409 from LarderExceptionFilter (503 if Redis is down), with no
 * mapping code here.
 */
@Controller('stock/:sku')
export class StockController {
  private readonly stocktakes = new Map<string, Lock>();
  private readonly counts = new Map<string, number>([['tea', 5]]);

  constructor(private readonly locks: LockService) {}

  @Post('reserve')
  @HttpCode(200)
  reserve(@Param('sku') sku: string): Promise<{ sku: string; left: number }> {
    return this.locks.withLock(`stock:${sku}`, () => {
      const left = (this.counts.get(sku) ?? 0) - 1;
      if (left < 0) throw new NotFoundException(`No ${sku} left`);
      this.counts.set(sku, left);
      return { sku, left };
    });
  }

  @Post('stocktake')
  @HttpCode(200)
  async startStocktake(@Param('sku') sku: string): Promise<{ open: true }> {
    this.stocktakes.set(sku, await this.locks.acquireOrThrow(`stock:${sku}`, { ttl: '5m' }));
    return { open: true };
  }

  @Post('stocktake/done')
  @HttpCode(204)
  async endStocktake(@Param('sku') sku: string): Promise<void> {
    await this.stocktakes.get(sku)?.release();
    this.stocktakes.delete(sku);
  }
}
