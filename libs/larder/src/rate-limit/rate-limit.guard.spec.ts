import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { testRedisUrl, uniqueNamespace } from '#test/test-helpers';
import { startRateLimitApp, type AdapterKind } from './rate-limit-test-app.fixtures';

describe.each(['express', 'fastify'] as const)(
  'RateLimitGuard over HTTP (%s, Redis)',
  (adapter: AdapterKind) => {
    let app: INestApplication | undefined;
    const start = async (rateLimit: object = {}, trustProxy = false) => {
      app = await startRateLimitApp(
        adapter,
        { redis: testRedisUrl(), namespace: uniqueNamespace('rl'), rateLimit },
        trustProxy,
      );
      return request(app.getHttpServer());
    };
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('lets exactly 50 of 200 concurrent requests through a limit of 50', async () => {
      const http = await start();
      const responses = await Promise.all(Array.from({ length: 200 }, () => http.get('/flood')));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(50);
      expect(statuses.filter((s) => s === 429)).toHaveLength(150);
    });

    it('enforces two rules, and a refused request consumes neither', async () => {
      const http = await start();
      expect((await http.get('/two-a')).status).toBe(200);
      expect((await http.get('/two-a')).status).toBe(200);
      const refused = await http.get('/two-a'); // a-short is spent
      expect(refused.status).toBe(429);
      // Sliding windows are whole again 60-66 s (1 h-1.1 h) after their newest unit.
      const [short, long] = refused.headers['ratelimit'].split(', ');
      expect(short).toMatch(/^"a-short";r=0;t=6\d$/);
      expect(long).toMatch(/^"shared-long";r=1;t=(3[6-9]\d\d)$/);
      expect((await http.get('/two-b')).status).toBe(200); // the hourly budget still had 1 left
      const spent = await http.get('/two-b');
      expect(spent.status).toBe(429);
      expect(spent.body.detail).toContain('"shared-long"');
    });

    it('sends correct, decreasing RateLimit headers and the policy', async () => {
      const http = await start();
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await http.get('/headers').expect(200);
        expect(res.headers['ratelimit-policy']).toBe('"h";q=3;w=60');
        const match = /^"h";r=(\d+);t=(\d+)$/.exec(res.headers['ratelimit']);
        expect(match).not.toBeNull();
        remaining.push(Number(match![1]));
        expect(Number(match![2])).toBeGreaterThanOrEqual(55);
        expect(Number(match![2])).toBeLessThanOrEqual(60);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
      expect(remaining).toEqual([2, 1, 0]);
    });

    it('answers a refusal with 429, Retry-After and a problem-details body', async () => {
      const http = await start();
      for (let i = 0; i < 3; i++) await http.get('/headers').expect(200);
      const res = await http.get('/headers');
      expect(res.status).toBe(429);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(55);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(res.body).toEqual({
        type: 'about:blank',
        title: 'Too Many Requests',
        status: 429,
        detail: `Rate limit "h" exceeded (3 per 60s). Retry in ${retryAfter} s.`,
        retryAfter,
      });
      expect(res.headers['ratelimit']).toMatch(/^"h";r=0;t=\d+$/);
    });

    it('sends X-RateLimit-* only when legacyHeaders is on', async () => {
      const http = await start({ legacyHeaders: true, headers: false });
      const res = await http.get('/headers').expect(200);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
      expect(res.headers['x-ratelimit-remaining']).toBe('2');
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(55);
      expect(res.headers['ratelimit']).toBeUndefined();
      expect(res.headers['ratelimit-policy']).toBeUndefined();
    });

    it('applies module rules to every route, except where skipped', async () => {
      const http = await start({ rules: [{ limit: 2, window: '1m' }] });
      await http.get('/open').expect(200);
      const res = await http.get('/open').expect(200);
      expect(res.headers['ratelimit']).toMatch(/^"default";r=0;t=6\d$/);
      await http.get('/open').expect(429);
      for (let i = 0; i < 5; i++) {
        const skipped = await http.get('/skip').expect(200);
        expect(skipped.headers['ratelimit']).toBeUndefined();
      }
      const own = await http.get('/own').expect(200); // skips 'default', keeps its own rule
      expect(own.headers['ratelimit-policy']).toBe('"own";q=1;w=60');
      await http.get('/own').expect(429);
    });

    it('counts a custom `by` key, falling back to the ip when it is missing', async () => {
      const http = await start();
      await http.get('/api-key').set('x-api-key', 'k1').expect(200);
      await http.get('/api-key').set('x-api-key', 'k1').expect(200);
      await http.get('/api-key').set('x-api-key', 'k1').expect(429);
      await http.get('/api-key').set('x-api-key', 'k2').expect(200);
      await http.get('/api-key').expect(200);
      await http.get('/api-key').expect(200);
      await http.get('/api-key').expect(429);
    });

    it('counts a long `by` key (beyond maxKeyLength) by its whole value, never answering 500', async () => {
      const http = await start();
      const long = 'k'.repeat(6000);
      const sibling = `${long.slice(0, -1)}j`; // differs only in its last character
      await http.get('/api-key').set('x-api-key', long).expect(200);
      await http.get('/api-key').set('x-api-key', long).expect(200);
      await http.get('/api-key').set('x-api-key', long).expect(429);
      await http.get('/api-key').set('x-api-key', sibling).expect(200);
    });

    it('counts a `by` value of the wrong type against the ip instead of failing the request', async () => {
      const http = await start();
      await http.get('/by-query?k=a&k=b').expect(200); // an array: counted against the ip
      await http.get('/by-query').expect(429); // no key: the same ip budget, already spent
      await http.get('/by-query?k=a').expect(200); // a real key has its own budget
    });

    it("counts by: 'user' per user id, anonymous requests per ip", async () => {
      const http = await start();
      await http.get('/user').set('x-user', 'u1').expect(200);
      await http.get('/user').set('x-user', 'u1').expect(429);
      await http.get('/user').set('x-user', 'u2').expect(200);
      await http.get('/user').expect(200);
      await http.get('/user').expect(429);
    });

    it('ignores X-Forwarded-For when the framework does not trust the proxy', async () => {
      const http = await start();
      await http.get('/ip').set('x-forwarded-for', '198.51.100.1').expect(200);
      await http.get('/ip').set('x-forwarded-for', '198.51.100.2').expect(429);
    });

    it('uses the forwarded client when the framework trusts the proxy', async () => {
      const http = await start({}, true);
      await http.get('/ip').set('x-forwarded-for', '198.51.100.1').expect(200);
      await http.get('/ip').set('x-forwarded-for', '198.51.100.2').expect(200);
      await http.get('/ip').set('x-forwarded-for', '198.51.100.1').expect(429);
      // A spoofed entry to the left of the trusted chain does not become the client.
      await http.get('/ip').set('x-forwarded-for', '203.0.113.66, 198.51.100.2').expect(429);
    });

    it('blockFor refuses for the block, not just the window', async () => {
      const http = await start();
      await http.get('/block').expect(200);
      const first = await http.get('/block').expect(429);
      // The window is 10 s; only the 60 s block explains these waits.
      expect(Number(first.headers['retry-after'])).toBe(60);
      const again = await http.get('/block').expect(429);
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(50);
      expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(60);
    });
  },
);

describe.each(['express', 'fastify'] as const)(
  'RateLimitGuard over HTTP (%s, memory backend)',
  (adapter: AdapterKind) => {
    let app: INestApplication | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('enforces the same limits without Redis', async () => {
      app = await startRateLimitApp(adapter, { namespace: uniqueNamespace('rl') });
      const http = request(app.getHttpServer());
      const responses = await Promise.all(Array.from({ length: 200 }, () => http.get('/flood')));
      expect(responses.filter((r) => r.status === 200)).toHaveLength(50);
      const res = await http.get('/headers').expect(200);
      expect(res.headers['ratelimit']).toMatch(/^"h";r=2;t=60$/);
    });
  },
);
