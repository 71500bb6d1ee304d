import type { TestingModule } from '@nestjs/testing';
import { Counter, register, Registry } from 'prom-client';
import {
  CacheService,
  InvalidOptionError,
  LarderMetrics,
  LockService,
  RateLimitService,
  SessionService,
  type RateLimitRule,
  type LarderModuleOptions,
} from '@larder/nestjs';
import { createLarderModule, eventually, testRedisUrl, uniqueNamespace } from '#test/test-helpers';
import { freePort } from '#test/redis-server';
import { CacheCore } from '../cache/cache-core';
import type { CacheEventName } from '../cache/cache-events';

type Labels = Record<string, string>;

/** The value of one series (`suffix` picks a histogram's `_count`/`_sum`), or undefined when absent. */
async function read(
  registry: Registry,
  name: string,
  labels: Labels,
  suffix = '',
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  const match = values.find(
    (v) =>
      (suffix === '' || (v as { metricName?: string }).metricName === name + suffix) &&
      Object.entries(labels).every(([k, x]) => v.labels[k] === x) &&
      Object.keys(v.labels).filter((k) => k !== 'le').length === Object.keys(labels).length,
  );
  return match?.value;
}

const CACHE_EVENTS: CacheEventName[] = [
  'hit',
  'miss',
  'write',
  'delete',
  'clear',
  'expire',
  'evict',
  'error',
];

/** Whether anything listens to any event of the module's four event streams. */
function listening(moduleRef: TestingModule): Record<string, boolean> {
  const core = moduleRef.get(CacheCore);
  type Wants = { events: { wants(name: string): boolean } };
  const locks = moduleRef.get(LockService) as unknown as Wants;
  const rateLimits = moduleRef.get(RateLimitService) as unknown as Wants;
  const sessions = moduleRef.get(SessionService) as unknown as { events: { eventNames(): unknown[] } };
  return {
    cache: CACHE_EVENTS.some((e) => core.events.wants(e)),
    lock: ['lock.acquired', 'lock.failed', 'lock.lost', 'lock.released'].some((e) => locks.events.wants(e)),
    rateLimit: ['ratelimit.allowed', 'ratelimit.blocked'].some((e) => rateLimits.events.wants(e)),
    session: sessions.events.eventNames().length > 0,
  };
}

