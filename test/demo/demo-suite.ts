import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { RedisServerHandle } from '../redis-server';
import { eventually } from '../test-helpers';
import { startDemo } from './demo-app';

/** The console token the suite boots the demo with (LARDER_CONSOLE_TOKEN). */
const CONSOLE_TOKEN = 'demo-suite-console-token';

/** Sums the samples of a metric whose labels include `labels` in a Prometheus text exposition. */
function sample(text: string, metric: string, labels: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${metric}{`) && l.includes(labels))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/**
 * Every demo endpoint, end to end over HTTP. `env` selects the setup (memory or Redis); with
 * `server`, the suite also stops and restarts that Redis to watch /health go down and up.
 */
export function describeDemo(
  setup: string,
  env: () => Record<string, string | undefined>,
  server?: () => RedisServerHandle,
): void {
  describe(`demo app on ${setup}`, () => {
    let app: INestApplication;
    let http: ReturnType<typeof request>;

    beforeAll(async () => {
      app = await startDemo({
        DEMO_DB_LATENCY_MS: '20',
        NODE_ENV: 'test',
        LARDER_CONSOLE_TOKEN: CONSOLE_TOKEN,
        ...env(),
      });
      http = request(app.getHttpServer());
    });

    afterAll(async () => {
      await app?.close();
    });

    it('serves the Larder console behind its token', async () => {
      await http.get('/_larder/state').expect(401);
      await http.get('/_larder').expect(401);
      await http.get('/products/2').expect(200);
      const state = await http
        .get('/_larder/state')
        .set('authorization', `Bearer ${CONSOLE_TOKEN}`)
        .expect(200);
      expect(state.body.name).toBe('demo');
      expect(state.body.totals.hits + state.body.totals.misses).toBeGreaterThan(0);
    });

    it('serves products from the cache and evicts them by tag on update', async () => {
      const before = (await http.get('/products/stats').expect(200)).body.databaseReads;
      // Product 1 was warmed at boot: no database read for it.
      expect((await http.get('/products/1').expect(200)).body.name).toBe('Espresso beans');
      expect((await http.get('/products/stats')).body.databaseReads).toBe(before);
      await http.patch('/products/1').send({ price: 15 }).expect(200);
      expect((await http.get('/products/1').expect(200)).body.price).toBe(15);
      expect((await http.get('/products/stats')).body.databaseReads).toBe(before + 1);
      await http.get('/products/404').expect(404);
      expect((await http.get('/products').expect(200)).body).toHaveLength(3);
    });

    it('deletes everything cached for one user with a scoped clear', async () => {
      const first = (await http.get('/users/7/profile').expect(200)).body;
      await http.get('/users/7/recommendations').expect(200);
      const other = (await http.get('/users/8/profile').expect(200)).body;
      expect((await http.get('/users/7/profile')).body.loadedAt).toBe(first.loadedAt);
      expect((await http.delete('/users/7/cache').expect(200)).body).toEqual({ removed: 2 });
      expect((await http.get('/users/7/profile')).body.loadedAt).not.toBe(first.loadedAt);
      expect((await http.get('/users/8/profile')).body.loadedAt).toBe(other.loadedAt);
    });

    it('computes an expensive report once for 20 concurrent requests', async () => {
      const day = '2026-01-15';
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => http.get(`/reports/daily?day=${day}`)),
      );
      const computations = new Set(responses.map((r) => r.body.computations));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(new Set(responses.map((r) => r.body.computedAt)).size).toBe(1);
      expect(computations).toEqual(
        new Set([(await http.get(`/reports/daily?day=${day}`)).body.computations]),
      );
      await http.get('/reports/daily?day=yesterday').expect(400);
    });

    it('keeps a live top 10 of the season leaderboard', async () => {
      for (let i = 0; i < 12; i++)
        await http
          .post(`/scores/p${i}`)
          .send({ points: 10 + i })
          .expect(201);
      const won = await http.post('/scores/p0').send({ points: 100 }).expect(201);
      expect(won.body).toEqual({ member: 'p0', score: 110, rank: 0 });
      const top = (await http.get('/scores/top').expect(200)).body;
      expect(top).toHaveLength(10);
      expect(top.slice(0, 3)).toEqual([
        { member: 'p0', score: 110, rank: 0 },
        { member: 'p11', score: 21, rank: 1 },
        { member: 'p10', score: 20, rank: 2 },
      ]);
      expect(top.map((e: { member: string }) => e.member)).not.toContain('p1');
      const around = (await http.get('/scores/p5/around').expect(200)).body;
      expect(around.map((e: { member: string }) => e.member)).toEqual(['p7', 'p6', 'p5', 'p4', 'p3']);
      await http.get('/scores/nobody/around').expect(404);
      await http.post('/scores/p1').send({ points: 0 }).expect(400);
    });

    it('answers 409 when an order checkout is already under way', async () => {
      // supertest sends on then(): start the slow checkout now.
      const slow = http.post('/orders/o-1/checkout?holdMs=1500').then((r) => r);
      // Poll until the first request holds the lock, then collide with it.
      let conflict: request.Response | undefined;
      for (let i = 0; i < 100 && !conflict; i++) {
        const r = await http.post('/orders/o-1/checkout?holdMs=0');
        if (r.status === 409) conflict = r;
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(conflict?.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(conflict?.body).toEqual({
        type: 'about:blank',
        title: 'Conflict',
        status: 409,
        detail: expect.stringContaining('"order:o-1"'),
      });
      const done = await slow;
      expect(done.status).toBe(200);
      expect(done.body.fence).toEqual(expect.any(Number));
      const next = await http.post('/orders/o-1/checkout?holdMs=0').expect(200);
      expect(next.body.fence).toBeGreaterThan(done.body.fence);
    });

    it('answers 400 with a message for hostile or oversized route parameters, before any service', async () => {
      const long = 'x'.repeat(2000);
      const cases: Array<[request.Test, RegExp]> = [
        [http.get(`/users/${long}/profile`), /at most 64/],
        [http.get('/users/a:b/profile'), /A-Z, a-z, 0-9, _ and -/],
        [http.delete('/users/a*/cache'), /A-Z, a-z, 0-9, _ and -/],
        [http.get(`/products/${long}`), /at most 64/],
        [http.patch('/products/..%2F1').send({ price: 1 }), /A-Z, a-z, 0-9, _ and -/],
        [http.post(`/orders/${long}/checkout`), /at most 64/],
        [http.post('/orders/o-2/checkout?holdMs=soon'), /holdMs must be an integer/],
        [http.post('/orders/o-2/checkout?holdMs=999999'), /holdMs must be at most 5000/],
        [http.get(`/flags/${long}`), /flag names/],
        [
          http.post('/auth/login').send({ email: 'alice@example.com', password: 'p'.repeat(10_000) }),
          /password/,
        ],
      ];
      for (const [pending, message] of cases) {
        const res = await pending;
        expect(res.status).toBe(400);
        expect(JSON.stringify(res.body.message)).toMatch(message);
      }
      // Well-formed ids still work, and the cache never saw the refused ones.
      await http.get('/users/a_b-1/profile').expect(200);
      expect((await http.delete('/users/a_b-1/cache').expect(200)).body).toEqual({ removed: 1 });
    });

    it('logs in, reads the session, logs out everywhere', async () => {
      await http.post('/auth/login').send({ email: 'alice@example.com', password: 'nope' }).expect(401);
      const login = await http
        .post('/auth/login')
        .send({ email: 'alice@example.com', password: 'wonderland' })
        .expect(200);
      const cookie = login.headers['set-cookie'][0] as string;
      expect(cookie).toMatch(/^larder\.sid=[A-Za-z0-9_-]{43,}; .*HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      const other = await http
        .post('/auth/login')
        .send({ email: 'alice@example.com', password: 'wonderland' })
        .expect(200);
      const sid = cookie.split(';')[0];
      const me = await http.get('/auth/me').set('Cookie', sid).expect(200);
      expect(me.body).toMatchObject({ userId: 'u-alice', sessions: 2 });
      expect((await http.post('/auth/logout-all').set('Cookie', sid).expect(200)).body).toEqual({ ended: 2 });
      await http.get('/auth/me').set('Cookie', sid).expect(401);
      await http
        .get('/auth/me')
        .set('Cookie', (other.headers['set-cookie'][0] as string).split(';')[0])
        .expect(401);
      await http.get('/auth/me').expect(401);
    });

    it('limits the API per user, whatever the device', async () => {
      const login = await http
        .post('/auth/login')
        .send({ email: 'bob@example.com', password: 'builder' })
        .expect(200);
      const sid = (login.headers['set-cookie'][0] as string).split(';')[0];
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await http.get('/api/usage').set('Cookie', sid)).status);
      expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
      expect(statuses[10]).toBe(429);
    });

    it('limits search per ip with 429, Retry-After and RateLimit headers', async () => {
      const remaining: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await http.get('/search?q=grinder').expect(200);
        remaining.push(r.headers['ratelimit']);
      }
      expect(remaining[0]).toMatch(/r=4/);
      expect(remaining[4]).toMatch(/r=0/);
      const blocked = await http.get('/search?q=grinder').expect(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(blocked.headers['ratelimit-policy']).toBeDefined();
      expect(blocked.body).toMatchObject({ status: 429, title: expect.any(String) });
    });

    it('keeps feature flags in the cache', async () => {
      expect((await http.get('/flags/new-checkout').expect(200)).body).toEqual({
        name: 'new-checkout',
        enabled: false,
      });
      await http.put('/flags/new-checkout').send({ enabled: true }).expect(200);
      expect((await http.get('/flags/new-checkout').expect(200)).body.enabled).toBe(true);
      await http.put('/flags/new-checkout').send({ enabled: 'yes' }).expect(400);
      await http.get('/flags/Bad Name').expect(400);
    });

    it('keeps answering with the last price while its database fails or hangs', async () => {
      const sku = `sku-${Date.now()}`;
      const first = (await http.get(`/prices/${sku}`).expect(200)).body;
      expect(first).toMatchObject({ sku, cents: expect.any(Number) });
      const loadedAt = Date.now();
      await http.put('/prices/database').send({ mode: 'failing' }).expect(200);
      try {
        // Past the 3s ttl the failing database is not seen: the last price comes back.
        await eventually(async () => {
          const res = await http.get(`/prices/${sku}`).expect(200);
          return Date.now() > loadedAt + 3_500 && res.body.fetchedAt === first.fetchedAt;
        }, 10_000);
        await http.put('/prices/database').send({ mode: 'slow' }).expect(200);
        expect((await http.get(`/prices/${sku}`).expect(200)).body.fetchedAt).toBe(first.fetchedAt);
        // A price never loaded has nothing to fall back on.
        expect((await http.get('/prices/never-seen')).status).toBeGreaterThanOrEqual(500);
        await http.put('/prices/database').send({ mode: 'sideways' }).expect(400);
      } finally {
        await http.put('/prices/database').send({ mode: 'ok' }).expect(200);
      }
    });

    it('exposes Prometheus metrics that move with traffic', async () => {
      const before = (await http.get('/metrics').expect(200)).text;
      await http.get('/products/2').expect(200);
      await http.get('/products/2').expect(200); // a hit, whatever the earlier tests evicted
      await http.get('/flags/metrics-probe').expect(200); // a miss: the flag was never set
      const after = (await http.get('/metrics').expect(200)).text;
      expect(after).toContain('# TYPE larder_cache_hits_total counter');
      expect(sample(after, 'larder_cache_hits_total', 'cache="demo"')).toBeGreaterThan(
        sample(before, 'larder_cache_hits_total', 'cache="demo"'),
      );
      expect(sample(after, 'larder_cache_misses_total', 'cache="demo"')).toBeGreaterThan(
        sample(before, 'larder_cache_misses_total', 'cache="demo"'),
      );
      expect(after).toMatch(/larder_ratelimit_requests_total\{[^}]*result="blocked"/);
      expect(after).toMatch(/larder_lock_acquired_total\{[^}]*cache="demo"/);
      expect(after).toMatch(/larder_sessions_created_total\{[^}]*cache="demo"/);
    });

    it('reports health, and 503 while Redis is down when there is a Redis', async () => {
      const up = await http.get('/health').expect(200);
      expect(up.body).toMatchObject({
        status: 'ok',
        info: { larder: { status: 'up', store: server ? 'redis' : 'memory' } },
      });
      if (!server) return;
      await server().stop();
      const down = await http.get('/health').expect(503);
      expect(down.body).toMatchObject({ status: 'error', error: { larder: { status: 'down' } } });
      await server().restart();
      await eventually(async () => (await http.get('/health')).status === 200, 15_000, 'health to come back');
    });

    it('answers 503 with a problem body, not 500, for login and /auth/me while Redis is down', async () => {
      if (!server) return;
      const alice = { email: 'alice@example.com', password: 'wonderland' };
      const login = await http.post('/auth/login').send(alice).expect(200);
      const sid = (login.headers['set-cookie'][0] as string).split(';')[0];
      await server().stop();
      try {
        const responses = [
          await http.post('/auth/login').send(alice), // create
          await http.post('/auth/login').set('Cookie', sid).send(alice), // rotate
          await http.get('/auth/me').set('Cookie', sid), // SessionGuard
          await http.post('/orders/o-9/checkout?holdMs=0'), // a lock that could not be asked for
        ];
        for (const res of responses) {
          expect(res.status).toBe(503);
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.headers['retry-after']).toBe('1');
          expect(res.body).toEqual({
            type: 'about:blank',
            title: 'Service Unavailable',
            status: 503,
            detail: expect.any(String),
            retryAfter: 1,
          });
          expect(res.body.detail).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
        }
      } finally {
        await server().restart();
      }
      await eventually(async () => (await http.get('/health')).status === 200, 15_000, 'health to come back');
    });

    it('shows cache events live', async () => {
      await http.get('/flags/watched');
      const events = (await http.get('/cache/events?limit=10').expect(200)).body as Array<{
        type: string;
        key?: string;
      }>;
      expect(events).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: 'miss', key: 'flag:watched' })]),
      );
      expect((await http.get('/cache/stats').expect(200)).body).toMatchObject({
        hits: expect.any(Number),
        misses: expect.any(Number),
      });
    });
  });
}
