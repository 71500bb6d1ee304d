import { Redis } from 'ioredis';
import { testRedisUrl } from '#test/test-helpers';
import { RedisCoordinator } from '../redis/redis-coordinator';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { ruleKeys } from './rate-limit-keys';
import { resolveRateLimitRule } from './rate-limit-rule.resolver';
import type { RateLimitStoreCheck } from './rate-limit-store';
import { RedisRateLimitStore } from './redis-rate-limit.store';
import type { RateLimitRule } from './rate-limit.types';

const origin = { subject: 'rate limit rule', path: 'rule' };

function checksOf(namespace: string, client: string, rules: RateLimitRule[]): RateLimitStoreCheck[] {
  return rules.map((raw) => {
    const rule = resolveRateLimitRule(raw, origin, 'default');
    return { rule, keys: ruleKeys(namespace, client, rule) };
  });
}

/**
 * The sliding-window script answers an allowed request within the newest segment with one
 * integer per rule; these walks check it says exactly what the general code (mirrored by the
 * memory store) says, on every step: first hits, hits within a segment, segment changes, refusals.
 */
describe('the sliding-window fast path', () => {
  let coordinator: RedisCoordinator;
  beforeAll(async () => {
    coordinator = new RedisCoordinator(new Redis(testRedisUrl()), true, 2000);
    await coordinator.waitUntilReady(10_000);
  });
  afterAll(() => coordinator.close());

  const walks: Array<[string, RateLimitRule[], number]> = [
    ['one rule', [{ name: 'a', limit: 5, window: '1s' }], 37],
    [
      'two rules',
      [
        { name: 'a', limit: 4, window: '1s' },
        { name: 'b', limit: 9, window: '10s', cost: 2 },
      ],
      23,
    ],
    ['a day-long window', [{ name: 'd', limit: 1_000_000_000, window: '1d' }], 997],
    ['a fractional window', [{ name: 'f', limit: 3, window: 1234.5 }], 61],
  ];
  it.each(walks)('%s: Redis and the memory store agree on every step', async (_, rules, stepMs) => {
    let now = 1_764_000_000_000;
    const clock = () => now;
    const redis = new RedisRateLimitStore(coordinator, clock);
    const memory = new MemoryRateLimitStore(1000, clock);
    const namespace = `fast-${Math.random().toString(36).slice(2)}`;
    const checks = checksOf(namespace, 'client', rules);
    let allowed = 0;
    for (let step = 0; step < 120; step++) {
      const [fromRedis, fromMemory] = [await redis.consume(checks), await memory.consume(checks)];
      expect({ step, ...fromRedis }).toEqual({ step, ...fromMemory });
      if (fromRedis.allowed) allowed++;
      now += step % 7 === 0 ? stepMs * 3 : stepMs;
    }
    // The walk went through both outcomes, so both replies were compared.
    expect(allowed).toBeGreaterThan(0);
    if (rules[0].limit < 1000) expect(allowed).toBeLessThan(120);
  });

  it("past the store's bound on scripts with rules written in, requests send their rules and answer the same", async () => {
    let now = 1_764_000_000_000;
    const clock = () => now;
    const redis = new RedisRateLimitStore(coordinator, clock);
    const memory = new MemoryRateLimitStore(1000, clock);
    const namespace = `fast-${Math.random().toString(36).slice(2)}`;
    // 80 limits: more parameter sets than one store bakes scripts for.
    for (let limit = 1; limit <= 80; limit++) {
      const checks = checksOf(namespace, `client-${limit}`, [{ name: 'n', limit, window: '1s' }]);
      for (let step = 0; step < 3; step++) {
        expect({ limit, step, ...(await redis.consume(checks)) }).toEqual({
          limit,
          step,
          ...(await memory.consume(checks)),
        });
        now += 7;
      }
    }
  });
});
