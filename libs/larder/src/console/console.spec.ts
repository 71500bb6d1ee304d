import type { ExecutionContext, INestApplication } from '@nestjs/common';
import { of } from 'rxjs';
import { CacheService, LarderConsole, LockService, RateLimitService, SessionService } from '@larder/nestjs';
import { eventually } from '#test/test-helpers';
import { get, SseReader, startConsoleApp, type AdapterKind } from './console-test-app.fixtures';

const TOKEN = 'console-test-token-0123456789';
const BEARER = { authorization: `Bearer ${TOKEN}` };

describe.each<AdapterKind>(['express', 'fastify'])('console on %s', (adapter) => {
  let app: INestApplication;
  let base: string;
  const readers: SseReader[] = [];

  const open = async (headers: Record<string, string> = BEARER) => {
    const reader = await SseReader.open(`${base}/_larder/events`, headers);
    readers.push(reader);
    return reader;
  };

  beforeEach(async () => {
    ({ app, base } = await startConsoleApp(adapter, {
      memory: { maxItems: 100, ttl: '1m' },
      console: { token: TOKEN, bufferSize: 50, guard: (req) => readHeader(req, 'x-console-admin') === 'yes' },
    }));
  });

  afterEach(async () => {
    for (const reader of readers.splice(0)) reader.close();
    await app.close();
  });

  it('refuses every console route with 401 without the token, and with a wrong one', async () => {
    for (const path of ['/_larder', '/_larder/events', '/_larder/state']) {
      expect((await get(`${base}${path}`)).status).toBe(401);
      expect((await get(`${base}${path}`, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
      expect((await get(`${base}${path}`, { cookie: 'larder_console=forged' })).status).toBe(401);
    }
    const wrong = await get(`${base}/_larder?token=${TOKEN.slice(0, -1)}`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('serves the page to the token: ?token= sets an HttpOnly cookie and redirects to the bare path', async () => {
    const opened = await get(`${base}/_larder?token=${TOKEN}`);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/_larder');
    const cookie = String(opened.headers['set-cookie']).split(';')[0];
    expect(String(opened.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);

    const page = await get(`${base}/_larder`, { cookie });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'nonce-/);
    expect(page.body).toContain("new EventSource(base + '/events')");
    expect((await get(`${base}/_larder/state`, BEARER)).status).toBe(200);
  });

  it('shows L1 values only with showValues, truncated', async () => {
    const shown = await startConsoleApp(adapter, {
      memory: { maxItems: 10, ttl: '1m' },
      console: { token: TOKEN, showValues: true },
    });
    try {
      await shown.app.get(CacheService).set('big', 'v'.repeat(1000));
      const state = JSON.parse((await get(`${shown.base}/_larder/state`, BEARER)).body);
      expect(state.l1.entries).toEqual([
        expect.objectContaining({ key: 'big', value: `${'v'.repeat(200)}…` }),
      ]);
    } finally {
      await shown.app.close();
    }
    await app.get(CacheService).set('big', 'v'.repeat(1000));
    const hidden = JSON.parse((await get(`${base}/_larder/state`, BEARER)).body);
    expect(hidden.l1.entries).toEqual([{ key: 'big', size: expect.any(Number), ttlMs: expect.any(Number) }]);
  });

  it('takes a Nest guard object, called with an HTTP execution context', async () => {
    const guard = {
      canActivate: (context: ExecutionContext) =>
        readHeader(context.switchToHttp().getRequest(), 'x-role') === 'ops' && context.getType() === 'http',
    };
    const guarded = await startConsoleApp(adapter, { console: { guard } });
    try {
      expect((await get(`${guarded.base}/_larder/state`, { 'x-role': 'ops' })).status).toBe(200);
      expect((await get(`${guarded.base}/_larder/state`, { 'x-role': 'dev' })).status).toBe(401);
      // Without a token option, ?token= opens nothing.
      expect((await get(`${guarded.base}/_larder?token=${TOKEN}`)).status).toBe(401);
    } finally {
      await guarded.app.close();
    }
    // A guard answering with an Observable, as Nest guards may.
    const observed = await startConsoleApp(adapter, {
      console: {
        guard: {
          canActivate: (c: ExecutionContext) =>
            of(readHeader(c.switchToHttp().getRequest(), 'x-role') === 'ops'),
        },
      },
    });
    try {
      expect((await get(`${observed.base}/_larder/state`, { 'x-role': 'ops' })).status).toBe(200);
      expect((await get(`${observed.base}/_larder/state`, { 'x-role': 'dev' })).status).toBe(401);
    } finally {
      await observed.app.close();
    }
  });

  it('lets the guard in without a token', async () => {
    expect((await get(`${base}/_larder/state`, { 'x-console-admin': 'yes' })).status).toBe(200);
    expect((await get(`${base}/_larder/state`, { 'x-console-admin': 'no' })).status).toBe(401);
  });

  it('streams cache, lock, rate-limit and session events live, redacted', async () => {
    const reader = await open();
    expect(reader.status).toBe(200);
    expect(reader.response?.headers['content-type']).toMatch(/text\/event-stream/);
    await eventually(() => reader.messages.some((m) => m.event === 'hello'), 5000, 'hello');

    const cache = app.get(CacheService);
    await cache.set('product:1', { secretValue: 'do-not-show' });
    await cache.get('product:1');
    await cache.get('product:missing');
    await cache.del('product:1');
    const lock = await app
      .get(LockService)
      .acquireOrThrow('report:1', { owner: 'owner-secret-42', ttl: '1m' });
    const limits = app.get(RateLimitService);
    const rule = { name: 'sms', limit: 1, window: '1m' } as const;
    await limits.consume('tenant:1', rule);
    await limits.consume('tenant:1', rule);
    const session = await app.get(SessionService).create({ role: 'admin' }, { userId: 'u-7' });
    await cache.set(`session-copy:${session.id}`, 1);

    await eventually(
      () => reader.events().some((e) => e.type === 'session.created'),
      5000,
      'events over SSE',
    );
    await eventually(
      () => reader.events().some((e) => e.type === 'write' && String(e.key).startsWith('session-copy:')),
      5000,
      'the last write',
    );
    const types = reader.events().map((e) => `${e.type} ${e.key ?? ''}`.trim());
    expect(types).toEqual(
      expect.arrayContaining([
        'write product:1',
        'hit product:1',
        'miss product:missing',
        'delete product:1',
        'lock.acquired report:1',
        'ratelimit.blocked tenant:1',
        'session.created',
      ]),
    );
    expect(reader.events().find((e) => e.type === 'hit')).toMatchObject({ tier: 'l1', namespace: '' });
    expect(reader.events().find((e) => e.type === 'ratelimit.blocked')?.detail).toContain('rule sms');
    expect(reader.events().find((e) => String(e.key).startsWith('session-copy:'))?.key).toBe(
      'session-copy:[redacted]',
    );

    const state = JSON.parse((await get(`${base}/_larder/state`, BEARER)).body);
    expect(state.locks).toEqual([
      expect.objectContaining({
        key: 'report:1',
        fence: lock.fence,
        owner: expect.stringMatching(/^[0-9a-f]{8}$/),
      }),
    ]);
    expect(state.locks[0].ttlMs).toBeGreaterThan(50_000);
    expect(state.rateLimits).toEqual([{ rule: 'sms', blocked: 1 }]);
    expect(state.sessions).toEqual([{ user: 'u-7', sessions: 1 }]);
    expect(state.l1.entries.map((e: { key: string }) => e.key)).toContain('session-copy:[redacted]');
    expect(state.connection).toEqual({ redis: 'memory', breaker: null });

    // Nothing the console sent carries a value, the session id or the lock's owner token.
    const everything = reader.raw + JSON.stringify(state);
    expect(everything).not.toContain('do-not-show');
    expect(everything).not.toContain(session.id);
    expect(everything).not.toContain('owner-secret-42');
    await lock.release();
  });

  it('streams stale serves with their reason, and offers them in the type filter', async () => {
    const reader = await open();
    const cache = app.get(CacheService);
    await cache.set('rates', 1, { ttl: 20, grace: '1m' });
    const failing = () => Promise.reject(new Error('rates upstream down'));
    // Once the 20 ms ttl has passed, the failing loader makes getOrSet serve the kept value.
    await eventually(
      async () =>
        (await cache.getOrSet('rates', failing, { ttl: '1m', grace: '1m' })) === 1 &&
        reader.events().some((e) => e.type === 'stale'),
      5000,
      'a stale event',
    );
    expect(reader.events().find((e) => e.type === 'stale')).toMatchObject({
      key: 'rates',
      detail: 'loader-error: rates upstream down',
    });
    const page = (await get(`${base}/_larder`, BEARER)).body;
    for (const type of ['stale', 'lock-wait', 'lock-fallback', 'breaker'])
      expect(page).toContain(`<option value="${type}">`);
  });

  it('keeps only the last bufferSize events and replays them to a page that connects', async () => {
    const cache = app.get(CacheService);
    for (let i = 0; i < 120; i++) await cache.del(`k:${i}`);
    const consoleService = app.get(LarderConsole);
    await eventually(async () => (await consoleService.state())?.buffer.last === 120, 5000, '120 events');
    expect((await consoleService.state())?.buffer).toEqual({ size: 50, capacity: 50, last: 120 });
    // The replay is what was flushed when the page opened: at most the 50 newest, in order.
    await eventually(
      async () => {
        const reader = await open();
        await eventually(() => reader.messages.some((m) => m.event === 'state'), 5000, 'state');
        const keys = reader.events().map((e) => e.key);
        reader.close();
        return keys.length === 50 && keys[0] === 'k:70' && keys[49] === 'k:119';
      },
      5000,
      'a replay of the newest 50 events',
    );
  });

  it('drops events for a paused page instead of queueing them without bound, and says how many', async () => {
    // A buffer larger than one round of events, so nothing leaves the ring before it is sent:
    // every drop here comes from the paused socket pushing back.
    const bufferSize = 2000;
    const slow = await startConsoleApp(adapter, { console: { token: TOKEN, bufferSize } });
    try {
      const reader = await SseReader.open(`${slow.base}/_larder/events`, BEARER);
      readers.push(reader);
      await eventually(() => reader.messages.some((m) => m.event === 'hello'), 5000, 'hello');
      reader.response?.pause();
      const cache = slow.app.get(CacheService);
      const consoleService = slow.app.get(LarderConsole);
      const client = () => consoleService.clients()[0];
      // Long keys fill the socket buffers (several MB on loopback) in a few rounds; then the queue caps.
      const long = 'x'.repeat(900);
      let maxQueued = 0;
      for (let round = 0; round < 100 && client().dropped === 0; round++) {
        for (let i = 0; i < bufferSize / 2; i++) await cache.del(`${long}:${round}:${i}`);
        // This round's batch is written, queued or dropped before the next round starts.
        const seq = (await consoleService.state())?.buffer.last ?? 0;
        await eventually(() => client().sent + client().queued + client().dropped >= seq, 5000, 'the batch');
        maxQueued = Math.max(maxQueued, client().queued);
      }
      expect(client().dropped).toBeGreaterThan(0);
      expect(maxQueued).toBeGreaterThan(0);
      expect(maxQueued).toBeLessThanOrEqual(bufferSize);

      reader.response?.resume();
      await eventually(
        () => reader.messages.some((m) => m.event === 'dropped'),
        10_000,
        'the dropped notice',
      );
      const notice = reader.messages.find((m) => m.event === 'dropped')?.data as { total: number };
      expect(notice.total).toBe(client().dropped);
      // Once it caught up, the page gets live events again.
      await cache.del('after-the-gap');
      await eventually(
        () => reader.events().some((e) => e.key === 'after-the-gap'),
        10_000,
        'live events after the gap',
      );
    } finally {
      await slow.app.close();
    }
  });
});

function readHeader(request: unknown, name: string): string | undefined {
  const headers = (request as { headers: Record<string, string | undefined> }).headers;
  return headers[name];
}
