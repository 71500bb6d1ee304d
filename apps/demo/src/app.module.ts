import { Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { CacheModule, LarderExceptionFilter } from '@larder/nestjs';
import { ApiController } from './api/api.controller';
import { AuthController } from './auth/auth.controller';
import { CacheEventsController } from './cache-events/cache-events.controller';
import { CacheEventsService } from './cache-events/cache-events.service';
import { validateEnvironment } from './config/env.validation';
import { FlagsController } from './flags/flags.controller';
import { demoConsoleToken } from './ops/console-token';
import { HealthController } from './ops/health.controller';
import { MetricsController } from './ops/metrics.controller';
import { OrdersController } from './orders/orders.controller';
import { PriceDatabase } from './prices/price-database';
import { PricesController } from './prices/prices.controller';
import { ProductRepository } from './products/product.repository';
import { ProductsWarmup } from './products/products-warmup.service';
import { ProductsController } from './products/products.controller';
import { ProductsService } from './products/products.service';
import { ReportsController } from './reports/reports.controller';
import { ScoresController } from './scores/scores.controller';
import { SearchController } from './search/search.controller';
import { UsersController } from './users/users.controller';

/** The demo: every Larder feature on real controllers, configured from the environment. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, validate: validateEnvironment }),
    TerminusModule,
    CacheModule.forRootAsync({
      isGlobal: true,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        redis: config.get<string>('REDIS_URL'),
        namespace: config.get<string>('LARDER_NAMESPACE') ?? 'larder-demo',
        defaultTtl: '5m',
        name: 'demo',
        // A registry of the app's own, so two demo apps in one process (the e2e tests) never clash.
        metrics: { registry: new Registry() },
        // The live console at /_larder, behind a token (main.ts prints the URL when it made one up).
        console: { token: demoConsoleToken(config.get<string>('LARDER_CONSOLE_TOKEN')).token },
        // Secure cookies need HTTPS; the demo serves plain http://localhost unless run in production.
        session: {
          ttl: '30m',
          rolling: true,
          maxLifetime: '12h',
          maxPerUser: 5,
          cookie: { secure: config.get('NODE_ENV') === 'production' },
        },
      }),
    }),
  ],
  controllers: [
    ProductsController,
    UsersController,
    ReportsController,
    OrdersController,
    AuthController,
    ApiController,
    FlagsController,
    PricesController,
    SearchController,
    ScoresController,
    CacheEventsController,
    HealthController,
    MetricsController,
  ],
  providers: [
    ProductRepository,
    PriceDatabase,
    ProductsService,
    ProductsWarmup,
    CacheEventsService,
    // Larder's errors become HTTP answers in one place, for every route (409, 503, 400).
    { provide: APP_FILTER, useClass: LarderExceptionFilter },
    // Route parameters, queries and bodies typed with DTOs are checked before any handler runs.
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        transform: true,
        stopAtFirstError: true, // one message per field: the first rule it breaks
      }),
    },
  ],
})
export class AppModule {}
