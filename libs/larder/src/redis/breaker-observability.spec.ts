import type { TestingModule } from '@nestjs/testing';
import { Registry } from 'prom-client';
import {
  CacheService,
  LARDER_REDIS,
  LarderHealthIndicator,
  LockService,
  SessionService,
  type BreakerTransition,
  type RedisCoordinator,
} from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, uniqueNamespace } from '#test/test-helpers';
import { CacheCore } from '../cache/cache-core';
import { buildConsoleState, ConsoleTallies } from '../console/console-snapshot';

describe('the Redis circuit breaker, as operators see it', () => {
  let server: RedisServerHandle;
  let moduleRef: TestingModule;

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await moduleRef?.close();
    await server.stop().catch(() => undefined);
  });

  it('shows each change in events, stats, metrics, health details and the console', async () => {
    const registry = new Registry();
    moduleRef = await createLarderModule({
      redis: server.url,
      name: 'shop',
      namespace: uniqueNamespace('breaker-ops'),
      commandTimeout: 1000,
      circuitBreaker: { failures: 2, cooldown: 500 },
      metrics: { registry },
    });
    const cache = moduleRef.get(CacheService);
    const transitions: BreakerTransition[] = [];
    cache.on('breaker', (t) => transitions.push(t));
    const consoleState = () =>
      buildConsoleState(
        {
          cache,
          core: moduleRef.get(CacheCore),
          locks: moduleRef.get(LockService),
          sessions: moduleRef.get(SessionService),
          redis: moduleRef.get<RedisCoordinator>(LARDER_REDIS),
        },
        new ConsoleTallies(),
        { name: 'shop', showValues: false, series: [], clients: [] },
        { size: 0, capacity: 0, last: 0 },
      );
    const health = () => moduleRef.get(LarderHealthIndicator).isHealthy('larder');
    expect((await consoleState()).connection.breaker).toBe('closed');
    expect((await health()).larder.breaker).toMatchObject({ state: 'closed', opens: 0 });
    expect(await registry.metrics()).toContain('larder_breaker_state{cache="shop",state="closed"} 1');

    await server.stop();
    await eventually(
      async () => {
        await cache.get('k');
        return transitions.length > 0;
      },
      10_000,
      'the breaker to open',
    );
    expect(transitions[0]).toMatchObject({ cache: 'shop', previous: 'closed', state: 'open', failures: 2 });
    expect(cache.stats().breaker).toMatchObject({ opens: 1, consecutiveFailures: 2 });
    const open = cache.stats().breaker!.state;
    expect(open).not.toBe('closed');
    expect((await consoleState()).connection.breaker).not.toBe('closed');
    const down = await health();
    expect(down.larder).toMatchObject({ status: 'down', breaker: { opens: expect.any(Number) } });
    const text = await registry.metrics();
    expect(text).toMatch(/larder_breaker_state\{cache="shop",state="(open|half-open)"\} 1/);
    expect(text).toContain('larder_breaker_state{cache="shop",state="closed"} 0');
    expect(text).toContain('larder_breaker_transitions_total{cache="shop",state="open"} 1');

    await server.restart();
    await eventually(() => cache.stats().breaker?.state === 'closed', 15_000, 'the breaker to close');
    expect(transitions.map((t) => t.state)).toEqual(expect.arrayContaining(['open', 'half-open', 'closed']));
    expect(transitions.at(-1)).toMatchObject({ previous: 'half-open', state: 'closed' });
    expect(await registry.metrics()).toMatch(
      /larder_breaker_transitions_total\{cache="shop",state="closed"\} 1/,
    );
    expect((await health()).larder).toMatchObject({ status: 'up', breaker: { state: 'closed' } });
    expect((await consoleState()).connection.breaker).toBe('closed');
  });
});
