import { Controller, Get, type INestApplication, NotFoundException, Query } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  CacheModule,
  CacheService,
  CommandTimeoutError,
  LockLostError,
  LockNotAcquiredError,
  LockService,
  RateLimitService,
  StoreUnavailableError,
} from '@larder/nestjs';
import { uniqueNamespace } from '#test/test-helpers';
import { LarderExceptionFilter } from './larder-exception.filter';

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

  @Get('lost')
  lost() {
    throw new LockLostError('Lock "job" was lost');
  }

  @Get('missing')
  missing() {
    throw new NotFoundException('No such thing');
  }
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
    const moduleRef = await Test.createTestingModule({
      imports: [CacheModule.forRoot({ namespace: uniqueNamespace('filter'), logConnectionEvents: false })],
      controllers: [TroubleController],
      providers: [{ provide: APP_FILTER, useClass: LarderExceptionFilter }],
    }).compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication({ logger: false });
    await app.init();
    if (platform === 'fastify') await app.getHttpAdapter().getInstance().ready();
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

  it('leaves other errors to Nest: a lost lock is a 500, an HttpException keeps its status', async () => {
    const lost = await http.get('/lost');
    expect(lost.status).toBe(500);
    expect(lost.headers['content-type']).not.toMatch(/problem/);
    expect((await http.get('/missing')).status).toBe(404);
  });
});
