import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { LarderHealthIndicator, SkipRateLimit } from '@larder/nestjs';

@Controller('health')
@SkipRateLimit()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly larder: LarderHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.larder.isHealthy('larder', { timeout: '500ms' })]);
  }
}
