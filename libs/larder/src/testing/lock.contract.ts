import { jestGlobals } from './jest-globals';
import {
  Lock,
  LockLostError,
  LockNotAcquiredError,
  LockService,
  type LarderModuleOptions,
  type LockEventMap,
} from '../index';
import { startLarder, eventually, uniqueNamespace, type LarderTestingModule } from './testing-module';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Slack for timing bounds on a loaded 2-core machine: generous, the point is "bounded". */
const MARGIN = 700;

/**
 * Runs LockService on one setup through everything a lock promises: one holder at a time, fences
 * that keep rising across expiries, stale handles that can do nothing, waiting, auto-extension,
 * release by owner. Memory, Redis (URL or a shared ioredis instance) and an application's own
 * LockStore (the `lock.store` option) all run it. A jest suite (it calls describe/it/expect);
 * `makeOptions` runs before each test.
 *
 * @example
 * describeLockContract('Postgres', () => ({ lock: { store: new PgLockStore(pool) } }));
 */
export function describeLockContract(setup: string, makeOptions: () => LarderModuleOptions): void {
  const { afterEach, beforeEach, describe, expect, it } = jestGlobals();
  describe(`LockService contract: ${setup}`, () => {
    let moduleRef: LarderTestingModule;
    let locks: LockService;

    beforeEach(async () => {
      moduleRef = await startLarder({ namespace: uniqueNamespace('lock'), ...makeOptions() });
      locks = moduleRef.get(LockService);
    });

    afterEach(async () => {
      await moduleRef.close();
    });

    it('grants a key to one holder at a time and issues strictly increasing fences', async () => {
      const first = await locks.acquire('job', { ttl: '10s' });
      expect(first).not.toBeNull();
      expect(first!.key).toBe('job');
      expect(first!.token).toMatch(/^[0-9a-f-]{36}$/);
      expect(first!.expiresAt).toBeGreaterThan(Date.now() + 9000);
      expect(first!.expiresAt).toBeLessThanOrEqual(Date.now() + 10_000);
      expect(await locks.acquire('job')).toBeNull();
      expect(await locks.isLocked('job')).toBe(true);
      const other = await locks.acquire('other-job');
      expect(other).not.toBeNull();

      expect(await first!.release()).toBe(true);
      expect(await first!.release()).toBe(false);
      expect(await locks.isLocked('job')).toBe(false);
      const second = await locks.acquire('job');
      const third = (await second!.release()) && (await locks.acquire('job'));
      expect(second!.fence).toBeGreaterThan(first!.fence);
      expect(third && third.fence).toBeGreaterThan(second!.fence);
    });

    it('keeps fences increasing across expiries, and frees an expired lock for the next caller', async () => {
      const fences: number[] = [];
      for (let i = 0; i < 3; i++) {
        let lock = await locks.acquire('expiring', { ttl: 40 });
        if (!lock) {
          await eventually(async () => !(await locks.isLocked('expiring')), 3000, 'the lock to expire');
          lock = await locks.acquire('expiring', { ttl: 40 });
        }
        fences.push(lock!.fence);
        await eventually(() => lock!.signal.aborted, 3000, 'the lock to expire');
      }
      expect(fences[1]).toBeGreaterThan(fences[0]);
      expect(fences[2]).toBeGreaterThan(fences[1]);
    });

    it('a stale handle can neither release nor extend the lock of the next holder', async () => {
      const stale = (await locks.acquire('shared', { ttl: 40 }))!;
      await eventually(async () => !(await locks.isLocked('shared')), 3000, 'the first grant to expire');
      const current = (await locks.acquire('shared', { ttl: '10s' }))!;
      expect(await stale.extend('1m')).toBe(false);
      expect(await stale.release()).toBe(false);
      expect(await locks.isLocked('shared', current.token)).toBe(true);
      expect(current.signal.aborted).toBe(false);
      expect(await current.release()).toBe(true);

      // A handle that still believes it holds the lock, after its owner released it elsewhere.
      const unaware = (await locks.acquire('taken', { owner: 'job-1', ttl: '10s' }))!;
      expect(await locks.release('taken', 'job-1')).toBe(true);
      const taker = (await locks.acquire('taken', { ttl: 1000 }))!;
      expect(await unaware.extend('1m')).toBe(false);
      expect(unaware.signal.reason).toMatchObject({ code: 'E_LOCK_LOST' });
      expect(await unaware.release()).toBe(false);
      expect(await locks.isLocked('taken', taker.token)).toBe(true);
      // The taker's ttl was not stretched by the refused extension: it still expires on time.
      await eventually(async () => !(await locks.isLocked('taken')), 5000, "the taker's lock to expire");
    });

    it('extend(ttl) pushes the expiry while a lock left alone expires', async () => {
      const extended = (await locks.acquire('extended', { ttl: 1000 }))!;
      const control = (await locks.acquire('control', { ttl: 1000 }))!;
      expect(await extended.extend('5s')).toBe(true);
      expect(extended.expiresAt).toBeGreaterThan(Date.now() + 4000);
      await eventually(async () => !(await locks.isLocked('control')), 5000, 'the control lock to expire');
      // The handle learns of its expiry from this process's timer, which a starved event loop can
      // run after the store has already let the lock go: await it rather than race the two.
      await eventually(() => control.signal.aborted, 3000, "the control lock's signal to abort");
      expect(await locks.isLocked('extended', extended.token)).toBe(true);
      expect(extended.signal.aborted).toBe(false);
      await expect(extended.extend(0)).rejects.toMatchObject({
        code: 'E_INVALID_OPTION',
        message: expect.stringContaining('ttl'),
      });
      expect(await extended.release()).toBe(true);
      expect(await extended.extend()).toBe(false);
    });

    it('a ttl below 1 ms is a 1 ms lock: granted and expiring, never a store error', async () => {
      const failed: Array<LockEventMap['lock.failed']> = [];
      const lost: Array<LockEventMap['lock.lost']> = [];
      locks.on('lock.failed', (e) => failed.push(e));
      locks.on('lock.lost', (e) => lost.push(e));
      const tiny = await locks.acquireOrThrow('tiny', { ttl: 0.4 });
      expect(tiny.fence).toBeGreaterThan(0);
      await eventually(async () => !(await locks.isLocked('tiny')), 3000, 'the 1 ms lock to expire');
      expect(await locks.withLock('tiny', () => 'ran', { ttl: '0.4ms' })).toBe('ran');
      const held = await locks.acquireOrThrow('tiny', { ttl: '10s' });
      expect(await held.extend(1e-9)).toBe(true);
      await eventually(async () => !(await locks.isLocked('tiny')), 3000, 'the extended lock to expire');

      // The same through the module-wide default.
      const other = await startLarder({
        namespace: uniqueNamespace('lock'),
        ...makeOptions(),
        lock: { ttl: 0.4 },
      });
      try {
        expect(await other.get(LockService).acquireOrThrow('tiny-default')).toBeInstanceOf(Lock);
      } finally {
        await other.close();
      }
      expect(failed).toEqual([]);
      expect(lost.filter((e) => e.reason === 'extend-failed')).toEqual([]);
    });

    it('a signal read after the deadline is aborted even when the expiry timer has not run yet', async () => {
      const lock = (await locks.acquire('late-timer', { ttl: 50 }))!;
      // Hold the event loop past the deadline, as a CPU-bound request would: no timer can run.
      const busyUntil = performance.now() + 80;
      while (performance.now() < busyUntil);
      expect(lock.signal.aborted).toBe(true);
      expect(lock.signal.reason).toMatchObject({ code: 'E_LOCK_LOST' });
      expect(await lock.extend()).toBe(false);
    });

    it('owner values: only the owner releases, isLocked(key, owner) tells who holds it', async () => {
      const lock = await locks.acquire('seat:12A', { owner: 'user-456', ttl: '10s' });
      expect(lock!.token).toBe('user-456');
      expect(await locks.acquire('seat:12A', { owner: 'user-789' })).toBeNull();
      expect(await locks.isLocked('seat:12A')).toBe(true);
      expect(await locks.isLocked('seat:12A', 'user-456')).toBe(true);
      expect(await locks.isLocked('seat:12A', 'user-789')).toBe(false);
      expect(await locks.release('seat:12A', 'user-789')).toBe(false);
      expect(await locks.isLocked('seat:12A')).toBe(true);
      expect(await locks.release('seat:12A', 'user-456')).toBe(true);
      expect(await locks.isLocked('seat:12A')).toBe(false);
      expect(await locks.release('seat:12A', 'user-456')).toBe(false);
    });

    it('aborts signal with LockLostError and emits lock.lost when the ttl runs out', async () => {
      const lost: Array<LockEventMap['lock.lost']> = [];
      locks.on('lock.lost', (e) => lost.push(e));
      // Long enough that a stall between the grant and the next line cannot pass the deadline.
      const lock = (await locks.acquire('short', { ttl: 500 }))!;
      const signal = lock.signal;
      expect(signal.aborted).toBe(false);
      await eventually(() => signal.aborted, 3000, 'the signal to abort');
      expect(signal.reason).toBeInstanceOf(LockLostError);
      expect(signal.reason).toMatchObject({ code: 'E_LOCK_LOST' });
      expect(lost).toEqual([expect.objectContaining({ key: 'short', fence: lock.fence, reason: 'expired' })]);
      await eventually(async () => (await locks.acquire('short')) !== null, 3000, 'the key to be free');
      expect(await lock.release()).toBe(false);
    });

    it('autoExtend keeps a lock through 3x its ttl and stops at release', async () => {
      const lost: unknown[] = [];
      locks.on('lock.lost', (e) => lost.push(e));
      // Renewals every ttl/3 leave 2/3 of the ttl as slack for a busy machine.
      const ttl = 1000;
      const lock = (await locks.acquire('watchdog', { ttl, autoExtend: true }))!;
      const firstExpiry = lock.expiresAt;
      await sleep(3 * ttl + 150);
      expect(lock.signal.aborted).toBe(false);
      expect(await locks.isLocked('watchdog', lock.token)).toBe(true);
      expect(await locks.acquire('watchdog')).toBeNull();
      expect(lock.expiresAt).toBeGreaterThan(firstExpiry + 2 * (ttl / 3));
      expect(await lock.release()).toBe(true);
      expect(lock.signal.reason).toMatchObject({ name: 'AbortError' });
      // Were renewals still running, the next one would now find the key gone and report a loss.
      await sleep(ttl);
      expect(lost).toEqual([]);
      expect(await locks.isLocked('watchdog')).toBe(false);
    });

    it('waits for a held lock up to `wait`, and gets it when the holder releases in time', async () => {
      const holder = (await locks.acquire('busy', { ttl: '10s' }))!;
      let started = performance.now();
      expect(await locks.acquire('busy', { wait: 300, retryDelay: 20 })).toBeNull();
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(290);
      expect(waited).toBeLessThan(300 + MARGIN);

      setTimeout(() => void holder.release(), 100);
      started = performance.now();
      const next = await locks.acquire('busy', { wait: '5s', retryDelay: 20 });
      expect(next).not.toBeNull();
      expect(next!.fence).toBeGreaterThan(holder.fence);
      expect(performance.now() - started).toBeLessThan(100 + MARGIN);
    });

    it('withLock returns the result, always releases, and rejects with E_LOCK_NOT_ACQUIRED when held', async () => {
      const seen: number[] = [];
      const result = await locks.withLock('wl', async (lock) => {
        seen.push(lock.fence);
        expect(await locks.isLocked('wl', lock.token)).toBe(true);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await locks.isLocked('wl')).toBe(false);

      const failure = new Error('boom');
      await expect(locks.withLock('wl', () => Promise.reject(failure))).rejects.toBe(failure);
      expect(await locks.isLocked('wl')).toBe(false);

      const holder = (await locks.acquire('wl'))!;
      let ran = false;
      const attempt = locks.withLock('wl', () => (ran = true), { wait: 50 });
      const refusal = await attempt.catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(LockNotAcquiredError);
      expect(refusal).toMatchObject({
        code: 'E_LOCK_NOT_ACQUIRED',
        message: expect.stringContaining('held by another owner'),
      });
      // Busy, not broken: there is no Redis error behind this refusal.
      expect((refusal as Error).cause).toBeUndefined();
      expect(ran).toBe(false);
      await holder.release();

      // The lock expires inside fn: releasing it afterwards is not an error.
      const late = await locks.withLock(
        'wl',
        async (lock) => {
          await eventually(() => lock.signal.aborted, 3000, 'the lock to expire inside fn');
          return lock.fence;
        },
        { ttl: 50 },
      );
      expect(late).toBeGreaterThan(seen[0]);
    });

    it('emits lock.acquired and lock.released, and off() unsubscribes', async () => {
      const events: Array<[string, unknown]> = [];
      const onAcquired = (e: LockEventMap['lock.acquired']) => events.push(['acquired', e]);
      const onReleased = (e: LockEventMap['lock.released']) => events.push(['released', e]);
      locks.on('lock.acquired', onAcquired);
      locks.on('lock.released', onReleased);
      const lock = (await locks.acquire('evt', { ttl: '5s' }))!;
      await lock.release();
      await locks.acquire('evt', { owner: 'o-1' });
      await locks.release('evt', 'o-1');
      expect(events).toEqual([
        [
          'acquired',
          expect.objectContaining({
            key: 'evt',
            fence: lock.fence,
            ttl: 5000,
            attempts: 1,
            autoExtend: false,
          }),
        ],
        ['released', expect.objectContaining({ key: 'evt', fence: lock.fence, heldMs: expect.any(Number) })],
        ['acquired', expect.objectContaining({ key: 'evt', fence: lock.fence + 1 })],
        ['released', expect.objectContaining({ key: 'evt', fence: lock.fence + 1 })],
      ]);
      locks.off('lock.acquired', onAcquired);
      locks.off('lock.released', onReleased);
      await (await locks.acquire('evt'))!.release();
      expect(events).toHaveLength(4);
    });

    it('emits lock.failed when an acquire gives up on a held lock (no error: contention)', async () => {
      const failed: Array<LockEventMap['lock.failed']> = [];
      locks.on('lock.failed', (e) => failed.push(e));
      const holder = (await locks.acquire('contended', { ttl: '5s' }))!;
      expect(await locks.acquire('contended', { wait: 60, retryDelay: 20 })).toBeNull();
      await expect(locks.withLock('contended', () => 'never')).rejects.toBeInstanceOf(LockNotAcquiredError);
      expect(failed).toEqual([
        expect.objectContaining({
          key: 'contended',
          wait: 60,
          attempts: expect.any(Number),
          error: undefined,
        }),
        expect.objectContaining({ key: 'contended', wait: 0, attempts: 1 }),
      ]);
      expect(failed[0].attempts).toBeGreaterThan(1);
      await holder.release();
    });

    it('rejects bad arguments with typed errors that name them', async () => {
      await expect(locks.acquire('')).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
      await expect(locks.acquire(42 as unknown as string)).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
      await expect(locks.acquire('}oops')).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
      // The cache's load locks live in the same store under '#load:' keys.
      for (const call of [
        () => locks.acquire('#load:app:user:1'),
        () => locks.withLock('#load:app:user:1', () => undefined),
        () => locks.release('#load:app:user:1', 'owner'),
        () => locks.isLocked('#load:app:user:1'),
      ]) {
        await expect(call()).rejects.toMatchObject({
          code: 'E_INVALID_KEY',
          message: expect.stringContaining('"#load:"'),
        });
      }
      // Only the prefix is the cache's: a key merely containing it, or starting with '#', is a lock key.
      const tagged = await locks.acquire('#loader:app:#load:');
      expect(tagged).not.toBeNull();
      await tagged?.release();
      await expect(locks.acquire('k'.repeat(1025))).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
      for (const ttl of [0, -5, 'soon', Number.NaN]) {
        await expect(locks.acquire('k', { ttl: ttl as never })).rejects.toMatchObject({
          code: 'E_INVALID_OPTION',
          message: expect.stringContaining('Invalid ttl'),
        });
      }
      await expect(locks.acquire('k', { wait: -1 })).rejects.toMatchObject({
        message: expect.stringContaining('wait'),
      });
      await expect(locks.acquire('k', { retryDelay: 0 })).rejects.toMatchObject({
        message: expect.stringContaining('retryDelay'),
      });
      await expect(locks.acquire('k', { owner: '' })).rejects.toMatchObject({
        code: 'E_INVALID_ARGUMENT',
        message: expect.stringContaining('owner'),
      });
      await expect(locks.acquire('k', { autoExtend: 'yes' as never })).rejects.toMatchObject({
        message: expect.stringContaining('autoExtend'),
      });
      await expect(locks.withLock('k', 'fn' as never)).rejects.toMatchObject({
        code: 'E_INVALID_ARGUMENT',
        message: expect.stringContaining('fn'),
      });
      await expect(locks.release('k', '')).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
      await expect(locks.isLocked('')).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
      // Nothing was taken by the refused calls.
      expect(await locks.isLocked('k')).toBe(false);
    });

    it('refuses unknown acquire options, naming them, instead of using the defaults', async () => {
      const calls: Array<() => Promise<unknown>> = [
        () => locks.acquire('typo', { tll: 5 } as never),
        () => locks.acquireOrThrow('typo', { tll: 5 } as never),
        () => locks.withLock('typo', () => 'ran', { tll: 5 } as never),
      ];
      for (const call of calls) {
        await expect(call()).rejects.toMatchObject({
          code: 'E_INVALID_OPTION',
          message: expect.stringMatching(/^Unknown acquire option "tll"\. Did you mean "ttl"\?/),
        });
      }
      await expect(locks.acquire('typo', { waitFor: '1s' } as never)).rejects.toMatchObject({
        message: expect.stringContaining('"waitFor"'),
      });
      expect(await locks.isLocked('typo')).toBe(false);
    });

    it('gives up held locks when the module closes: signal aborts, timers stop', async () => {
      const other = await startLarder({ namespace: uniqueNamespace('lock'), ...makeOptions() });
      const lost: Array<LockEventMap['lock.lost']> = [];
      let lock: Lock | null | undefined;
      try {
        const service = other.get(LockService);
        service.on('lock.lost', (e) => lost.push(e));
        lock = await service.acquire('held-at-shutdown', { ttl: '10s', autoExtend: true });
        expect(lock!.signal.aborted).toBe(false);
      } finally {
        await other.close();
      }
      expect(lock!.signal.aborted).toBe(true);
      expect(lock!.signal.reason).toBeInstanceOf(LockLostError);
      expect(lost).toEqual([expect.objectContaining({ reason: 'shutdown', fence: lock!.fence })]);
    });
  });
}
