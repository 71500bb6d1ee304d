import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const store = process.env.REDIS_URL
    ? `Redis at ${process.env.REDIS_URL.replace(/\/\/[^@/]*@/, '//***@')}`
    : 'the in-memory store';
  new Logger('Demo').log(`Larder demo on http://localhost:${port} using ${store}`);
}

void bootstrap();
