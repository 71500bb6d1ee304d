import type { AddressInfo } from 'node:net';
import { Controller, Get, type INestApplication, Module, Param, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheModule, CacheService } from '../../libs/larder/src';

/**
 * The apps of the console bench, in a process of their own (started with --expose-gc): the same
 * cached route with the console off and on. Prints one JSON line `{ "off": url, "on": url }` when
 * both listen, and exits when its stdin closes.
 * Usage: node --expose-gc -r @swc-node/register bench/support/console-servers.ts <redisUrl> <token>
 */

@Controller()
class ItemsController {
  constructor(private readonly cache: CacheService) {}

  /** One L2 read per 100 ids, L1 hits otherwise: a cache event per request, as in a real app. */
  @Get('items/:id')
  item(@Param('id') id: string) {
    const key = `item:${Number(id) % 100}`;
    return this.cache.getOrSet(key, () => ({ key, name: 'bench item', price: 12.5 }), { ttl: '1m' });
  }

  /** Heap in use after a full collection, for the soak's slope. */
  @Get('heap')
  heap() {
    (globalThis as { gc?: () => void }).gc?.();
    return { heapUsed: process.memoryUsage().heapUsed };
  }
}

function appModule(redisUrl: string, namespace: string, token: string | undefined): Type {
  @Module({
    imports: [
      CacheModule.forRoot({
        redis: redisUrl,
        namespace,
        memory: { maxItems: 1000, ttl: '1m' },
        logConnectionEvents: false,
        ...(token ? { console: { token } } : {}),
      }),
    ],
    controllers: [ItemsController],
  })
  class ConsoleBenchModule {}
  return ConsoleBenchModule;
}

async function listen(module: Type): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(module, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

async function main(): Promise<void> {
  const [redisUrl, token] = process.argv.slice(2);
  if (!redisUrl || !token) throw new Error('usage: console-servers.ts <redisUrl> <token>');
  const apps = {
    off: await listen(appModule(redisUrl, 'bench-console-off', undefined)),
    on: await listen(appModule(redisUrl, 'bench-console-on', token)),
  };
  process.stdout.write(`${JSON.stringify({ off: apps.off.url, on: apps.on.url })}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    for (const { app } of Object.values(apps)) await app.close();
    process.exit(0);
  });
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
