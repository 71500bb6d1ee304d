import { lensContext, lensEmitter, type CacheEntry } from '@lensjs/core';
import { Test } from '@nestjs/testing';
import { CacheModule, CacheService } from '@larder/nestjs';

// Against the real @lensjs/core: the entries reach its lensEmitter, in its CacheEntry shape.
describe('the Lens bridge (lens: true)', () => {
  const entries: CacheEntry[] = [];
  const collect = (entry: CacheEntry) => entries.push(entry);

  beforeAll(() => lensEmitter.on('cache', collect));
  afterAll(() => lensEmitter.off('cache', collect));
  beforeEach(() => entries.splice(0));

  const start = async (lens: unknown) => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheModule.forRoot({ lens } as never)],
    }).compile();
    await moduleRef.init();
    return moduleRef;
  };

  it('forwards hit, miss, write, delete and clear with the Lens request id, and stops on close', async () => {
    const moduleRef = await start(true);
    const cache = moduleRef.get(CacheService);
    await lensContext.run({ requestId: 'req-1' }, async () => {
      await cache.set('product:1', { price: 5 });
      await cache.get('product:1');
      await cache.get('product:2');
      await cache.namespace('user:7').set('profile', 1);
      await cache.del('product:1');
      await cache.clear();
    });
    await moduleRef.close();
    await cache.set('after-close', 1).catch(() => undefined);

    const at = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(entries).toEqual([
      { action: 'write', createdAt: at, requestId: 'req-1', data: { key: 'product:1', value: null } },
      { action: 'hit', createdAt: at, requestId: 'req-1', data: { key: 'product:1', value: null } },
      { action: 'miss', createdAt: at, requestId: 'req-1', data: { key: 'product:2' } },
      { action: 'write', createdAt: at, requestId: 'req-1', data: { key: 'user:7:profile', value: null } },
      { action: 'delete', createdAt: at, requestId: 'req-1', data: { key: 'product:1' } },
      { action: 'clear', createdAt: at, requestId: 'req-1' },
    ]);
  });

  it('sends nothing when lens is unset or false, and outside a request carries no request id', async () => {
    for (const lens of [undefined, false]) {
      const moduleRef = await start(lens);
      await moduleRef.get(CacheService).set('k', 1);
      await moduleRef.close();
    }
    expect(entries).toEqual([]);
    const moduleRef = await start(true);
    await moduleRef.get(CacheService).get('nobody-asked');
    await moduleRef.close();
    expect(entries).toEqual([
      { action: 'miss', createdAt: expect.any(String), data: { key: 'nobody-asked' } },
    ]);
  });

  it.each([['yes'], [{ enabled: true }], [1]])(
    'lens: %p fails start-up with E_INVALID_OPTION',
    async (lens) => {
      await expect(start(lens)).rejects.toMatchObject({
        code: 'E_INVALID_OPTION',
        message: expect.stringContaining('"lens"'),
      });
    },
  );
});
