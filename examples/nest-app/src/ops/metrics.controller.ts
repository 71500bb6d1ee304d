import { Controller, Get, Res } from '@nestjs/common';
import { LarderMetrics, SkipRateLimit } from '@larder/nestjs';
import type { ResponseHeaders } from '../auth/response-headers';

@Controller('metrics')
@SkipRateLimit()
export class MetricsController {
  constructor(private readonly larderMetrics: LarderMetrics) {}

  @Get()
  async metrics(@Res({ passthrough: true }) res: ResponseHeaders): Promise<string> {
    res.header('Content-Type', this.larderMetrics.contentType);
    return this.larderMetrics.metrics();
  }
}
