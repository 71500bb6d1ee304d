import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { Cacheable, CacheService, InvalidOptionError, type LarderModuleOptions } from '@larder/nestjs';
import { createLarderModule, uniqueNamespace } from '#test/test-helpers';
import { catalogValue } from '#test/compression.contract';

const codec = { name: 'mine', compress: async (b: Buffer) => b, decompress: async (b: Buffer) => b };

describe('compression options', () => {
  const start = (options: LarderModuleOptions) =>
    createLarderModule({ namespace: uniqueNamespace('zo'), ...options });

  it.each([
    [{ threshold: -1 }, 'compression.threshold'],
    [{ threshold: '1 kilobyte' }, 'compression.threshold'],
    [{ algorithm: 'zstd' }, 'compression.algorithm'],
    [{ algorithm: { ...codec, name: 'gzip' } }, 'compression.algorithm'],
    [{ algorithm: { name: 'no spaces', compress: codec.compress } }, 'compression.algorithm'],
    [{ level: 9 }, 'compression.level'],
    [true, 'compression'],
  ])('the module refuses %p, naming %s', async (compression, field) => {
    const boot = start({ compression: compression as LarderModuleOptions['compression'] });
    await expect(boot).rejects.toThrow(InvalidOptionError);
    await expect(boot).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining(field),
    });
  });

  it('per call, a bad compression option rejects naming it, and nothing is written', async () => {
    const moduleRef = await start({});
    const cache = moduleRef.get(CacheService);
    const bad = { compression: { algorithm: 'lz4' } } as unknown as { compression: false };
    await expect(cache.set('k', 1, bad)).rejects.toThrow(/set option "compression.algorithm"/);
    await expect(cache.getOrSet('k', async () => 1, bad)).rejects.toThrow(
      /getOrSet option "compression.algorithm"/,
    );
    await expect(cache.setMany([{ key: 'k', value: 1, ...bad }])).rejects.toThrow(
      /entries\[0\].compression.algorithm/,
    );
    expect(await cache.get('k')).toBeUndefined();
    await moduleRef.close();
  });

  it('a decorator with a bad compression option fails when it is applied', () => {
    expect(() => {
      @Injectable()
      class Bad {
        @Cacheable({ compression: { threshold: 'big' } })
        async load(): Promise<number> {
          return 1;
        }
      }
      return Bad;
    }).toThrow(/@Cacheable option "compression.threshold" on Bad.load/);
  });

  it('Prometheus counts compressed values and their bytes before and after, read from stats()', async () => {
    const registry = new Registry();
    const moduleRef = await start({ name: 'zipped', compression: { threshold: 0 }, metrics: { registry } });
    const cache = moduleRef.get(CacheService);
    await cache.set('a', catalogValue());
    await cache.set('b', catalogValue(20));
    const stats = cache.stats();
    const value = async (name: string, labels: Record<string, string>) => {
      const { values } = await registry.getSingleMetric(name)!.get();
      return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
    };
    expect(stats.compressed).toBe(2);
    expect(await value('larder_cache_compressed_total', { cache: 'zipped' })).toBe(2);
    expect(await value('larder_cache_compression_bytes_total', { cache: 'zipped', stage: 'before' })).toBe(
      stats.bytesBeforeCompression,
    );
    expect(await value('larder_cache_compression_bytes_total', { cache: 'zipped', stage: 'after' })).toBe(
      stats.bytesAfterCompression,
    );
    expect(stats.bytesAfterCompression).toBeLessThan(stats.bytesBeforeCompression);
    await moduleRef.close();
    expect(await value('larder_cache_compressed_total', { cache: 'zipped' })).toBeUndefined();
  });
});
