import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { LarderHealthIndicator } from '@larder/nestjs';

/** Terminus health: 200 while every Redis connection Larder uses answers, 503 otherwise. */
@Controller('health')
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
