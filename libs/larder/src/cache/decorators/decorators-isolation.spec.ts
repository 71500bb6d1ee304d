import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Cacheable, CacheModule, CacheService, type LarderModuleOptions } from '@larder/nestjs';
import { createLarderModule, testRedisUrl, uniqueNamespace } from '#test/test-helpers';
import { CatalogService } from './catalog.fixtures';

const setups: Array<[string, () => LarderModuleOptions]> = [
  ['memory', () => ({})],
  ['Redis', () => ({ redis: testRedisUrl() })],
];

describe.each(setups)('two Nest apps in one process (%s)', (_name, makeOptions) => {
  let a: TestingModule;
  let b: TestingModule;

  beforeEach(async () => {
    a = await createLarderModule(
      { namespace: uniqueNamespace('a'), ...makeOptions() },
      { providers: [CatalogService] },
    );
    b = await createLarderModule(
      { namespace: uniqueNamespace('b'), ...makeOptions() },
      { providers: [CatalogService] },
    );
  });

  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it("each app's decorated methods use that app's own CacheModule", async () => {
    const catalogA = a.get(CatalogService);
    const catalogB = b.get(CatalogService);
    await catalogA.find(1);
    await catalogA.find(1);
    expect(catalogA.count('find')).toBe(1);
    expect(await a.get(CacheService).has('product:1')).toBe(true);
    expect(await b.get(CacheService).has('product:1')).toBe(false);

    await catalogB.find(1);
    expect(catalogB.count('find')).toBe(1);
    expect(catalogA.count('find')).toBe(1);

    // Evicting in B leaves A's entry alone.
    await catalogB.update(1);
    await catalogA.find(1);
    expect(catalogA.count('find')).toBe(1);
  });

  it('keeps working in one app after the other is closed', async () => {
    await a.close();
    const catalogB = b.get(CatalogService);
    await catalogB.find(5);
    await catalogB.find(5);
    expect(catalogB.count('find')).toBe(1);
    a = await createLarderModule({ ...makeOptions() }, { providers: [CatalogService] });
  });
});

/** One object registered in two apps with useValue: only the first app to start wraps it. */
@Injectable()
class SharedService {
  calls = 0;
  @Cacheable({ key: 'shared' })
  async value(): Promise<number> {
    return ++this.calls;
  }
}

describe('an instance shared by two apps', () => {
  it('is wrapped by the first app only, and unwrapped when that app closes', async () => {
    const shared = new SharedService();
    const provider = { provide: SharedService, useValue: shared };
    const a = await createLarderModule({ namespace: uniqueNamespace('a') }, { providers: [provider] });
    const b = await createLarderModule({ namespace: uniqueNamespace('b') }, { providers: [provider] });
    try {
      const wrapper = shared.value;
      expect(await shared.value()).toBe(1);
      expect(await shared.value()).toBe(1);
      expect(await a.get(CacheService).get('shared')).toBe(1);
      expect(await b.get(CacheService).has('shared')).toBe(false);
      await a.close();
      expect(shared.value).not.toBe(wrapper);
      expect(Object.prototype.hasOwnProperty.call(shared, 'value')).toBe(false);
      expect(await shared.value()).toBe(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

@Injectable()
class RootService {
  calls = 0;
  constructor(readonly cache: CacheService) {}

  @Cacheable({ key: 'which' })
  async which(): Promise<string> {
    this.calls++;
    return 'root';
  }
}

@Injectable()
class FeatureService {
  calls = 0;
  constructor(readonly cache: CacheService) {}

  @Cacheable({ key: 'which' })
  async which(): Promise<string> {
    this.calls++;
    return 'feature';
  }
}

const featureNamespace = uniqueNamespace('feature');

@Module({
  imports: [CacheModule.forRoot({ namespace: featureNamespace, logConnectionEvents: false })],
  providers: [FeatureService],
  exports: [FeatureService],
})
class FeatureModule {}

describe('two CacheModules in one app', () => {
  let moduleRef: TestingModule;

  afterEach(async () => {
    await moduleRef.close();
  });

  it('wraps each provider once, with the CacheModule its own module imports', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        CacheModule.forRoot({
          namespace: uniqueNamespace('root'),
          redis: testRedisUrl(),
          logConnectionEvents: false,
        }),
        FeatureModule,
      ],
      providers: [RootService],
    }).compile();
    await moduleRef.init();
    const root = moduleRef.get(RootService);
    const feature = moduleRef.get(FeatureService);
    expect(await root.which()).toBe('root');
    expect(await root.which()).toBe('root');
    expect(await feature.which()).toBe('feature');
    expect(await feature.which()).toBe('feature');
    expect(root.calls).toBe(1);
    expect(feature.calls).toBe(1);

    expect(root.cache === feature.cache).toBe(false);
    expect(await root.cache.get('which')).toBe('root');
    expect(await feature.cache.get('which')).toBe('feature');
  });
});
