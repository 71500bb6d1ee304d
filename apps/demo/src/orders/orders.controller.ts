import { Controller, HttpCode, Param, Post, Query } from '@nestjs/common';
import { LockService } from '@larder/nestjs';
import { IdParams } from '../shared/id-params.dto';
import { slowly } from '../shared/slowly';
import { CheckoutQuery } from './checkout-query.dto';

/**
 * Checkout under a distributed lock: one checkout per order at a time across every instance.
 * A second request while the first holds the lock gets 409 (LarderExceptionFilter). The fence
 * token is what the "payment provider" would check to refuse a stale holder.
 */
@Controller('orders')
export class OrdersController {
  private checkouts = 0;

  constructor(private readonly locks: LockService) {}

  @Post(':id/checkout')
  @HttpCode(200)
  async checkout(@Param() { id }: IdParams, @Query() { holdMs: hold = 300 }: CheckoutQuery) {
    return this.locks.withLock(
      `order:${id}`,
      async (lock) => {
        await slowly(undefined, hold); // the critical section: charge, reserve stock, ...
        this.checkouts++;
        return { orderId: id, fence: lock.fence, checkouts: this.checkouts };
      },
      { ttl: '10s', wait: 0 },
    );
  }
}
