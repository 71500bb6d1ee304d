import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  CacheService,
  LARDER_REDIS,
  LockService,
  RateLimitService,
  SessionService,
  type BreakerState,
  type BreakerTransition,
  type LarderModuleOptions,
  type RedisCoordinator,
} from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, uniqueNamespace } from '#test/test-helpers';
import { pastTtl } from '../cache/resilience/resilience.fixtures';

const COMMAND_TIMEOUT = 2000;
/** Far below commandTimeout, generous for a loaded machine: a call the open breaker refuses is not sent. */
const AT_ONCE = 200;
const FAILURES = 3;
const COOLDOWN = 1000;
/** An open breaker closes within one probe: the cooldown, then a PING bounded by commandTimeout. */
const ONE_PROBE = COOLDOWN + COMMAND_TIMEOUT + 3000;

/** Resolves with the first transition to `state` after the call; rejects after `ms`. */
function transitionTo(cache: CacheService, state: BreakerState, ms: number): Promise<BreakerTransition> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cache.off('breaker', listener);
      reject(new Error(`breaker not ${state} within ${ms}ms (now ${cache.stats().breaker?.state})`));
    }, ms);
    const listener = (t: BreakerTransition) => {
      if (t.state !== state) return;
      clearTimeout(timer);
      cache.off('breaker', listener);
      resolve(t);
    };
    cache.on('breaker', listener);
  });
}

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

