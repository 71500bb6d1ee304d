import { Controller, Get, Module, type Type, UseGuards } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Throttle, ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { serveApps, runAsProcess } from './serve-apps';
import { CacheModule, RateLimit, RateLimitGuard } from '../../libs/larder/src';

/**
 * The Express apps of the HTTP bench, in a process of their own so the load generator
 * (autocannon, in the bench process) does not share an event loop with the server it measures.
 * Prints one JSON line `{ "<app>": "http://127.0.0.1:<port>", ... }` when every app listens, and
 * exits when its stdin closes. Usage: node -r @swc-node/register bench/support/http-servers.ts <redisUrl>
 */

/** High enough that nothing is refused: the tables measure the cost of the check itself. */
const HTTP_LIMIT = 1_000_000_000;

@Controller()
class PlainController {
  @Get('plain')
  plain() {
    return { ok: true };
  }
}

@Controller()
@UseGuards(RateLimitGuard)
class LarderLimitedController {
  @RateLimit({ name: 'bench', limit: HTTP_LIMIT, window: '1m' })
  @Get('limited')
  limited() {
    return { ok: true };
  }
}

@Controller()
@UseGuards(ThrottlerGuard)
class ThrottledController {
  @Throttle({ bench: { limit: HTTP_LIMIT, ttl: 60_000 } })
  @Get('limited')
  limited() {
    return { ok: true };
  }
}

function larderModule(redisUrl: string | undefined): Type {
  @Module({
    imports: [CacheModule.forRoot({ redis: redisUrl, namespace: 'bench-http', logConnectionEvents: false })],
    controllers: [PlainController, LarderLimitedController],
  })
  class LarderHttpModule {}
  return LarderHttpModule;
}

function throttlerModule(redisUrl: string | undefined): Type {
  @Module({
    imports: [
      ThrottlerModule.forRoot({
        throttlers: [{ name: 'bench', limit: HTTP_LIMIT, ttl: 60_000 }],
        // @nestjs/throttler keeps counters in process memory unless given a storage.
        storage: redisUrl ? new ThrottlerStorageRedisService(redisUrl) : undefined,
      }),
    ],
    controllers: [ThrottledController],
  })
  class ThrottlerHttpModule {}
  return ThrottlerHttpModule;
}

async function main(): Promise<void> {
  const redisUrl = process.argv[2];
  if (!redisUrl) throw new Error('usage: http-servers.ts <redisUrl>');
  await serveApps({
    larderRedis: larderModule(redisUrl),
    larderMemory: larderModule(undefined),
    throttlerRedis: throttlerModule(redisUrl),
    throttlerMemory: throttlerModule(undefined),
  });
}

if (require.main === module) runAsProcess(main);
