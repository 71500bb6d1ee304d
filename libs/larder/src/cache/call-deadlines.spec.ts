import { spawnSync } from 'node:child_process';
import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { CacheService, CommandTimeoutError } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, uniqueNamespace, untilConnected } from '#test/test-helpers';
import { CallDeadlines } from '../redis/call-deadlines';

const MS = 60;
/** Generous slack for a loaded 2-core machine; the point is "bounded", not "fast". */
const MARGIN = 800;

/** Keeps the event loop busy, as a long synchronous task or a starved process does. */
function holdEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* busy */
  }
}

/**
 * Holds the event loop for at least `ms` and until Redis on `port` has run an INCR of `key`,
 * asking it through redis-cli: a synchronous look from outside this process, whose sockets are not
 * read while it is held.
 */
function holdEventLoopUntil(port: number, key: string, ms: number): void {
  const started = performance.now();
  holdEventLoop(ms);
  for (;;) {
    const reply = spawnSync('redis-cli', ['-p', String(port), 'GET', key], { encoding: 'utf8' });
    if (reply.stdout?.trim() === '1') return;
    if (performance.now() - started > 30_000) {
      throw new Error(`Redis did not run the INCR within 30 s (redis-cli: ${reply.stdout ?? reply.error})`);
    }
  }
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('CallDeadlines', () => {
  it('expires a call still watched after ms, never before', async () => {
    const deadlines = new CallDeadlines(MS);
    const started = performance.now();
    const expiredAfter = await new Promise<number>((resolve) =>
      deadlines.watch(() => resolve(performance.now() - started)),
    );
    expect(expiredAfter).toBeGreaterThanOrEqual(MS - 1);
    expect(expiredAfter).toBeLessThan(MS + MARGIN);
  });

  it('never expires a call unwatched in time; unwatching an expired call is a no-op', async () => {
    const deadlines = new CallDeadlines(MS);
    const expired: string[] = [];
    const early = deadlines.watch(() => expired.push('early'));
    deadlines.unwatch(early);
    const late = deadlines.watch(() => expired.push('late'));
    await eventually(() => expired.length > 0, 2000, 'the late call to expire');
    deadlines.unwatch(late);
    deadlines.unwatch(early);
    expect(expired).toEqual(['late']);
  });

  it('gives a call started later its own full bound, after an earlier one expired', async () => {
    const deadlines = new CallDeadlines(MS);
    const expiredAfter: Record<string, number> = {};
    const watch = (name: string) => {
      const started = performance.now();
      deadlines.watch(() => (expiredAfter[name] = performance.now() - started));
    };
    watch('first');
    await new Promise((resolve) => setTimeout(resolve, MS / 2));
    watch('second');
    await eventually(() => 'second' in expiredAfter, 2000, 'both calls to expire');
    expect(expiredAfter.first).toBeGreaterThanOrEqual(MS - 1);
    expect(expiredAfter.second).toBeGreaterThanOrEqual(MS - 1);
  });

  it('times out a call started by an expiry (an error listener reading the cache)', async () => {
    const deadlines = new CallDeadlines(MS);
    const expired: string[] = [];
    deadlines.watch(() => {
      expired.push('first');
      deadlines.watch(() => expired.push('started on expiry'));
    });
    await eventually(() => expired.length === 2, 2000, 'the second call to expire');
    expect(expired).toEqual(['first', 'started on expiry']);
  });

  it('holds the process open only while calls are watched', () => {
    const deadlines = new CallDeadlines(10_000);
    const before = timers();
    const a = deadlines.watch(() => undefined);
    const b = deadlines.watch(() => undefined);
    expect(timers()).toBe(before + 1);
    deadlines.unwatch(a);
    expect(timers()).toBe(before + 1);
    deadlines.unwatch(b);
    expect(timers()).toBe(before);
    const c = deadlines.watch(() => undefined);
    expect(timers()).toBe(before + 1);
    deadlines.unwatch(c);
    expect(timers()).toBe(before);
  });

  it('after release, never holds the process open, and still expires what it watches', async () => {
    const deadlines = new CallDeadlines(MS);
    const before = timers();
    const expired: string[] = [];
    deadlines.watch(() => expired.push('before release'));
    expect(timers()).toBe(before + 1);
    deadlines.release();
    expect(timers()).toBe(before);
    deadlines.watch(() => expired.push('after release'));
    expect(timers()).toBe(before);
    await eventually(() => expired.length === 2, 2000, 'both calls to expire');
    deadlines.watch(() => expired.push('re-armed'));
    expect(timers()).toBe(before);
    await eventually(() => expired.length === 3, 2000, 'a call watched on a fresh timer to expire');
  });
});

/** The bound through CacheService, against a Redis that stops answering (its own server: it gets paused). */
describe('CacheService commandTimeout on a Redis that stops answering', () => {
  const COMMAND_TIMEOUT = 200;
  let server: RedisServerHandle;
  let moduleRef: TestingModule;
  let cache: CacheService;
  let raw: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis(server.url);
  });

  beforeEach(async () => {
    moduleRef = await createLarderModule({
      redis: server.url,
      namespace: uniqueNamespace(),
      commandTimeout: COMMAND_TIMEOUT,
      // Each call's own deadline is what is measured here; the breaker would refuse calls after a few.
      circuitBreaker: false,
      throwOnError: true,
    });
    await untilConnected(moduleRef);
    cache = moduleRef.get(CacheService);
    await cache.set('k', 'v');
  });

  afterEach(async () => {
    await eventually(async () => (await raw.ping()) === 'PONG', 5000, 'the pause to end');
    await moduleRef.close();
  });

  afterAll(async () => {
    raw.disconnect();
    await server.stop();
  });

  it('lets a reply that arrived while the event loop was held past the deadline win over it', async () => {
    const deadlines = new CallDeadlines(COMMAND_TIMEOUT);
    const timedOut = () => new CommandTimeoutError('INCR timed out');
    const key = uniqueNamespace('held-loop');
    // Connected, so that the INCR below is written to the socket at once.
    expect(await raw.ping()).toBe('PONG');
    const read = deadlines.bound(
      () => raw.incr(key),
      timedOut,
      (e) => {
        throw e;
      },
    );
    // ioredis wrote the command already; Redis answers while this process is busy, so when the
    // loop turns again both the deadline timer and the reply are due, the timer first. The loop
    // is held past the deadline and until Redis has run the INCR (so its reply is on our socket),
    // however long a starved Redis takes to get to it.
    holdEventLoopUntil(server.port, key, COMMAND_TIMEOUT + 100);
    await expect(read).resolves.toBe(1);
    // A call that really stalls still expires.
    await raw.client('PAUSE', 700, 'ALL');
    const stalled = deadlines.bound(
      () => raw.get(key),
      timedOut,
      (e) => {
        throw e;
      },
    );
    await expect(stalled).rejects.toBeInstanceOf(CommandTimeoutError);
  });

  it('turns every stalled get into a miss after commandTimeout, with one error each, late replies ignored', async () => {
    const errors: Error[] = [];
    cache.on('error', (e) => errors.push(e.error));
    await raw.client('PAUSE', 700, 'ALL');
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.get('k')));
    const elapsed = performance.now() - started;
    expect(results).toEqual(Array(20).fill(undefined));
    expect(elapsed).toBeGreaterThanOrEqual(COMMAND_TIMEOUT - 1);
    expect(elapsed).toBeLessThan(COMMAND_TIMEOUT + MARGIN);
    expect(errors).toHaveLength(20);
    expect(errors.every((e) => e instanceof CommandTimeoutError)).toBe(true);
    // Once the pause ends the 20 late replies arrive, ahead of the next reply on that connection;
    // they change nothing.
    expect(await raw.ping()).toBe('PONG');
    expect(await cache.get('k')).toBe('v');
    expect(errors).toHaveLength(20);
    expect(cache.stats().errors).toBe(20);
  });

  it('rejects a stalled write with E_COMMAND_TIMEOUT when throwOnError is set', async () => {
    await raw.client('PAUSE', 700, 'ALL');
    const started = performance.now();
    const error = await cache.set('k', 'w').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect((error as CommandTimeoutError).message).toBe(`cache set timed out after ${COMMAND_TIMEOUT}ms`);
    expect(performance.now() - started).toBeLessThan(COMMAND_TIMEOUT + MARGIN);
  });
});