describe('Prometheus metrics', () => {
  const modules: TestingModule[] = [];
  let registry: Registry;

  async function start(options: LarderModuleOptions): Promise<TestingModule> {
    const moduleRef = await createLarderModule({ namespace: uniqueNamespace('m'), ...options });
    modules.push(moduleRef);
    return moduleRef;
  }

  beforeEach(() => {
    registry = new Registry();
  });

  afterEach(async () => {
    await Promise.all(modules.splice(0).map((m) => m.close()));
  });

  it('subscribes to nothing and registers nothing when metrics are off', async () => {
    const off = await start({ memory: { maxItems: 10 } });
    expect(listening(off)).toEqual({ cache: false, lock: false, rateLimit: false, session: false });
    const metrics = off.get(LarderMetrics);
    expect(metrics.enabled).toBe(false);
    expect(await metrics.metrics()).toBe('');

    const disabled = await start({ metrics: { enabled: false, registry } });
    expect(listening(disabled)).toEqual({ cache: false, lock: false, rateLimit: false, session: false });
    expect(registry.getMetricsAsArray()).toEqual([]);

    const on = await start({ metrics: { registry } });
    expect(listening(on)).toEqual({ cache: true, lock: true, rateLimit: true, session: true });
  });

  it('unsubscribes when the module closes', async () => {
    const moduleRef = await start({ memory: { maxItems: 10 }, metrics: { registry }, name: 'closing' });
    const core = moduleRef.get(CacheCore);
    expect(core.events.wants('hit')).toBe(true);
    // Counted but not scraped yet: closing must not lose it.
    expect(await moduleRef.get(CacheService).get('nothing')).toBeUndefined();
    await moduleRef.close();
    modules.splice(modules.indexOf(moduleRef), 1);
    expect(CACHE_EVENTS.some((e) => core.events.wants(e))).toBe(false);
    expect(await read(registry, 'larder_cache_items', { cache: 'closing' })).toBeUndefined();
    expect(await read(registry, 'larder_cache_misses_total', { cache: 'closing' })).toBe(1);
    await moduleRef.get(CacheService).get('after-close');
    expect(await read(registry, 'larder_cache_misses_total', { cache: 'closing' })).toBe(1);
  });

  it('counts cache hits by tier, misses, writes, deletes, evictions, L1 items and times store calls', async () => {
    const moduleRef = await start({ name: 'shop', memory: { maxItems: 2 }, metrics: { registry } });
    const cache = moduleRef.get(CacheService);
    const shop = { cache: 'shop' };
    expect(await read(registry, 'larder_cache_hits_total', { ...shop, tier: 'l1' })).toBe(0);

    await cache.set('a', 1);
    await cache.set('b', 2);
    expect(await cache.get('a')).toBe(1); // L1 hit
    expect(await cache.get('nope')).toBeUndefined(); // miss
    await cache.set('c', 3); // evicts the least recently used L1 entry ("b")
    expect(await cache.get('b')).toBe(2); // L2 hit (back into L1)
    await cache.del('a');

    expect(await read(registry, 'larder_cache_hits_total', { ...shop, tier: 'l1' })).toBe(1);
    expect(await read(registry, 'larder_cache_hits_total', { ...shop, tier: 'l2' })).toBe(1);
    expect(await read(registry, 'larder_cache_misses_total', shop)).toBe(1);
    expect(await read(registry, 'larder_cache_writes_total', shop)).toBe(3);
    expect(await read(registry, 'larder_cache_deletes_total', shop)).toBe(1);
    const l1 = { ...shop, tier: 'l1' };
    expect(await read(registry, 'larder_cache_evictions_total', { ...l1, reason: 'capacity' })).toBe(2);
    expect(await read(registry, 'larder_cache_items', l1)).toBe(cache.stats().l1Items);
    expect(cache.stats().l1Items).toBeGreaterThan(0);
    const duration = 'larder_cache_operation_duration_seconds';
    expect(await read(registry, duration, { ...shop, operation: 'set', tier: 'l2' }, '_count')).toBe(3);
    // One L2 hit and one miss went to the store; the L1 hit is not timed.
    expect(await read(registry, duration, { ...shop, operation: 'get', tier: 'l2' }, '_count')).toBe(2);
    expect(
      await read(registry, duration, { ...shop, operation: 'get', tier: 'l1' }, '_count'),
    ).toBeUndefined();

    const text = await moduleRef.get(LarderMetrics).metrics();
    expect(text).toContain('larder_cache_hits_total{cache="shop",tier="l1"} 1');
    expect(moduleRef.get(LarderMetrics).contentType).toBe(registry.contentType);
  });

  it('counts store errors by operation while Redis is unreachable', async () => {
    // Nothing listens on this port: every store call fails, and the cache fails open.
    const redis = `redis://127.0.0.1:${await freePort()}`;
    const moduleRef = await start({ redis, name: 'errs', commandTimeout: 200, metrics: { registry } });
    const cache = moduleRef.get(CacheService);
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', 'v');
    expect(await read(registry, 'larder_cache_errors_total', { cache: 'errs', operation: 'get' })).toBe(1);
    expect(await read(registry, 'larder_cache_errors_total', { cache: 'errs', operation: 'set' })).toBe(1);
    expect(await read(registry, 'larder_cache_misses_total', { cache: 'errs' })).toBe(1);
    expect(await read(registry, 'larder_cache_writes_total', { cache: 'errs' })).toBe(0);
    // Locks fail closed, and the failure is told apart from contention.
    expect(await moduleRef.get(LockService).acquire('job')).toBeNull();
    expect(await read(registry, 'larder_lock_failed_total', { cache: 'errs', reason: 'error' })).toBe(1);
    expect(await read(registry, 'larder_lock_failed_total', { cache: 'errs', reason: 'held' })).toBe(0);
  });

  it('counts locks acquired, failed under contention and lost on Redis', async () => {
    const moduleRef = await start({ redis: testRedisUrl(), name: 'locks', metrics: { registry } });
    const locks = moduleRef.get(LockService);
    const held = await locks.acquire('job', { ttl: '10s' });
    expect(held).not.toBeNull();
    expect(await locks.acquire('job', { ttl: '10s' })).toBeNull();
    await held!.release();
    const short = await locks.acquire('short', { ttl: 100 });
    expect(short).not.toBeNull();

    expect(await read(registry, 'larder_lock_acquired_total', { cache: 'locks' })).toBe(2);
    expect(await read(registry, 'larder_lock_failed_total', { cache: 'locks', reason: 'held' })).toBe(1);
    await eventually(
      async () =>
        (await read(registry, 'larder_lock_lost_total', { cache: 'locks', reason: 'expired' })) === 1,
      5000,
      'the expired lock to count as lost',
    );
  });

  it('counts rate-limit checks per rule as allowed or blocked', async () => {
    const moduleRef = await start({ redis: testRedisUrl(), name: 'rl', metrics: { registry } });
    const rateLimits = moduleRef.get(RateLimitService);
    const rule: RateLimitRule = { name: 'search', limit: 2, window: '1m' };
    for (let i = 0; i < 3; i++) await rateLimits.consume('ip:203.0.113.7', rule);
    expect(
      await read(registry, 'larder_ratelimit_requests_total', {
        cache: 'rl',
        rule: 'search',
        result: 'allowed',
      }),
    ).toBe(2);
    expect(
      await read(registry, 'larder_ratelimit_requests_total', {
        cache: 'rl',
        rule: 'search',
        result: 'blocked',
      }),
    ).toBe(1);
  });

  it('counts sessions created and destroyed, by reason', async () => {
    const moduleRef = await start({ redis: testRedisUrl(), name: 'sess', metrics: { registry } });
    const sessions = moduleRef.get(SessionService);
    const first = await sessions.create({ theme: 'dark' }, { userId: 'u1' });
    await sessions.create({}, { userId: 'u1' });
    await sessions.destroy(first.id);
    await sessions.destroyAllForUser('u1');
    expect(await read(registry, 'larder_sessions_created_total', { cache: 'sess' })).toBe(2);
    expect(
      await read(registry, 'larder_sessions_destroyed_total', { cache: 'sess', reason: 'destroy' }),
    ).toBe(1);
    expect(
      await read(registry, 'larder_sessions_destroyed_total', { cache: 'sess', reason: 'destroy-all' }),
    ).toBe(1);
  });

  it("exports the memory value store's items and evictions as tier l2, and no l2 items on Redis", async () => {
    const moduleRef = await start({ name: 'mem', maxMemoryItems: 2, metrics: { registry } });
    const cache = moduleRef.get(CacheService);
    for (const key of ['a', 'b', 'c']) await cache.set(key, key);
    const l2 = { cache: 'mem', tier: 'l2' };
    expect(await read(registry, 'larder_cache_items', l2)).toBe(2);
    expect(await read(registry, 'larder_cache_evictions_total', { ...l2, reason: 'capacity' })).toBe(1);
    expect(await read(registry, 'larder_cache_evictions_total', { ...l2, reason: 'expired' })).toBe(0);
    expect(
      await read(registry, 'larder_cache_evictions_total', { cache: 'mem', tier: 'l1', reason: 'capacity' }),
    ).toBe(0);

    await start({ name: 'remote', redis: testRedisUrl(), metrics: { registry } });
    expect(await read(registry, 'larder_cache_items', { cache: 'remote', tier: 'l1' })).toBe(0);
    expect(await read(registry, 'larder_cache_items', { cache: 'remote', tier: 'l2' })).toBeUndefined();
  });

  it('keeps two modules with different names apart in one registry', async () => {
    const a = await start({ name: 'a', memory: { maxItems: 10 }, metrics: { registry } });
    const b = await start({ name: 'b', metrics: { registry } });
    await a.get(CacheService).set('x', 1);
    await a.get(CacheService).get('x');
    await b.get(CacheService).get('x');
    expect(await read(registry, 'larder_cache_hits_total', { cache: 'a', tier: 'l1' })).toBe(1);
    expect(await read(registry, 'larder_cache_misses_total', { cache: 'a' })).toBe(0);
    expect(await read(registry, 'larder_cache_misses_total', { cache: 'b' })).toBe(1);
    expect(await read(registry, 'larder_cache_items', { cache: 'a', tier: 'l1' })).toBe(1);
    expect(await read(registry, 'larder_cache_items', { cache: 'b', tier: 'l1' })).toBe(0);
    expect(await read(registry, 'larder_cache_items', { cache: 'a', tier: 'l2' })).toBe(1);
    expect(await read(registry, 'larder_cache_items', { cache: 'b', tier: 'l2' })).toBe(0);
    const text = await registry.metrics();
    expect(text.match(/^# TYPE larder_cache_hits_total counter$/gm)).toHaveLength(1);
  });

  it('registers again after the app cleared the registry, and honours the prefix', async () => {
    await start({ name: 'first', metrics: { registry, prefix: 'shop_' } });
    registry.clear();
    const again = await start({ name: 'second', metrics: { registry, prefix: 'shop_' } });
    await again.get(CacheService).get('nothing');
    expect(await read(registry, 'shop_cache_misses_total', { cache: 'second' })).toBe(1);
    expect(registry.getSingleMetric('larder_cache_misses_total')).toBeUndefined();
  });

  it("uses prom-client's default registry with { enabled: true }", async () => {
    const moduleRef = await start({ name: 'global', metrics: { enabled: true } });
    await moduleRef.get(CacheService).get('nothing');
    expect(moduleRef.get(LarderMetrics).registry).toBe(register);
    expect(await read(register, 'larder_cache_misses_total', { cache: 'global' })).toBe(1);
    register.clear();
  });

  it('rejects bad metrics options at boot, naming the field', async () => {
    const bad: Array<[unknown, RegExp]> = [
      ['yes', /"metrics"/],
      [{ enabled: 'yes' }, /"metrics.enabled"/],
      [{ prefix: '9bad' }, /"metrics.prefix"/],
      [{ buckets: [0.1, 0.05] }, /"metrics.buckets"/],
      [{ buckets: [] }, /"metrics.buckets"/],
      [{ registry: {} }, /"metrics.registry"/],
      [{ registy: registry }, /"metrics.registy"/],
    ];
    for (const [metrics, message] of bad) {
      const error = await start({ metrics: metrics as LarderModuleOptions['metrics'] }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('refuses a registry that already holds a metric of the same name, and different buckets for a shared histogram', async () => {
    new Counter({ name: 'larder_cache_hits_total', help: 'not Larder', registers: [registry] });
    await expect(start({ metrics: { registry } })).rejects.toThrow(
      /"metrics.prefix".*larder_cache_hits_total/,
    );

    const other = new Registry();
    await start({ name: 'one', metrics: { registry: other } });
    await expect(start({ name: 'two', metrics: { registry: other, buckets: [0.1, 1] } })).rejects.toThrow(
      /"metrics.buckets"/,
    );
  });
});
