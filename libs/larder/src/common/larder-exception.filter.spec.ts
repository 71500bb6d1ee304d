import {
  Controller,
  Get,
  type INestApplication,
  NotFoundException,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  CacheModule,
  CacheService,
  CommandTimeoutError,
  InvalidOptionError,
  LarderExceptionFilter,
  LoaderTimeoutError,
  larderProblem,
  LockLostError,
  LockNotAcquiredError,
  LockService,
  RateLimit,
  RateLimitGuard,
  RateLimitService,
  SessionService,
  StoreUnavailableError,
} from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { uniqueNamespace } from '#test/test-helpers';

/** Generous slack for a loaded 2-core machine: the point is "bounded by commandTimeout", not "fast". */
const MARGIN = 1500;
const COMMAND_TIMEOUT = 300;

/** Routes that run into each kind of Larder error, through the real services where one can. */
@Controller()
class TroubleController {
  constructor(
    private readonly cache: CacheService,
    private readonly locks: LockService,
    private readonly rateLimits: RateLimitService,
  ) {}

  @Get('held')
  async held() {
    const holder = await this.locks.acquire('job', { ttl: '10s' });
    try {
      return await this.locks.withLock('job', () => 'ran', { wait: 0 });
    } finally {
      await holder?.release();
    }
  }

  @Get('key')
  key(@Query('k') k: string) {
    return this.cache.get(k);
  }

  @Get('consume')
  consume(@Query('k') k = '') {
    return this.rateLimits.consume(k, { limit: 1, window: '1m' });
  }

  @Get('down')
  down() {
    throw new StoreUnavailableError('connect ECONNREFUSED 127.0.0.1:6390');
  }

  @Get('timeout')
  timeout() {
    throw new CommandTimeoutError('Redis GET timed out after 1000ms');
  }

  @Get('lock-down')
  lockDown() {
    throw new LockNotAcquiredError('Lock "job" was not acquired', {
      cause: new StoreUnavailableError('Redis is not connected'),
    });
  }

  @Get('slow-loader')
  slowLoader() {
    // A data source that never answers: only the hard timeout ends the call.
    const never = ({ signal }: { signal: AbortSignal }) =>
      new Promise<string>((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      );
    return this.cache.getOrSet('slow', never, { ttl: '1m', timeout: { hard: 50 } });
  }

  @Get('lost')
  lost() {
    throw new LockLostError('Lock "job" was lost');
  }

  @Get('missing')
  missing() {
    throw new NotFoundException('No such thing');
  }

  @Get('misconfigured')
  misconfigured() {
    throw new InvalidOptionError('Invalid Larder option "ttl"');
  }

  @UseGuards(RateLimitGuard)
  @RateLimit({ name: 'once', limit: 1, window: '1m' })
  @Get('limited')
  limited() {
    return { ok: true };
  }
}

/** What a login route and a checkout route do with Larder's services, with no mapping of their own. */
@Controller()
class OutageController {
  constructor(
    private readonly sessions: SessionService,
    private readonly locks: LockService,
  ) {}

  @Post('login')
  async login() {
    const { id } = await this.sessions.create({ user: 'alice' });
    return { ok: id.length > 0 };
  }

  @Post('checkout')
  checkout() {
    return this.locks.withLock('order:1', () => ({ ok: true }), { wait: 0 });
  }
}

async function startApp(
  platform: 'express' | 'fastify',
  imports: Parameters<typeof Test.createTestingModule>[0]['imports'],
  controllers: Array<new (...args: never[]) => unknown>,
  globalFilter: 'provider' | 'instance' = 'provider',
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports,
    controllers,
    providers: globalFilter === 'provider' ? [{ provide: APP_FILTER, useClass: LarderExceptionFilter }] : [],
  }).compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  if (globalFilter === 'instance') app.useGlobalFilters(new LarderExceptionFilter(app.getHttpAdapter()));
  await app.init();
  if (platform === 'fastify') await app.getHttpAdapter().getInstance().ready();
  return app;
}

const problem = (status: number, title: string, detail: unknown) => ({
  type: 'about:blank',
  title,
  status,
  detail,
  ...(status === 503 ? { retryAfter: 1 } : {}),
});

