import { Inject, Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import type { Cache } from 'cache-manager';
import { CACHE_MANAGER, CacheModule, CacheService } from '@larder/nestjs';
import { testRedisUrl, uniqueNamespace } from '#test/test-helpers';

/** Code written for @nestjs/cache-manager: it only knows the CACHE_MANAGER token. */
@Injectable()
class LegacyCatalog {
  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  async price(id: string): Promise<number> {
    const cached = await this.cache.get<number>(`price:${id}`);
    if (cached !== undefined) return cached;
    await this.cache.set(`price:${id}`, 99, 60_000);
    return 99;
  }
}

@Injectable()
class UsesGlobalCache {
  constructor(readonly cache: CacheService) {}
}

@Module({ providers: [UsesGlobalCache] })
class FeatureModule {}

describe('CacheModule', () => {
  it('forRootAsync takes its options from ConfigService', async () => {
    const namespace = uniqueNamespace();
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheModule.forRootAsync({
          imports: [
            ConfigModule.forRoot({
              ignoreEnvFile: true,
              load: [() => ({ REDIS_URL: testRedisUrl(), NS: namespace })],
            }),
          ],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            redis: config.getOrThrow<string>('REDIS_URL'),
            namespace: config.getOrThrow<string>('NS'),
            logConnectionEvents: false,
          }),
        }),
      ],
    }).compile();
    await moduleRef.init();
    const cache = moduleRef.get(CacheService);
    await cache.set('from-config', 1);
    expect(await cache.get('from-config')).toBe(1);
    await moduleRef.close();
  });

  it('fails start-up with E_INVALID_OPTION when forRootAsync produces a bad option', async () => {
    const build = Test.createTestingModule({
      imports: [CacheModule.forRootAsync({ useFactory: () => ({ commandTimeout: 'fast' as never }) })],
    }).compile();
    await expect(build).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringMatching(/commandTimeout/),
    });
  });

  it('isGlobal makes CacheService injectable in modules that do not import CacheModule', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheModule.forRoot({ isGlobal: true, logConnectionEvents: false }), FeatureModule],
    }).compile();
    await moduleRef.init();
    expect(moduleRef.get(UsesGlobalCache).cache).toBe(moduleRef.get(CacheService));
    await moduleRef.close();
  });

  it('keeps code written for @nestjs/cache-manager working through CACHE_MANAGER', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheModule.forRoot({
          redis: testRedisUrl(),
          namespace: uniqueNamespace(),
          logConnectionEvents: false,
        }),
      ],
      providers: [LegacyCatalog],
    }).compile();
    await moduleRef.init();
    expect(await moduleRef.get(LegacyCatalog).price('p1')).toBe(99);
    expect(await moduleRef.get(CacheService).get('price:p1')).toBe(99);
    await moduleRef.close();
  });

  it('keeps two apps in one process apart', async () => {
    const build = () =>
      Test.createTestingModule({ imports: [CacheModule.forRoot({ logConnectionEvents: false })] }).compile();
    const [a, b] = await Promise.all([build(), build()]);
    await a.get(CacheService).set('k', 'a');
    expect(await b.get(CacheService).get('k')).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });
});
