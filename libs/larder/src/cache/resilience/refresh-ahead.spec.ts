import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Cacheable, CacheService } from '@larder/nestjs';
import { createLarderModule, eventually, testRedisUrl, uniqueNamespace } from '#test/test-helpers';
import { RESILIENCE_SETUPS } from './resilience.fixtures';

/** Long enough that a loaded machine still reads the key several times per ttl. */
const TTL = 1_500;
const RATIO = 0.5;

describe.each(RESILIENCE_SETUPS)('getOrSet with refreshAhead on %s', (_name, makeOptions) => {
  let moduleRef: TestingModule;
  let cache: CacheService;

  beforeEach(async () => {
    moduleRef = await createLarderModule({ namespace: uniqueNamespace(), ...makeOptions() });
    cache = moduleRef.get(CacheService);
  });

  afterEach(async () => {
    await moduleRef.close();
  });

  it('under steady reads the key never misses across several ttls; one loader run per refresh', async () => {
    let calls = 0;
    let running = 0;
    let overlapped = false;
    const loader = async () => {
      calls++;
      running++;
      if (running > 1) overlapped = true;
      // The "database" takes a while: a refresh must not make readers wait for it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      running--;
      return calls;
    };
    const options = { ttl: TTL, refreshAhead: RATIO };
    expect(await cache.getOrSet('hot', loader, options)).toBe(1);
    const missesAfterFirst = cache.stats().misses;

    const seen = new Set<number>();
    const until = Date.now() + 3 * TTL;
    while (Date.now() < until) {
      // Several concurrent readers each round: they must share a refresh, not start one each.
      const values = await Promise.all([1, 2, 3, 4, 5].map(() => cache.getOrSet('hot', loader, options)));
      for (const value of values) seen.add(value);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    expect(cache.stats().misses).toBe(missesAfterFirst);
    expect(overlapped).toBe(false);
    // Refreshes happened (new values were served) and at most one per half ttl, plus the cold load.
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(3 / RATIO + 2);
  });

  it('a hit before the refresh point does not run the loader', async () => {
    let calls = 0;
    const loader = () => ++calls;
    await cache.getOrSet('k', loader, { ttl: 60_000, refreshAhead: 0.8 });
    for (let i = 0; i < 10; i++) await cache.getOrSet('k', loader, { ttl: 60_000, refreshAhead: 0.8 });
    expect(calls).toBe(1);
  });

  it('a failing refresh keeps the current value and rests the loader', async () => {
    let calls = 0;
    let failing = false;
    const loader = async () => {
      calls++;
      if (failing) throw new Error('database down');
      return calls;
    };
    const options = { ttl: 600, refreshAhead: 0.1, failSafeThrottle: '1m' as const };
    expect(await cache.getOrSet('k', loader, options)).toBe(1);
    failing = true;
    await eventually(async () => (await cache.getOrSet('k', loader, options)) === 1 && calls === 2);
    for (let i = 0; i < 5; i++) expect(await cache.getOrSet('k', loader, options)).toBe(1);
    expect(calls).toBe(2);
  });

  it('refuses a refreshAhead outside [0, 1)', async () => {
    for (const bad of [1, 1.5, -0.1, '0.8']) {
      await expect(cache.getOrSet('k', () => 1, { refreshAhead: bad as never })).rejects.toMatchObject({
        code: 'E_INVALID_OPTION',
        message: expect.stringContaining('"refreshAhead"'),
      });
    }
  });
});

@Injectable()
class Rates {
  calls = 0;

  @Cacheable({ key: 'rates', ttl: 400, refreshAhead: 0.25 })
  async rates(): Promise<number> {
    return ++this.calls;
  }
}

it('@Cacheable takes refreshAhead', async () => {
  const moduleRef = await createLarderModule(
    { namespace: uniqueNamespace(), redis: testRedisUrl() },
    { providers: [Rates] },
  );
  try {
    const rates = moduleRef.get(Rates);
    expect(await rates.rates()).toBe(1);
    // Past a quarter of the ttl, a call still gets the cached 1 and starts the refresh that brings 2.
    await eventually(async () => (await rates.rates()) === 2, 5000, 'the refreshed value');
    expect(moduleRef.get(CacheService).stats().misses).toBe(1);
  } finally {
    await moduleRef.close();
  }
});
