import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { demoConsoleToken } from './ops/console-token';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const store = process.env.REDIS_URL
    ? `Redis at ${process.env.REDIS_URL.replace(/\/\/[^@/]*@/, '//***@')}`
    : 'the in-memory store';
  const logger = new Logger('Demo');
  logger.log(`Larder demo on http://localhost:${port} using ${store}`);
  // Printed once, and only when made up at boot: the operator needs it, it dies with the process.
  const consoleToken = demoConsoleToken(process.env.LARDER_CONSOLE_TOKEN);
  const query = consoleToken.generated ? `?token=${consoleToken.token}` : ' (token: LARDER_CONSOLE_TOKEN)';
  logger.log(`Larder console: http://localhost:${port}/_larder${query}`);
}

void bootstrap();
