import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import {
  RateLimitService,
  type RateLimitBlockedEvent,
  type RateLimitDegradedEvent,
  type RateLimitRule,
} from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { eventually, uniqueNamespace } from '#test/test-helpers';
import { startRateLimitApp } from './rate-limit-test-app.fixtures';

// Stops and pauses its own redis-server, so other test files are never disturbed.
describe('rate limits while Redis fails', () => {
  let server: RedisServerHandle;
  let failOpenApp: INestApplication;
  let failClosedApp: INestApplication;
  const rules: RateLimitRule[] = [{ name: 'default', limit: 3, window: '1m' }];

  beforeAll(async () => {
    server = await startRedisServer();
    const common = { redis: server.url, commandTimeout: 250 };
    failOpenApp = await startRateLimitApp('express', {
      ...common,
      namespace: uniqueNamespace('rl'),
      rateLimit: { rules },
    });
    failClosedApp = await startRateLimitApp('fastify', {
      ...common,
      namespace: uniqueNamespace('rl'),
      rateLimit: { rules, failOpen: false },
    });
  });
  afterAll(async () => {
    await failOpenApp?.close();
    await failClosedApp?.close();
    await server?.stop();
  });

  it('keeps enforcing per instance (insurance) and never answers 429 for a Redis failure', async () => {
    const service = failOpenApp.get(RateLimitService);
    const degraded: RateLimitDegradedEvent[] = [];
    const blocked: RateLimitBlockedEvent[] = [];
    service.on('ratelimit.degraded', (e) => degraded.push(e));
    service.on('ratelimit.blocked', (e) => blocked.push(e));
    const http = request(failOpenApp.getHttpServer());
    await http.get('/open').expect(200);
    await http.get('/open').expect(200); // Redis now holds 2 of 3

    await server.stop();
    // Redis knew of 2 requests; its failure is not a refusal: the insurance limiter starts afresh.
    for (let i = 0; i < 3; i++) {
      const res = await http.get('/open');
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit']).toMatch(/^"default";r=\d;t=\d+$/);
    }
    const refused = await http.get('/open');
    expect(refused.status).toBe(429);
    expect(refused.body.title).toBe('Too Many Requests');
    expect(degraded).toHaveLength(1);
    expect(degraded[0].mode).toBe('insurance');
    expect(blocked).toEqual([expect.objectContaining({ rule: 'default', degraded: true })]);

    await server.restart();
    await eventually(
      async () => !(await service.consume('probe', { limit: 100, window: '1m' })).degraded,
      10_000,
      'Redis again',
    );
    await http.get('/open').expect(200); // the restarted (empty) Redis counts again
  });

  it('with failOpen: false answers 503, never 429, while Redis is down', async () => {
    const http = request(failClosedApp.getHttpServer());
    await eventually(
      async () => (await http.get('/open')).status === 200,
      10_000,
      'the fail-closed app on Redis',
    );
    await server.stop();
    try {
      for (let i = 0; i < 5; i++) {
        const res = await http.get('/open');
        expect(res.status).toBe(503);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ title: 'Service Unavailable', status: 503 });
      }
    } finally {
      await server.restart();
    }
  });

  it('treats a Redis that stops answering as a failure after commandTimeout, not as a limit', async () => {
    const service = failOpenApp.get(RateLimitService);
    await eventually(
      async () => !(await service.consume('probe', { limit: 100, window: '1m' })).degraded,
      10_000,
      'Redis again',
    );
    const admin = new Redis(server.url);
    try {
      await admin.client('PAUSE', 1500, 'ALL');
      const started = Date.now();
      // '/own' has a budget the earlier outage did not touch in the insurance limiter.
      const res = await request(failOpenApp.getHttpServer()).get('/own');
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1200); // bounded by commandTimeout (250 ms), not the 1.5 s pause
      const result = await service.consume('worker', { name: 'w', limit: 1, window: '1m' });
      expect(result).toMatchObject({ allowed: true, degraded: true });
    } finally {
      await admin.client('UNPAUSE').catch(() => undefined);
      admin.disconnect();
    }
  });
});
