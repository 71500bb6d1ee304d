import { Test } from '@nestjs/testing';
import { CacheModule, LARDER_LOCK_STORE, LockService } from '@larder/nestjs';
import { MapLockStore } from '#test/fixtures/map-lock.store';
import { createLarderModule, testRedisUrl, uniqueNamespace } from '#test/test-helpers';

describe('providing a LockStore', () => {
  it('the lock.store option replaces the built-in store, with or without Redis', async () => {
    for (const redis of [undefined, testRedisUrl()]) {
      const store = new MapLockStore();
      const moduleRef = await createLarderModule({
        redis,
        namespace: uniqueNamespace('ls'),
        lock: { store },
      });
      try {
        expect(moduleRef.get(LARDER_LOCK_STORE)).toBe(store);
        const lock = await moduleRef.get(LockService).acquireOrThrow('job', { ttl: '5s' });
        expect(await store.holder('job')).toBe(lock.token);
        expect(await lock.release()).toBe(true);
        expect(store.calls).toBeGreaterThanOrEqual(3);
      } finally {
        await moduleRef.close();
      }
    }
  });

  it('refuses a value that is not a LockStore, naming lock.store', async () => {
    await expect(
      createLarderModule({ lock: { store: { acquire: () => 1 } as never } }),
    ).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('"lock.store"'),
    });
  });

  it('a test module can override LARDER_LOCK_STORE', async () => {
    const store = new MapLockStore();
    const moduleRef = await Test.createTestingModule({
      imports: [CacheModule.forRoot({ logConnectionEvents: false })],
    })
      .overrideProvider(LARDER_LOCK_STORE)
      .useValue(store)
      .compile();
    await moduleRef.init();
    try {
      expect(await moduleRef.get(LockService).acquire('job')).not.toBeNull();
      expect(await store.holder('job')).not.toBeNull();
    } finally {
      await moduleRef.close();
    }
  });
});
