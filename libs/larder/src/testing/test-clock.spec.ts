import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  type LarderModuleOptions,
  type RateLimitRule,
  CacheService,
  LeaderboardService,
  LockService,
  RateLimitService,
  SessionService,
} from '@larder/nestjs';
import { LarderTestClock, startLarder, type LarderTestingModule } from '@larder/nestjs/testing';
import { parseDuration, type Duration } from '../common/duration';

/** One way of moving time for a module: Larder's test clock, or jest's modern fake timers. */
interface TimeDriver {
  start(): Promise<LarderTestingModule>;
  advance(by: Duration): void;
  stop(): void;
}

const OPTIONS: LarderModuleOptions = { memory: { maxItems: 100, ttl: '1h' } };

const testClock = (): TimeDriver => {
  const clock = new LarderTestClock();
  return {
    start: () => startLarder(OPTIONS, {}, { clock }),
    advance: (by) => clock.advance(by),
    stop: () => undefined,
  };
};

const jestFakeTimers = (): TimeDriver => ({
  start: () => {
    jest.useFakeTimers(); // modern timers: Date and performance are faked too
    return startLarder(OPTIONS);
  },
  advance: (by) => jest.advanceTimersByTime(parseDuration(by, 'by')),
  stop: () => jest.useRealTimers(),
});

describe.each([
  ['LarderTestClock', testClock],
  ['jest fake timers', jestFakeTimers],
])('memory-backed expiry driven by %s', (_name, makeDriver) => {
  let driver: TimeDriver;
  let moduleRef: LarderTestingModule;

  const start = async () => {
    driver = makeDriver();
    moduleRef = await driver.start();
  };

  afterEach(async () => {
    await moduleRef?.close();
    driver?.stop();
  });

  it('cache entries (and their L1 copies) live until their ttl, then are gone', async () => {
    await start();
    const cache = moduleRef.get(CacheService);
    await cache.set('price', 10, { ttl: '5m', tags: ['prices'] });
    driver.advance('4m');
    expect(await cache.get('price')).toBe(10); // an L1 hit
    expect(await cache.ttl('price')).toBeLessThanOrEqual(parseDuration('1m', 'ttl'));
    driver.advance('1m');
    expect(await cache.get('price')).toBeUndefined();
    expect(await cache.has('price')).toBe(false);
    expect(await cache.invalidateTags(['prices'])).toBe(0);
  });

  it('getOrSet runs the loader again once the ttl has passed', async () => {
    await start();
    const cache = moduleRef.get(CacheService);
    let loads = 0;
    const load = () => cache.getOrSet('report', async () => ++loads, { ttl: '10m' });
    expect(await load()).toBe(1);
    driver.advance('9m');
    expect(await load()).toBe(1);
    driver.advance('2m');
    expect(await load()).toBe(2);
  });

  it('a lock is free for another owner once its ttl has passed', async () => {
    await start();
    const locks = moduleRef.get(LockService);
    expect(await locks.acquire('stock:1', { ttl: '30s' })).not.toBeNull();
    expect(await locks.acquire('stock:1', { ttl: '30s' })).toBeNull();
    driver.advance('31s');
    expect(await locks.acquire('stock:1', { ttl: '30s' })).not.toBeNull();
  });

  it('a rate-limit window refills', async () => {
    await start();
    const rateLimits = moduleRef.get(RateLimitService);
    const rule: RateLimitRule = { name: 'sms', limit: 1, window: '1m' };
    expect((await rateLimits.consume('tenant:1', rule)).allowed).toBe(true);
    expect((await rateLimits.consume('tenant:1', rule)).allowed).toBe(false);
    driver.advance('2m');
    expect((await rateLimits.consume('tenant:1', rule)).allowed).toBe(true);
  });

  it('a session expires after its ttl', async () => {
    await start();
    const sessions = moduleRef.get(SessionService);
    const { id } = await sessions.create({ cart: [] }, { userId: 'u1', ttl: '1h' });
    driver.advance('59m');
    expect(await sessions.get(id)).toMatchObject({ userId: 'u1' });
    driver.advance('2h');
    expect(await sessions.get(id)).toBeUndefined();
  });

  it('a leaderboard with a ttl is emptied once it passes', async () => {
    await start();
    const board = moduleRef.get(LeaderboardService).board('daily', { ttl: '1d' });
    await board.increment('alice', 3);
    driver.advance('23h');
    expect(await board.size()).toBe(1);
    driver.advance('2h');
    expect(await board.size()).toBe(0);
  });
});

describe('LarderTestClock', () => {
  it('runs ahead of real time by what it was advanced, and refuses a bad duration', () => {
    const clock = new LarderTestClock();
    clock.advance('1h');
    clock.advance(500);
    expect(clock.advancedBy).toBe(3_600_500);
    expect(clock.now()).toBeGreaterThanOrEqual(Date.now() + 3_600_000);
    expect(() => clock.advance('soon' as Duration)).toThrow(
      expect.objectContaining({ code: 'E_INVALID_OPTION' }),
    );
  });
});
