import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RateLimitService, type LarderModuleOptions, type RateLimitRule } from '@larder/nestjs';
import { clientTag } from '@larder/nestjs/rate-limit/rate-limit-keys';
import { startRateLimitApp } from '@larder/nestjs/rate-limit/rate-limit-test-app.fixtures';
import { keySlot } from '@larder/nestjs/redis/key-slot';
import { createLarderModule, uniqueNamespace, UNHURRIED_TIMEOUT } from '#test/test-helpers';
import { testClusterNodes, testSentinel } from './shared-topologies';

/**
 * Multi-rule rate limits on the shared cluster and Sentinel group: over HTTP (`@RateLimit([...])`
 * on one client key) and through `RateLimitService.consumeAll` (one and two client keys). On a cluster, rules of one client key run as one
 * atomic script; rules of different client keys live in different slots and run as one script
 * per client key, in order, stopping at the first refusal (docs/rate-limits.md, "Keys"). These
 * pin both, and that Sentinel (one master) stays all-or-nothing.
 */
const topologies: Array<[string, () => LarderModuleOptions['redis'], 'per-client' | 'all-or-nothing']> = [
  ['Redis Cluster', () => ({ nodes: testClusterNodes() }), 'per-client'],
  ['Sentinel', () => testSentinel(), 'all-or-nothing'],
];

describe.each(topologies)('multi-rule rate limits on %s', (_name, redis, atomicity) => {
  // Counting is the subject: a call that timed out on a starved machine (or went out before the
  // cluster was ready, which the boot awaits up to commandTimeout) would be answered by the
  // per-instance insurance limiter and let more than the limit through.
  const options = () => ({
    redis: redis(),
    namespace: uniqueNamespace('rl'),
    commandTimeout: UNHURRIED_TIMEOUT,
  });
  describe('over HTTP (@RateLimit with two rules)', () => {
    let app: INestApplication | undefined;
    const start = async () => {
      app = await startRateLimitApp('express', options());
      return request(app.getHttpServer());
    };
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('lets exactly 50 of 200 concurrent requests through a limit of 50', async () => {
      const http = await start();
      const statuses = (await Promise.all(Array.from({ length: 200 }, () => http.get('/flood')))).map(
        (r) => r.status,
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(50);
      expect(statuses.filter((s) => s === 429)).toHaveLength(150);
    });

    it('enforces two rules of one client key, and a refused request consumes neither', async () => {
      const http = await start();
      await http.get('/two-a').expect(200);
      await http.get('/two-a').expect(200);
      const refused = await http.get('/two-a').expect(429); // a-short is spent
      expect(refused.headers['ratelimit']).toMatch(/^"a-short";r=0;t=\d+, "shared-long";r=1;t=\d+$/);
      await http.get('/two-b').expect(200); // the hourly budget still had 1 left
      await http.get('/two-b').expect(429);
    });
  });

  describe('RateLimitService.consumeAll', () => {
    const rule = (name: string, limit: number): RateLimitRule => ({ name, limit, window: '1m' });

    it('keeps the rules of one client key all-or-nothing', async () => {
      const moduleRef = await createLarderModule(options());
      try {
        const rateLimits = moduleRef.get(RateLimitService);
        const checks = [
          { key: 'client', rule: rule('wide', 5) },
          { key: 'client', rule: rule('narrow', 1) },
        ];
        expect((await rateLimits.consumeAll(checks)).allowed).toBe(true);
        const refused = await rateLimits.consumeAll(checks);
        expect(refused.allowed).toBe(false);
        expect(refused.denied.map((r) => r.rule)).toEqual(['narrow']);
        expect((await rateLimits.consume('client', rule('wide', 5))).remaining).toBe(3);
      } finally {
        await moduleRef.close();
      }
    });

    it(`with different client keys ${atomicity === 'per-client' ? 'consumes up to the first refusing key, in order, and not past it' : 'stays all-or-nothing'}`, async () => {
      const [first, second] = ['first-client', 'second-client'];
      // Different slots on a cluster: the case the documentation describes.
      expect(keySlot(`{${clientTag(first)}}`)).not.toBe(keySlot(`{${clientTag(second)}}`));
      const moduleRef = await createLarderModule(options());
      try {
        const rateLimits = moduleRef.get(RateLimitService);
        const wide = rule('wide', 5);
        const narrow = rule('narrow', 1);
        await rateLimits.consume(second, narrow); // the second client's rule is spent
        const refused = await rateLimits.consumeAll([
          { key: first, rule: wide },
          { key: second, rule: narrow },
        ]);
        expect(refused.allowed).toBe(false);
        expect(refused.denied.map((r) => r.rule)).toEqual(['narrow']);
        // The first client's script ran before the refusal on a cluster; it consumed nothing elsewhere.
        const spentBefore = atomicity === 'per-client' ? 1 : 0;
        expect((await rateLimits.consume(first, wide)).remaining).toBe(5 - spentBefore - 1);

        // Refused by the first key: the second key's script never runs, and reports its full quota.
        const reversed = await rateLimits.consumeAll([
          { key: second, rule: narrow },
          { key: first, rule: wide },
        ]);
        expect(reversed.allowed).toBe(false);
        expect(reversed.results[1].remaining).toBe(atomicity === 'per-client' ? 5 : 5 - spentBefore - 1);
        expect((await rateLimits.consume(first, wide)).remaining).toBe(5 - spentBefore - 2);
      } finally {
        await moduleRef.close();
      }
    });
  });
});
