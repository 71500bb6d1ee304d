import { InvalidOptionError, LockService } from '@larder/nestjs';
import { createLarderModule, uniqueNamespace } from '#test/test-helpers';
import { retryPause } from './lock-acquirer';
import { resolveAcquireOptions, resolveLockOptions } from './lock-options';

describe('lock options', () => {
  it('fills in defaults and parses durations', () => {
    expect(resolveLockOptions(undefined)).toEqual({ ttl: 30_000, wait: 0, retryDelay: 100 });
    expect(resolveLockOptions({ ttl: '10s', wait: '1.5s', retryDelay: 25 })).toEqual({
      ttl: 10_000,
      wait: 1500,
      retryDelay: 25,
    });
    expect(resolveLockOptions({ wait: 0 }).wait).toBe(0);
  });

  it.each([
    [{ ttl: 0 }, /"lock\.ttl".*> 0/],
    [{ ttl: '5 minutes' }, /"lock\.ttl".*"5 minutes"/],
    [{ wait: -1 }, /"lock\.wait"/],
    [{ retryDelay: 0 }, /"lock\.retryDelay"/],
    ['fast', /"lock".*an object/],
  ])('refuses %j naming the field', (raw, message) => {
    expect(() => resolveLockOptions(raw as never)).toThrow(InvalidOptionError);
    expect(() => resolveLockOptions(raw as never)).toThrow(message);
  });

  it('per-call options override the module defaults', () => {
    const defaults = { ttl: 5000, wait: 100, retryDelay: 10 };
    expect(resolveAcquireOptions(undefined, defaults, 64)).toEqual({
      ...defaults,
      owner: undefined,
      autoExtend: false,
    });
    expect(resolveAcquireOptions({ ttl: '1m', owner: 'me', autoExtend: true }, defaults, 64)).toEqual({
      ttl: 60_000,
      wait: 100,
      retryDelay: 10,
      owner: 'me',
      autoExtend: true,
    });
    expect(() => resolveAcquireOptions({ owner: 'x'.repeat(65) }, defaults, 64)).toThrow(/owner/);
    expect(() => resolveAcquireOptions(null as never, defaults, 64)).toThrow(/options/);
  });

  it('retry pauses are jittered around a delay that grows 1.5x per attempt up to 4x', () => {
    const samples = (failed: number) => Array.from({ length: 500 }, () => retryPause(100, failed));
    for (const [failed, base] of [
      [1, 100],
      [2, 150],
      [3, 225],
      [4, 337.5],
      [5, 400],
      [20, 400],
    ]) {
      const pauses = samples(failed);
      expect(Math.min(...pauses)).toBeGreaterThanOrEqual(base * 0.5);
      expect(Math.max(...pauses)).toBeLessThan(base * 1.5);
      // Jitter: 500 draws do not collapse onto a handful of values.
      expect(new Set(pauses).size).toBeGreaterThan(400);
      expect(Math.max(...pauses) - Math.min(...pauses)).toBeGreaterThan(base * 0.5);
    }
  });

  it('a bad lock option fails the module at boot; good ones become the defaults', async () => {
    await expect(createLarderModule({ lock: { ttl: -1 } })).rejects.toThrow(/"lock\.ttl"/);
    const moduleRef = await createLarderModule({ namespace: uniqueNamespace('lock'), lock: { ttl: '2s' } });
    try {
      const lock = (await moduleRef.get(LockService).acquire('k'))!;
      expect(lock.expiresAt).toBeGreaterThan(Date.now() + 1000);
      expect(lock.expiresAt).toBeLessThanOrEqual(Date.now() + 2000);
    } finally {
      await moduleRef.close();
    }
  });
});
