import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  type INestApplication,
  Injectable,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  CacheModule,
  type LarderModuleOptions,
  RateLimit,
  RateLimitGuard,
  SkipRateLimit,
} from '@larder/nestjs';

/** Stands in for an auth guard (passport & co.): `x-user` becomes `req.user.id`. */
@Injectable()
class FakeAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest();
    const id = request.headers['x-user'];
    if (id) request.user = { id };
    return true;
  }
}

@Controller()
class LimitedController {
  @Get('open')
  open() {
    return { ok: true };
  }

  @SkipRateLimit()
  @Get('skip')
  skip() {
    return { ok: true };
  }

  @SkipRateLimit('default')
  @RateLimit({ name: 'own', limit: 1, window: '1m' })
  @Get('own')
  own() {
    return { ok: true };
  }

  @RateLimit({ name: 'flood', limit: 50, window: '1m' })
  @Get('flood')
  flood() {
    return { ok: true };
  }

  @RateLimit([
    { name: 'a-short', limit: 2, window: '1m' },
    { name: 'shared-long', limit: 3, window: '1h' },
  ])
  @Get('two-a')
  twoA() {
    return { ok: true };
  }

  @RateLimit({ name: 'shared-long', limit: 3, window: '1h' })
  @Get('two-b')
  twoB() {
    return { ok: true };
  }

  @RateLimit({ name: 'h', limit: 3, window: '1m', algorithm: 'fixed-window' })
  @Get('headers')
  headers() {
    return { ok: true };
  }

  @RateLimit({
    name: 'per-key',
    limit: 2,
    window: '1m',
    by: (ctx) => ctx.switchToHttp().getRequest().headers['x-api-key'],
  })
  @Get('api-key')
  apiKey() {
    return { ok: true };
  }

  // `req.query.k` is an array for `?k=a&k=b`: a `by` of the wrong type, fed by the client.
  @RateLimit({
    name: 'per-query',
    limit: 1,
    window: '1m',
    by: (ctx) => ctx.switchToHttp().getRequest().query.k,
  })
  @Get('by-query')
  byQuery() {
    return { ok: true };
  }

  @RateLimit({ name: 'per-user', limit: 1, window: '1m', by: 'user' })
  @Get('user')
  user() {
    return { ok: true };
  }

  @RateLimit({ name: 'per-ip', limit: 1, window: '1m' })
  @Get('ip')
  ip() {
    return { ok: true };
  }

  @RateLimit({ name: 'blocky', limit: 1, window: '10s', blockFor: '1m', algorithm: 'fixed-window' })
  @Get('block')
  block() {
    return { ok: true };
  }
}

export type AdapterKind = 'express' | 'fastify';

/**
 * A small app with RateLimitGuard as APP_GUARD (after FakeAuthGuard), listening on a
 * free loopback port. `trustProxy` trusts loopback proxies in the framework: Express `trust proxy`,
 * Fastify `trustProxy` (both `'loopback'`, never `true`, which would trust a spoofed leftmost entry).
 */
export async function startRateLimitApp(
  adapter: AdapterKind,
  options: LarderModuleOptions,
  trustProxy = false,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheModule.forRoot({ logConnectionEvents: false, ...options })],
    controllers: [LimitedController],
    // Global guards run in this order: authentication first, so `by: 'user'` sees req.user.
    providers: [
      { provide: APP_GUARD, useClass: FakeAuthGuard },
      { provide: APP_GUARD, useClass: RateLimitGuard },
    ],
  }).compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter({ trustProxy: trustProxy ? 'loopback' : false }), {
          logger: false,
        })
      : moduleRef.createNestApplication({ logger: false });
  if (adapter === 'express' && trustProxy) app.getHttpAdapter().getInstance().set('trust proxy', 'loopback');
  await app.listen(0, '127.0.0.1');
  return app;
}
