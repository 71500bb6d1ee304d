import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { CacheModule, LarderExceptionFilter, RateLimitGuard } from '@larder/nestjs';
import { AuthController } from './auth/auth.controller';
import { CatalogController } from './catalog/catalog.controller';
import { CatalogService } from './catalog/catalog.service';
import { LegacyCacheController } from './legacy/legacy-cache.controller';
import { HealthController } from './ops/health.controller';
import { MetricsController } from './ops/metrics.controller';
import { StockController } from './stock/stock.controller';

/** The whole app: the same module runs on Express (main-express.ts) and on Fastify (main-fastify.ts). */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    CacheModule.forRootAsync({
      isGlobal: true,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        // Unset: every part runs in process memory.
        redis: config.get<string>('REDIS_URL'),
        namespace: config.get<string>('LARDER_NAMESPACE', 'example'),
        defaultTtl: '5m',
        metrics: {},
      }),
    }),
    TerminusModule.forRoot({ logger: false }),
  ],
  controllers: [
    CatalogController,
    LegacyCacheController,
    AuthController,
    HealthController,
    MetricsController,
    StockController,
  ],
  providers: [
    CatalogService,
    { provide: APP_GUARD, useClass: RateLimitGuard },
    // Larder's errors as problem-details HTTP answers, on Express and Fastify alike.
    { provide: APP_FILTER, useClass: LarderExceptionFilter },
  ],
})
export class AppModule {}
