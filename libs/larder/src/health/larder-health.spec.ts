import { Controller, Get, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import request from 'supertest';
import { CacheModule, InvalidArgumentError, InvalidOptionError, LarderHealthIndicator } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, testRedisUrl, uniqueNamespace } from '#test/test-helpers';
import { healthProviders } from './health.providers';

/** Generous slack for a loaded 2-core machine; the point is "bounded", not "fast". */
const MARGIN = 800;

describe('LarderHealthIndicator', () => {
  let moduleRef: TestingModule | undefined;
  let shared: Redis | undefined;

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    shared?.disconnect();
    shared = undefined;
  });

  it('is up on the in-memory setup, with store "memory" and no connections', async () => {
    moduleRef = await createLarderModule({ name: 'mem' });
    const result = await moduleRef.get(LarderHealthIndicator).isHealthy('larder');
    expect(result).toEqual({ larder: { status: 'up', cache: 'mem', store: 'memory', connections: {} } });
  });

  it('is up on Redis, pinging the coordination connection and the @keyv/redis client', async () => {
    moduleRef = await createLarderModule({ redis: testRedisUrl(), namespace: uniqueNamespace() });
    const { cache } = await moduleRef.get(LarderHealthIndicator).isHealthy('cache');
    expect(cache).toMatchObject({ status: 'up', store: 'redis', cache: 'default' });
    expect(cache.connections.coordination).toEqual({
      client: 'ioredis',
      state: 'ready',
      latencyMs: expect.any(Number),
    });
    expect(cache.connections.values).toEqual({
      client: '@keyv/redis',
      state: 'ready',
      latencyMs: expect.any(Number),
    });
    expect(cache.latencyMs).toBe(
      Math.max(cache.connections.coordination!.latencyMs!, cache.connections.values!.latencyMs!),
    );
  });

  it('pings a shared ioredis instance once: values use the same connection', async () => {
    shared = new Redis(testRedisUrl());
    moduleRef = await createLarderModule({ redis: shared, namespace: uniqueNamespace() });
    const { larder } = await moduleRef.get(LarderHealthIndicator).isHealthy();
    expect(larder.status).toBe('up');
    expect(Object.keys(larder.connections)).toEqual(['coordination']);
  });

  it('reports a custom store by kind', async () => {
    moduleRef = await createLarderModule({ store: new Map() });
    const { larder } = await moduleRef.get(LarderHealthIndicator).isHealthy();
    expect(larder).toMatchObject({ status: 'up', store: 'custom', connections: {} });
  });

  it('rejects bad arguments with errors that name them', async () => {
    moduleRef = await createLarderModule({});
    const health = moduleRef.get(LarderHealthIndicator);
    await expect(health.isHealthy('')).rejects.toThrow(InvalidArgumentError);
    await expect(health.isHealthy('larder', { timeout: -1 })).rejects.toThrow(InvalidOptionError);
    await expect(health.isHealthy('larder', { timeout: -1 })).rejects.toThrow(/timeout/);
    await expect(health.isHealthy('larder', { timout: 100 } as never)).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringMatching(/^Unknown isHealthy option "timout"\. Did you mean "timeout"\?/),
    });
  });

  it('is not provided when @nestjs/terminus is not installed', () => {
    expect(healthProviders(null)).toEqual([]);
    expect(healthProviders({ HealthIndicatorService })).toHaveLength(1);
  });

  it("uses the app's terminus HealthIndicatorService when the app imports TerminusModule", async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        CacheModule.forRoot({ logConnectionEvents: false }),
        TerminusModule.forRoot({ logger: false }),
      ],
    }).compile();
    await moduleRef.init();
    const appService = moduleRef.get(HealthIndicatorService);
    const check = jest.spyOn(appService, 'check');
    await moduleRef.get(LarderHealthIndicator).isHealthy('larder');
    expect(check).toHaveBeenCalledWith('larder');
  });
});

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly larder: LarderHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.larder.isHealthy('larder', { timeout: 300 })]);
  }
}

describe('LarderHealthIndicator when Redis fails', () => {
  let server: RedisServerHandle;
  let app: INestApplication;
  let admin: Redis;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    server = await startRedisServer();
    process.on('unhandledRejection', onUnhandled);
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheModule.forRoot({ redis: server.url, namespace: uniqueNamespace(), logConnectionEvents: false }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    admin?.disconnect();
    process.off('unhandledRejection', onUnhandled);
    await server.stop().catch(() => undefined);
    expect(unhandled).toEqual([]);
  });

  it('answers 200, then 503 within the timeout while Redis is stopped, then 200 after the restart', async () => {
    const up = await request(app.getHttpServer()).get('/health').expect(200);
    expect(up.body.info.larder).toMatchObject({ status: 'up', store: 'redis' });

    await server.stop();
    const started = performance.now();
    const down = await request(app.getHttpServer()).get('/health').expect(503);
    expect(performance.now() - started).toBeLessThan(300 + MARGIN);
    expect(down.body.error.larder).toMatchObject({ status: 'down', store: 'redis' });
    expect(down.body.error.larder.connections.coordination.error).toEqual(expect.any(String));
    // In the words of Redis, not of ioredis' offline queue.
    expect(down.body.error.larder.message).toMatch(
      /^coordination: Redis PING failed: (not connected to Redis|the connection to Redis is closed)/,
    );

    await server.restart();
    await eventually(
      async () => (await request(app.getHttpServer()).get('/health')).status === 200,
      15_000,
      '/health to answer 200 after the restart',
    );
  });

  it('is down (not hanging, not throwing) when Redis stops answering, bounded by the timeout', async () => {
    admin = new Redis(server.url);
    const health = app.get(LarderHealthIndicator);
    expect((await health.isHealthy('larder')).larder.status).toBe('up');
    // CLIENT PAUSE holds every client's commands (this one's too, so it simply runs out): Redis is
    // connected but silent, like a stalled server.
    await admin.call('CLIENT', 'PAUSE', '1200', 'ALL');
    const started = performance.now();
    const { larder } = await health.isHealthy('larder', { timeout: '250ms' });
    expect(performance.now() - started).toBeLessThan(250 + MARGIN);
    expect(larder.status).toBe('down');
    expect(larder.message).toMatch(/timed out after 250ms/);
    expect(larder.connections.coordination?.state).toBe('ready');
    await eventually(async () => (await health.isHealthy('larder')).larder.status === 'up', 5000, 'up again');
  });
});
