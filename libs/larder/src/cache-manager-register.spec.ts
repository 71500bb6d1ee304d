import { Inject, Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Cache } from 'cache-manager';
import { Keyv } from 'keyv';
// The module below is written for @nestjs/cache-manager; only this import changed.
import {
  CACHE_MANAGER,
  CacheModule,
  CacheService,
  type CacheModuleOptions,
  type CacheOptionsFactory,
  type LarderModuleOptions,
  type LarderOptionsFactory,
} from '@larder/nestjs';

/** What a service written for @nestjs/cache-manager does: CACHE_MANAGER, typed by cache-manager. */
@Injectable()
class LegacyCatalog {
  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  async find(id: number): Promise<string> {
    const key = `product:${id}`;
    const hit = await this.cache.get<string>(key);
    if (hit !== undefined) return hit;
    const value = `product ${id}`;
    await this.cache.set(key, value);
    return value;
  }
}

@Injectable()
class CacheSettings {
  readonly ttl = 4000;
}

@Module({ providers: [CacheSettings], exports: [CacheSettings] })
class SettingsModule {}

@Injectable()
class CacheConfigService implements CacheOptionsFactory {
  constructor(@Inject(CacheSettings) private readonly settings: CacheSettings) {}

  createCacheOptions(): CacheModuleOptions {
    return { ttl: this.settings.ttl, max: 2 };
  }
}

async function start(cacheModule: ReturnType<typeof CacheModule.register>): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [cacheModule],
    providers: [LegacyCatalog],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

/** The module's default ttl as CacheService sees it on a fresh entry: (0, ttl]. */
async function defaultTtlOf(moduleRef: TestingModule): Promise<number | undefined> {
  const cache = moduleRef.get(CacheService);
  await cache.set('probe', 1);
  return cache.ttl('probe');
}

describe('CacheModule.register() / registerAsync() with @nestjs/cache-manager option names', () => {
  let moduleRef: TestingModule | undefined;

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  it('register({ ttl, max, isGlobal }) runs code written for @nestjs/cache-manager, with ttl in ms and max bounding memory', async () => {
    moduleRef = await start(
      CacheModule.register({ ttl: 5000, max: 2, isGlobal: true, logConnectionEvents: false }),
    );
    const catalog = moduleRef.get(LegacyCatalog);
    expect(await catalog.find(1)).toBe('product 1');
    expect(await moduleRef.get<Cache>(CACHE_MANAGER).get('product:1')).toBe('product 1');
    const ttl = await defaultTtlOf(moduleRef);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5000);
    // max: 2 entries in memory ('product:1' and 'probe'); a third pushes the least recent out.
    await catalog.find(2);
    expect(await moduleRef.get<Cache>(CACHE_MANAGER).get('product:1')).toBeUndefined();
  });

  it('register({ stores }) keeps values in the one Keyv store given', async () => {
    const map = new Map<string, unknown>();
    moduleRef = await start(
      CacheModule.register({ stores: new Keyv({ store: map }), logConnectionEvents: false }),
    );
    await moduleRef.get(LegacyCatalog).find(7);
    expect(map.size).toBe(1);
    expect(await moduleRef.get(CacheService).get('product:7')).toBe('product 7');
  });

  it('registerAsync({ imports, useClass }) calls createCacheOptions() with its dependencies injected', async () => {
    moduleRef = await start(
      CacheModule.registerAsync({ imports: [SettingsModule], useClass: CacheConfigService }),
    );
    expect(await moduleRef.get(LegacyCatalog).find(3)).toBe('product 3');
    const ttl = await defaultTtlOf(moduleRef);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(4000);
  });

  it('registerAsync({ useFactory, inject, extraProviders }) lets the factory inject an extra provider', async () => {
    moduleRef = await start(
      CacheModule.registerAsync({
        extraProviders: [CacheSettings],
        inject: [CacheSettings],
        useFactory: (settings: CacheSettings) => ({ ttl: settings.ttl * 2 }),
      }),
    );
    const ttl = await defaultTtlOf(moduleRef);
    expect(ttl).toBeGreaterThan(4000);
    expect(ttl).toBeLessThanOrEqual(8000);
  });

  it('registerAsync({ useExisting }) uses a factory from an imported module', async () => {
    @Module({ imports: [SettingsModule], providers: [CacheConfigService], exports: [CacheConfigService] })
    class ConfigModule {}
    moduleRef = await start(
      CacheModule.registerAsync({ imports: [ConfigModule], useExisting: CacheConfigService }),
    );
    expect(await defaultTtlOf(moduleRef)).toBeLessThanOrEqual(4000);
  });

  it('refuses what Larder cannot honour with E_INVALID_OPTION naming the option and what to use', () => {
    const two = [new Keyv(), new Keyv()];
    expect(() => CacheModule.register({ stores: two })).toThrow(
      expect.objectContaining({
        code: 'E_INVALID_OPTION',
        message: expect.stringMatching(/"stores".*`memory:/),
      }),
    );
    expect(() => CacheModule.register({ refreshThreshold: 1000 })).toThrow(
      /"refreshThreshold".*refreshAhead/,
    );
    expect(() => CacheModule.register({ nonBlocking: true })).toThrow(/"nonBlocking"/);
    expect(() => CacheModule.register({ ttl: '5m' as unknown as number })).toThrow(/"ttl".*milliseconds/);
    expect(() => CacheModule.register({ max: 0 })).toThrow(/"max"/);
    expect(() => CacheModule.register({ ttl: 1000, defaultTtl: '1s' })).toThrow(/"ttl" and "defaultTtl"/);
    expect(() => CacheModule.registerAsync({ imports: [] })).toThrow(
      expect.objectContaining({
        code: 'E_INVALID_OPTION',
        message: expect.stringMatching(/useFactory, useClass or useExisting/),
      }),
    );
  });

  it('fails start-up naming the option when a factory returns one that cannot be mapped', async () => {
    await expect(
      start(CacheModule.registerAsync({ useFactory: () => ({ refreshThreshold: 500 }) })),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'E_INVALID_OPTION',
        message: expect.stringMatching(/refreshThreshold/),
      }),
    );
  });

  it('forRootAsync({ useClass }) calls a LarderOptionsFactory', async () => {
    @Injectable()
    class LarderConfig implements LarderOptionsFactory {
      createLarderOptions(): LarderModuleOptions {
        return { defaultTtl: '3s', logConnectionEvents: false };
      }
    }
    moduleRef = await start(CacheModule.forRootAsync({ useClass: LarderConfig }));
    expect(await defaultTtlOf(moduleRef)).toBeLessThanOrEqual(3000);
  });
});
