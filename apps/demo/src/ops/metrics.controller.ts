import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { LarderMetrics } from '@larder/nestjs';

/** Prometheus text exposition of Larder's metrics (and anything else in the demo's registry). */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly larderMetrics: LarderMetrics) {}

  @Get()
  async metrics(@Res() res: Response): Promise<void> {
    res.type(this.larderMetrics.contentType).send(await this.larderMetrics.metrics());
  }
}
