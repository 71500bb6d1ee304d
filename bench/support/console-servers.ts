import { Controller, Get, Module, Param, type Type } from '@nestjs/common';
import { serveApps, runAsProcess } from './serve-apps';
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

async function main(): Promise<void> {
  const [redisUrl, token] = process.argv.slice(2);
  if (!redisUrl || !token) throw new Error('usage: console-servers.ts <redisUrl> <token>');
  await serveApps({
    off: appModule(redisUrl, 'bench-console-off', undefined),
    on: appModule(redisUrl, 'bench-console-on', token),
  });
}

if (require.main === module) runAsProcess(main);
