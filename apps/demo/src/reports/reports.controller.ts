import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { CacheService } from '@larder/nestjs';
import { slowly } from '../shared/slowly';

/**
 * An expensive report behind getOrSet: however many requests arrive together on a cold key,
 * the computation runs once per instance (single-flight) and the rest share its result.
 */
@Controller('reports')
export class ReportsController {
  /** How many times the report was really computed. */
  private computations = 0;

  constructor(private readonly cache: CacheService) {}

  @Get('daily')
  async daily(@Query('day') day = new Date().toISOString().slice(0, 10)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new BadRequestException('day must look like 2026-01-31');
    const report = await this.cache.getOrSet(`report:daily:${day}`, () => this.compute(day), {
      ttl: '10m',
      tags: ['reports'],
    });
    return { ...report, computations: this.computations };
  }

  private async compute(day: string) {
    this.computations++;
    const orders = [...day].reduce((sum, c) => sum + c.charCodeAt(0), 0);
    return slowly({ day, orders, revenue: orders * 12.5, computedAt: new Date().toISOString() }, 500);
  }
}
