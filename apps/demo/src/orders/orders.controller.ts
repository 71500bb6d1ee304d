import { BadRequestException, Controller, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import { LockService } from '@larder/nestjs';
import { slowly } from '../shared/slowly';
import { LockConflictFilter } from './lock-conflict.filter';

/**
 * Checkout under a distributed lock: one checkout per order at a time across every instance.
 * A second request while the first holds the lock gets 409. The fence token is what the
 * "payment provider" would check to refuse a stale holder.
 */
@Controller('orders')
@UseFilters(LockConflictFilter)
export class OrdersController {
  private checkouts = 0;

  constructor(private readonly locks: LockService) {}

  @Post(':id/checkout')
  @HttpCode(200)
  async checkout(@Param('id') id: string, @Query('holdMs') holdMs = '300') {
    const hold = Number(holdMs);
    if (!/^[A-Za-z0-9-]{1,40}$/.test(id))
      throw new BadRequestException('order ids are 1-40 of A-Z, a-z, 0-9 and -');
    if (!Number.isInteger(hold) || hold < 0 || hold > 5000)
      throw new BadRequestException('holdMs is 0..5000');
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
