import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { CacheModule, RateLimitGuard } from '@larder/nestjs';
import { AuthController } from './auth/auth.controller';
import { CatalogController } from './catalog/catalog.controller';
import { CatalogService } from './catalog/catalog.service';
import { LegacyCacheController } from './legacy/legacy-cache.controller';
import { HealthController } from './ops/health.controller';
import { MetricsController } from './ops/metrics.controller';

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
  ],
  providers: [CatalogService, { provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class AppModule {}