describe.each(['express', 'fastify'] as const)('LarderExceptionFilter (%s)', (platform) => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    const imports = [
      CacheModule.forRoot({ namespace: uniqueNamespace('filter'), logConnectionEvents: false }),
    ];
    app = await startApp(platform, imports, [TroubleController]);
    http = request(app.getHttpServer());
  });

  afterAll(() => app.close());

  const longKey = 'k'.repeat(2000);
  it.each([
    ['a held lock', '/held', 409, 'Conflict', expect.stringContaining('"job"')],
    ['an over-long cache key', `/key?k=${longKey}`, 400, 'Bad Request', expect.stringMatching(/key/)],
    [
      'an empty rate-limit key',
      '/consume',
      400,
      'Bad Request',
      'Invalid rate limit key: "". Expected a non-empty string.',
    ],
    [
      'a store failure',
      '/down',
      503,
      'Service Unavailable',
      'A backing store is unavailable. Try again shortly.',
    ],
    [
      'a command timeout',
      '/timeout',
      503,
      'Service Unavailable',
      'A backing store is unavailable. Try again shortly.',
    ],
    [
      'a loader past its hard timeout',
      '/slow-loader',
      504,
      'Gateway Timeout',
      'The data source did not answer in time. Try again shortly.',
    ],
    [
      'a lock refused by a store failure',
      '/lock-down',
      503,
      'Service Unavailable',
      'A backing store is unavailable. Try again shortly.',
    ],
  ])('answers %s with its status and a problem-details body', async (_case, path, status, title, detail) => {
    const res = await http.get(path as string);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual(problem(status as number, title as string, detail));
    expect(res.headers['retry-after']).toBe(status === 503 ? '1' : undefined);
  });

  it("writes the rate limiter's 429 as problem details with Retry-After", async () => {
    await http.get('/limited').expect(200);
    const res = await http.get('/limited');
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      title: 'Too Many Requests',
      status: 429,
      retryAfter: expect.any(Number),
    });
    expect(res.headers['retry-after']).toBe(String(res.body.retryAfter));
  });

  it("leaves bugs and configuration mistakes to Nest's 500, and others' errors alone", async () => {
    for (const path of ['/lost', '/misconfigured']) {
      const res = await http.get(path);
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).not.toMatch(/problem/);
      expect(res.body).toEqual({ statusCode: 500, message: 'Internal server error' });
    }
    expect((await http.get('/missing')).status).toBe(404);
  });
});

describe('larderProblem', () => {
  it('gives the status of each error a client can run into, and nothing for the others', () => {
    expect(larderProblem(new StoreUnavailableError('down'))?.status).toBe(503);
    expect(larderProblem(new LockNotAcquiredError('held'))?.status).toBe(409);
    expect(larderProblem(new LoaderTimeoutError('slow'))?.status).toBe(504);
    expect(larderProblem(new LockLostError('lost'))).toBeUndefined();
    expect(larderProblem(new Error('other'))).toBeUndefined();
  });
});

describe.each(['express', 'fastify'] as const)(
  'LarderExceptionFilter while Redis is down (%s)',
  (platform) => {
    let server: RedisServerHandle;
    let app: INestApplication;

    beforeAll(async () => {
      server = await startRedisServer();
      const larder = CacheModule.forRoot({
        redis: server.url,
        namespace: uniqueNamespace('outage'),
        commandTimeout: COMMAND_TIMEOUT,
        logConnectionEvents: false,
      });
      // Registered the way main.ts does it, outside dependency injection.
      app = await startApp(platform, [larder], [OutageController], 'instance');
    });

    afterAll(async () => {
      await app?.close();
      await server?.stop().catch(() => undefined);
    });

    it('answers SessionService.create and a lock with 503 problem details, within the command timeout', async () => {
      const http = () => request(app.getHttpServer());
      expect((await http().post('/login')).body).toEqual({ ok: true });
      await server.stop();
      for (const path of ['/login', '/checkout']) {
        const started = performance.now();
        const res = await http().post(path);
        expect(performance.now() - started).toBeLessThan(COMMAND_TIMEOUT + MARGIN);
        expect(res.status).toBe(503);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.headers['retry-after']).toBe('1');
        expect(res.body).toEqual(
          problem(503, 'Service Unavailable', 'A backing store is unavailable. Try again shortly.'),
        );
      }
    });
  },
);
