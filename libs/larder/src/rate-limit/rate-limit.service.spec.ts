import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { RateLimitService, type RateLimitBlockedEvent, type RateLimitRule } from '@larder/nestjs';
import { createLarderModule, eventually, testRedisUrl, uniqueNamespace } from '#test/test-helpers';

describe.each(['memory', 'redis'] as const)('RateLimitService (%s)', (backend) => {
  let moduleRef: TestingModule;
  let service: RateLimitService;
  let namespace: string;

  beforeEach(async () => {
    namespace = uniqueNamespace('rl');
    moduleRef = await createLarderModule({
      namespace,
      ...(backend === 'redis' ? { redis: testRedisUrl() } : {}),
    });
    service = moduleRef.get(RateLimitService);
  });
  afterEach(async () => {
    await moduleRef.close();
  });

  it('uses the configured backend', () => {
    expect(service.backend).toBe(backend);
  });

  it('consume returns { allowed, limit, remaining, resetMs, retryAfterMs }', async () => {
    const rule: RateLimitRule = { name: 'jobs', limit: 2, window: '1m', algorithm: 'fixed-window' };
    const first = await service.consume('worker:1', rule);
    expect(first).toEqual({
      rule: 'jobs',
      allowed: true,
      limit: 2,
      windowMs: 60_000,
      count: 1,
      remaining: 1,
      resetMs: 60_000,
      retryAfterMs: 0,
      degraded: false,
    });
    await service.consume('worker:1', rule);
    const refused = await service.consume('worker:1', rule);
    expect(refused).toMatchObject({ allowed: false, count: 2, remaining: 0 });
    expect(refused.retryAfterMs).toBeGreaterThan(50_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it.each(['sliding-window', 'fixed-window', 'token-bucket'] as const)(
    'count is the units used in the window beside remaining (%s; costs count, refusals do not)',
    async (algorithm) => {
      const rule: RateLimitRule = { name: 'units', limit: 10, window: '1h', algorithm };
      const counts: Array<[number, number]> = [];
      for (const cost of [1, 3, 4, 5]) {
        const r = await service.consume('units', { ...rule, cost });
        counts.push([r.count, r.remaining]);
      }
      expect(counts).toEqual([
        [1, 9],
        [4, 6],
        [8, 2],
        [8, 2], // refused: cost 5 > 2 left, nothing consumed
      ]);
    },
  );

  it('lets exactly the limit through 200 concurrent calls', async () => {
    const rule: RateLimitRule = { limit: 50, window: '1m' };
    const results = await Promise.all(Array.from({ length: 200 }, () => service.consume('crowd', rule)));
    expect(results.filter((r) => r.allowed)).toHaveLength(50);
    expect(results.filter((r) => !r.allowed).every((r) => r.retryAfterMs > 0)).toBe(true);
  });

  it('emits ratelimit.blocked on refusals until the listener is removed', async () => {
    const seen: RateLimitBlockedEvent[] = [];
    const listener = (e: RateLimitBlockedEvent) => seen.push(e);
    service.on('ratelimit.blocked', listener);
    const rule: RateLimitRule = { name: 'once', limit: 1, window: '1m' };
    await service.consume('tenant:7', rule);
    await service.consume('tenant:7', rule);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      key: 'tenant:7',
      rule: 'once',
      limit: 1,
      windowMs: 60_000,
      degraded: false,
    });
    expect(seen[0].retryAfterMs).toBeGreaterThan(0);
    service.off('ratelimit.blocked', listener);
    await service.consume('tenant:7', rule);
    expect(seen).toHaveLength(1);
  });

  it('reset() gives a client its full quota back', async () => {
    const rule: RateLimitRule = { name: 'login', limit: 1, window: '1h', blockFor: '1h' };
    await service.consume('login:ann', rule);
    expect((await service.consume('login:ann', rule)).allowed).toBe(false);
    await service.reset('login:ann', rule);
    expect((await service.consume('login:ann', rule)).allowed).toBe(true);
  });

  it('accepts keys of any length and never lets two of them share a counter', async () => {
    const rule: RateLimitRule = { name: 'long', limit: 1, window: '1m' };
    const long = 'x'.repeat(100_000);
    const sibling = `${long.slice(0, -1)}y`; // differs only in its last character
    expect((await service.consume(long, rule)).allowed).toBe(true);
    expect((await service.consume(long, rule)).allowed).toBe(false);
    expect((await service.consume(sibling, rule)).allowed).toBe(true);
    await service.reset(long, rule);
    expect((await service.consume(long, rule)).allowed).toBe(true);
  });

  it('refuses bad keys and bad rules with typed errors', async () => {
    await expect(service.consume('', { limit: 1, window: '1s' })).rejects.toMatchObject({
      code: 'E_INVALID_KEY',
      message: 'Invalid rate limit key: "". Expected a non-empty string.',
    });
    await expect(service.consume(42 as unknown as string, { limit: 1, window: '1s' })).rejects.toMatchObject({
      code: 'E_INVALID_KEY',
      message: 'Invalid rate limit key: 42. Expected a non-empty string.',
    });
    await expect(service.consume('k', { limit: 0, window: '1s' })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('"rule.limit"'),
    });
    await expect(service.consumeAll([])).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });

  it('refuses unknown rule and check fields, naming them and the field meant', async () => {
    await expect(service.consume('k', { limit: 5, windw: '1s' } as never)).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringMatching(
        /^Unknown rate limit rule "rule\.windw"\. Did you mean "rule\.window"\?/,
      ),
    });
    await expect(service.consume('k', { limit: 5, window: '1s', ttl: 60 } as never)).rejects.toThrow(
      /"rule\.ttl"\. Did you mean "rule\.window"\?/,
    );
    await expect(service.reset('k', { limt: 5, window: '1s' } as never)).rejects.toThrow(
      /"rule\.limt"\. Did you mean "rule\.limit"\?/,
    );
    const rule: RateLimitRule = { limit: 5, window: '1s' };
    await expect(
      service.consumeAll([{ key: 'k', rule }, { key: 'k', rules: rule } as never]),
    ).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringMatching(
        /^Unknown rate limit check "checks\[1\]\.rules"\. Did you mean "checks\[1\]\.rule"\?/,
      ),
    });
    await expect(service.consumeAll([null as never])).rejects.toMatchObject({ code: 'E_INVALID_OPTION' });
    // Nothing was consumed by the refused calls.
    expect((await service.consume('k', rule)).remaining).toBe(4);
  });

  if (backend === 'redis') {
    it('stores hashed, namespaced keys with one hash tag per client', async () => {
      await service.consumeAll([
        { key: 'ip:203.0.113.9', rule: { name: 'burst', limit: 5, window: '1s' } },
        {
          key: 'ip:203.0.113.9',
          rule: { name: 'hourly', limit: 50, window: '1h', algorithm: 'token-bucket' },
        },
      ]);
      const redis = new Redis(testRedisUrl());
      try {
        // One SCAN call may return part of a busy database; follow the cursor to its end.
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, page] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
          keys.push(...page);
          cursor = next;
        } while (cursor !== '0');
        expect(keys.sort()).toEqual([
          expect.stringMatching(/:burst:swp1000$/),
          expect.stringMatching(/:hourly:tb3600000$/),
        ]);
        const tags = keys.map((k) => /^[^{]+:rl:\{([A-Za-z0-9_-]{22})\}:/.exec(k)?.[1]);
        expect(tags[0]).toBeDefined();
        expect(tags[0]).toBe(tags[1]);
        expect(keys.join()).not.toContain('203.0.113.9');
      } finally {
        redis.disconnect();
      }
    });

    it('refills a token bucket in real time on the server clock', async () => {
      // 1 token/s: the four grants and the refusal must fall within one second of each other.
      const rule: RateLimitRule = { name: 'tb', limit: 4, window: 4000, algorithm: 'token-bucket' };
      const started = Date.now();
      for (let i = 0; i < 4; i++) expect((await service.consume('rt', rule)).allowed).toBe(true);
      const refused = await service.consume('rt', rule);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);
      await eventually(async () => (await service.consume('rt', rule)).allowed, 3000, 'a refilled token');
      // Redis and this process share the machine's clock: one token takes a second to come back.
      expect(Date.now() - started).toBeGreaterThanOrEqual(999);
    });
  }
});
