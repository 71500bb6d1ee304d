import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  CacheModule,
  CacheService,
  InvalidOptionError,
  LarderHealthIndicator,
  LockService,
} from '@larder/nestjs';
import { AppModule } from './app.module.js';
import { QuoteService } from './quote.service.js';

/**
 * Runs Larder from an ES module with neither @nestjs/terminus nor prom-client installed, and
 * prints what it saw as one JSON line (the consumer check compares it).
 */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  const quotes = app.get(QuoteService);
  await quotes.quote('LARD');
  await quotes.quote('LARD');
  const cache = app.get(CacheService);
  const locked = await app.get(LockService).withLock('esm:job', async () => 'ran under the lock');
  let health = 'provided';
  try {
    app.get(LarderHealthIndicator);
  } catch {
    health = 'not provided';
  }
  const report = {
    store: process.env.REDIS_URL ? 'redis' : 'memory',
    computed: quotes.computed,
    cached: await cache.get('quote:LARD'),
    locked,
    health,
    metricsWithoutPromClient: await metricsOptionError(),
  };
  await app.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** The `metrics` option without prom-client must stop start-up with an error that says so. */
async function metricsOptionError(): Promise<string> {
  @Module({ imports: [CacheModule.forRoot({ metrics: {} })] })
  class MetricsModule {}
  try {
    const app = await NestFactory.createApplicationContext(MetricsModule, {
      logger: false,
      abortOnError: false,
    });
    await app.close();
    return 'started';
  } catch (error) {
    return error instanceof InvalidOptionError ? error.message : `unexpected: ${String(error)}`;
  }
}

await main();
