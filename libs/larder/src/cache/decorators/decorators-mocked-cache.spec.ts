import { Test, type TestingModule } from '@nestjs/testing';
import { CacheModule, CacheService } from '@larder/nestjs';
import { CatalogService } from './catalog.fixtures';

// A unit test that replaces CacheService with a mock must still be able to call decorated methods:
// with no cache behind them, they run as written and the mock sees only what the code calls itself.
describe('decorated methods when CacheService is overridden with a mock', () => {
  let moduleRef: TestingModule;
  const mock = { get: jest.fn(), set: jest.fn(), del: jest.fn(), getOrSet: jest.fn() };

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [CacheModule.forRoot({ logConnectionEvents: false })],
      providers: [CatalogService],
    })
      .overrideProvider(CacheService)
      .useValue(mock)
      .compile();
    await moduleRef.init();
  });

  afterEach(async () => {
    await moduleRef.close();
    jest.clearAllMocks();
  });

  it('@Cacheable calls through to the method on every call', async () => {
    const catalog = moduleRef.get(CatalogService);
    const first = await catalog.find(1);
    const second = await catalog.find(1);
    expect(catalog.count('find')).toBe(2);
    expect(second.version).toBe(first.version + 1);
    expect(moduleRef.get(CacheService)).toBe(mock);
    expect(mock.getOrSet).not.toHaveBeenCalled();
    expect(mock.get).not.toHaveBeenCalled();
  });

  it('@CacheEvict and @CachePut methods run and return their result, touching no cache', async () => {
    const catalog = moduleRef.get(CatalogService);
    await expect(catalog.update(1)).resolves.toBeUndefined();
    expect(catalog.count('update')).toBe(1);
    const put = await catalog.rename(2, 'renamed');
    expect(put).toMatchObject({ id: 2, name: 'renamed' });
    expect(catalog.count('rename')).toBe(1);
    for (const fn of Object.values(mock)) expect(fn).not.toHaveBeenCalled();
  });
});