describe('the Redis circuit breaker', () => {
  let server: RedisServerHandle;
  let moduleRef: TestingModule;
  let shared: Redis | undefined;
  let cache: CacheService;

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop().catch(() => undefined);
  });
  afterEach(async () => {
    server.resume();
    await moduleRef?.close();
    shared?.disconnect();
    shared = undefined;
  });

  async function start(options: LarderModuleOptions): Promise<void> {
    shared = options.redis instanceof Redis ? options.redis : undefined;
    moduleRef = await createLarderModule({
      namespace: uniqueNamespace('breaker'),
      commandTimeout: COMMAND_TIMEOUT,
      circuitBreaker: { failures: FAILURES, cooldown: COOLDOWN },
      ...options,
    });
    cache = moduleRef.get(CacheService);
  }

  /**
   * Sends `failures` reads at a Redis that does not answer, one after another (reads of one tick
   * are one batched command, one failure), and waits for the breaker to open on them.
   */
  async function openOnTimeouts(): Promise<BreakerTransition> {
    const opened = transitionTo(cache, 'open', FAILURES * COMMAND_TIMEOUT + 5000);
    server.pause();
    for (let i = 0; i < FAILURES; i++) expect(await cache.get(`slow:${i}`)).toBeUndefined();
    return opened;
  }

  const setups: Array<[string, () => LarderModuleOptions]> = [
    ['@keyv/redis from a URL', () => ({ redis: server.url })],
    ['L1 in front of Redis', () => ({ redis: server.url, memory: { maxItems: 100 } })],
    ['a shared ioredis instance', () => ({ redis: new Redis(server.url) })],
  ];

  describe.each(setups)('%s, Redis paused (SIGSTOP)', (_name, options) => {
    it('opens after consecutive timeouts, answers every capability at once, then closes after one probe', async () => {
      await start(options());
      await cache.set('k', 'v');
      const opened = await openOnTimeouts();
      expect(opened).toMatchObject({ previous: 'closed', failures: FAILURES, cache: 'default' });
      expect(opened.error?.message).toMatch(/timed out/);

      const read = await timed(() => cache.get('absent'));
      expect(read.value).toBeUndefined();
      expect(read.ms).toBeLessThan(AT_ONCE);
      expect(cache.stats().breaker).toMatchObject({ opens: 1, consecutiveFailures: FAILURES });
      expect(cache.stats().breaker?.state).not.toBe('closed');

      const locks = moduleRef.get(LockService);
      const lock = await timed(() => locks.acquire('job', { wait: '10s' }));
      expect(lock).toMatchObject({ value: null });
      expect(lock.ms).toBeLessThan(AT_ONCE);
      await expect(locks.acquireOrThrow('job')).rejects.toMatchObject({
        code: 'E_LOCK_NOT_ACQUIRED',
        cause: {
          code: 'E_STORE_UNAVAILABLE',
          message: expect.stringMatching(/circuit breaker is (open|half-open)/),
        },
      });
      const session = await timed(() =>
        moduleRef
          .get(SessionService)
          .create({ cart: [] })
          .catch((e: Error) => e),
      );
      expect(session.value).toMatchObject({
        code: 'E_STORE_UNAVAILABLE',
        message: expect.stringMatching(/circuit breaker/),
      });
      expect(session.ms).toBeLessThan(AT_ONCE);
      const limited = await timed(() =>
        moduleRef.get(RateLimitService).consume('client', { limit: 5, window: '1m' }),
      );
      expect(limited.value).toMatchObject({ allowed: true, degraded: true, remaining: 4 });
      expect(limited.ms).toBeLessThan(AT_ONCE);

      const closed = transitionTo(cache, 'closed', ONE_PROBE);
      server.resume();
      expect(await closed).toMatchObject({ previous: 'half-open', state: 'closed' });
      await eventually(
        async () => {
          await cache.set('after', 'back');
          return (await cache.get('after')) === 'back';
        },
        15_000,
        'values to flow again',
      );
      expect(cache.stats().breaker).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    });
  });

  it('serves a stale L1 copy (grace) at once while open', async () => {
    await start({ redis: server.url, memory: { maxItems: 100 } });
    const policy = { ttl: '300ms', grace: '1h' } as const;
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.getOrSet('p', load, policy)).toBe('v1');
    await pastTtl(cache, 'p');
    await openOnTimeouts();
    const reasons: string[] = [];
    cache.on('stale', (e) => reasons.push(e.reason));
    const served = await timed(() => cache.getOrSet('p', load, policy));
    expect(served.value).toBe('v1');
    expect(served.ms).toBeLessThan(AT_ONCE);
    expect(reasons).toEqual(['store-unavailable']);
    expect(loads).toBe(1);
  });

  it('opens on a killed Redis and closes once it is back', async () => {
    await start({ redis: server.url });
    const opened = transitionTo(cache, 'open', 10_000);
    await server.stop();
    await eventually(
      async () => {
        await cache.get('x');
        return cache.stats().breaker?.state !== 'closed';
      },
      10_000,
      'the breaker to open',
    );
    await opened;
    const read = await timed(() => cache.get('x'));
    expect(read.ms).toBeLessThan(AT_ONCE);
    const closed = transitionTo(cache, 'closed', ONE_PROBE + 10_000);
    await server.restart();
    await closed;
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
  });

  it('does not open on errors Redis answers (WRONGTYPE, a non-integer increment)', async () => {
    await start({ redis: server.url });
    await cache.set('text', 'not a number');
    const coordinator = moduleRef.get<RedisCoordinator>(LARDER_REDIS);
    const key = uniqueNamespace('wrongtype');
    await coordinator.call('SET', (client) => client.set(key, 'a string'));
    for (let i = 0; i < FAILURES * 2; i++) {
      await expect(cache.increment('text')).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
      await expect(coordinator.call('LPUSH', (client) => client.lpush(key, 'x'))).rejects.toThrow(
        /WRONGTYPE/,
      );
    }
    expect(cache.stats().breaker).toMatchObject({ state: 'closed', opens: 0, consecutiveFailures: 0 });
  });

  it('is off with circuitBreaker: false: every call waits for its own timeout, as before', async () => {
    await start({ redis: server.url, circuitBreaker: false, commandTimeout: 300 });
    expect(cache.stats().breaker).toBeNull();
    const codes: string[] = [];
    cache.on('error', (e) => codes.push((e.error as { code?: string }).code ?? e.error.message));
    server.pause();
    for (let i = 0; i < FAILURES + 2; i++) expect(await cache.get('k')).toBeUndefined();
    expect(codes).toEqual(Array(FAILURES + 2).fill('E_COMMAND_TIMEOUT'));
  });
});
