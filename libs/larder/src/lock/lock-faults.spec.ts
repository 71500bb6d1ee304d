import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  CommandTimeoutError,
  type AcquireOptions,
  type Lock,
  LockLostError,
  LockNotAcquiredError,
  LockService,
  StoreUnavailableError,
  type LockEventMap,
} from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, uniqueNamespace, untilConnected } from '#test/test-helpers';

const COMMAND_TIMEOUT = 200;
/** Generous slack for a loaded 2-core machine; the point is "bounded", not "fast". */
const MARGIN = 800;

/** Locks fail closed: these tests stop, restart and pause their own Redis. */
describe('LockService when Redis fails', () => {
  let server: RedisServerHandle;
  let moduleRef: TestingModule;
  let locks: LockService;
  let namespace: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    server = await startRedisServer();
    process.on('unhandledRejection', onUnhandled);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await server.stop().catch(() => undefined);
    expect(unhandled).toEqual([]);
  });

  beforeEach(async () => {
    namespace = uniqueNamespace('lock');
    moduleRef = await createLarderModule({ redis: server.url, namespace, commandTimeout: COMMAND_TIMEOUT });
    await untilConnected(moduleRef);
    locks = moduleRef.get(LockService);
  });

  afterEach(async () => {
    await moduleRef.close();
    // Each test leaves the server running for the next one.
    if (!(await answers(server.url))) await server.restart();
  });

  /**
   * Takes a lock on the healthy server, before a test breaks it: set-up, not the subject. At a
   * 200 ms bound a starved machine can time the first attempt out, so it may take a few.
   */
  function takeBeforeTheFault(key: string, options: AcquireOptions): Promise<Lock> {
    return locks.acquireOrThrow(key, { ...options, wait: '10s', retryDelay: 50 });
  }

  async function answers(url: string): Promise<boolean> {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }

  it('aborts signal and emits lock.lost when Redis stops while a lock is held', async () => {
    const lost: Array<LockEventMap['lock.lost']> = [];
    locks.on('lock.lost', (e) => lost.push(e));
    const lock = await takeBeforeTheFault('held', { ttl: '3s', autoExtend: true });
    let abortedAt = 0;
    lock.signal.addEventListener('abort', () => (abortedAt = Date.now()));

    await server.stop();

    await eventually(() => lock.signal.aborted, 3000, 'the signal to abort');
    // The failed renewal (due at ttl/3) gave the lock up, well before its ttl would have.
    expect(abortedAt).toBeLessThan(lock.expiresAt);
    expect(lock.signal.reason).toBeInstanceOf(LockLostError);
    expect((lock.signal.reason as Error).cause).toBeInstanceOf(Error);
    expect(lost).toEqual([
      expect.objectContaining({ key: 'held', reason: 'extend-failed', error: expect.any(Error) }),
    ]);
    await expect(lock.release()).rejects.toBeInstanceOf(StoreUnavailableError);

    // A release that failed can be tried again once Redis is back. It restarted empty, so put the
    // lock back as a persistent Redis would have kept it, and check the retry really deletes it.
    await server.restart();
    const raw = new Redis(server.url);
    try {
      await raw.set(`${namespace}:lock:{held}`, lock.token, 'PX', 10_000);
      await eventually(
        async () => (await locks.isLocked('held', lock.token).catch(() => false)) === true,
        5000,
        'Redis to be back',
      );
      expect(await lock.release()).toBe(true);
      expect(await raw.exists(`${namespace}:lock:{held}`)).toBe(0);
      expect(await lock.release()).toBe(false);
    } finally {
      raw.disconnect();
    }
  });

  it('fails closed while Redis is down: no lock, the cause attached, fn never runs', async () => {
    const failed: Array<LockEventMap['lock.failed']> = [];
    locks.on('lock.failed', (e) => failed.push(e));
    await server.stop();
    const started = performance.now();
    expect(await locks.acquire('job')).toBeNull();
    expect(failed).toEqual([
      expect.objectContaining({ key: 'job', error: expect.any(StoreUnavailableError) }),
    ]);
    expect(await locks.acquire('job', { wait: 300, retryDelay: 50 })).toBeNull();
    expect(performance.now() - started).toBeLessThan(300 + 2 * (COMMAND_TIMEOUT + MARGIN));

    const refusal = await locks.acquireOrThrow('job').catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(LockNotAcquiredError);
    expect((refusal as Error).message).toMatch(/Redis failed/);
    expect((refusal as Error).cause).toBeInstanceOf(StoreUnavailableError);

    let ran = false;
    const viaWithLock = await locks.withLock('job', () => (ran = true)).catch((e: unknown) => e);
    expect(viaWithLock).toMatchObject({
      code: 'E_LOCK_NOT_ACQUIRED',
      cause: expect.any(StoreUnavailableError),
    });
    expect(ran).toBe(false);

    await expect(locks.isLocked('job')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(locks.release('job', 'someone')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('keeps retrying within `wait` and gets the lock once Redis is back', async () => {
    // With the breaker on, an outage of more than a few refused attempts (a slow restart on a
    // loaded machine) opens it and the acquire fails closed at once (circuit-breaker.spec.ts):
    // what is checked here is wait's retrying through the outage itself.
    await moduleRef.close();
    moduleRef = await createLarderModule({
      redis: server.url,
      namespace,
      commandTimeout: COMMAND_TIMEOUT,
      circuitBreaker: false,
    });
    await untilConnected(moduleRef);
    locks = moduleRef.get(LockService);
    await server.stop();
    const pending = locks.acquire('recovering', { wait: '8s', retryDelay: 50 });
    await server.restart();
    const lock = await pending;
    expect(lock).not.toBeNull();
    // Redis restarted empty (no persistence), so the fence counter started again: see docs/locks.md.
    expect(lock!.fence).toBe(1);
    expect(await lock!.release()).toBe(true);
  });

  it('a timed-out acquire yields no lock, and the grant that lands late is released behind it', async () => {
    const raw = new Redis(server.url);
    try {
      await raw.client('PAUSE', 1000, 'ALL');
      const refusal = await locks.acquireOrThrow('paused', { ttl: '30s' }).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(LockNotAcquiredError);
      expect((refusal as Error).cause).toBeInstanceOf(CommandTimeoutError);

      // After the pause Redis runs the queued acquire (the fence moves to 1) and then our release.
      const lockKey = `${namespace}:lock:{paused}`;
      await eventually(
        async () => (await raw.get(`${lockKey}:fence`)) === '1' && (await raw.exists(lockKey)) === 0,
        5000,
        'the late grant to be released',
      );
      expect(await locks.isLocked('paused')).toBe(false);
    } finally {
      raw.disconnect();
    }
  });

  it('an extension that times out gives the lock up (fail closed) instead of assuming it', async () => {
    const lock = await takeBeforeTheFault('slow', { ttl: '10s' });
    const raw = new Redis(server.url);
    try {
      await raw.client('PAUSE', 600, 'ALL');
      const started = performance.now();
      expect(await lock.extend()).toBe(false);
      expect(performance.now() - started).toBeLessThan(COMMAND_TIMEOUT + MARGIN);
      expect(lock.signal.reason).toBeInstanceOf(LockLostError);
      expect((lock.signal.reason as Error).cause).toBeInstanceOf(CommandTimeoutError);
      // Lost locally, but still ours in Redis: release() frees it for the next caller.
      await eventually(async () => (await raw.ping()) === 'PONG', 3000, 'the pause to end');
      expect(await lock.release()).toBe(true);
      expect(await locks.isLocked('slow')).toBe(false);
    } finally {
      raw.disconnect();
    }
  });
});
