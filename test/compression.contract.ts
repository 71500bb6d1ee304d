import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { Injectable } from '@nestjs/common';
import {
  Cacheable,
  CacheService,
  CompressionError,
  LARDER_CACHE_STORE,
  type CacheStore,
  type CompressionCodec,
  type LarderModuleOptions,
} from '@larder/nestjs';
import { entryKey } from '@larder/nestjs/cache/cache-keys';
import { startLarder, uniqueNamespace, type LarderTestingModule } from '@larder/nestjs/testing';

const deflateRaw = promisify(zlib.deflateRaw);
const inflateRaw = promisify(zlib.inflateRaw);

/** A large, compressible JSON value (~20 KB serialized). */
export function catalogValue(items = 300): { items: Array<{ id: number; name: string; tags: string[] }> } {
  return {
    items: Array.from({ length: items }, (_, id) => ({ id, name: `product ${id}`, tags: ['a', 'b'] })),
  };
}

/** A string that does not shrink under any codec: random bytes, base64 (6 bits of entropy a character). */
function incompressible(bytes: number): string {
  return randomBytes(bytes).toString('base64').slice(0, bytes);
}

type Adapter = { get(k: string): unknown; set(k: string, v: string): unknown };

/** The store's Keyv adapter and the key it holds `key` under (Keyv prefixes a `store` option's keys itself). */
function adapterOf(moduleRef: LarderTestingModule, key: string): [Adapter, string] {
  const { keyv } = moduleRef.get<CacheStore>(LARDER_CACHE_STORE);
  const full = entryKey('', key);
  return [keyv.store as Adapter, keyv.useKeyPrefix && keyv.namespace ? `${keyv.namespace}:${full}` : full];
}

/** The stored text of an entry, as the store holds it (no decoding). */
async function storedText(moduleRef: LarderTestingModule, key: string): Promise<string> {
  const [adapter, stored] = adapterOf(moduleRef, key);
  return String(await adapter.get(stored));
}

/** Writes a stored text as is, as another writer (an older module, a corrupting one) would have. */
async function overwriteStored(moduleRef: LarderTestingModule, key: string, text: string): Promise<void> {
  const [adapter, stored] = adapterOf(moduleRef, key);
  await adapter.set(stored, text);
}

/** The value of an entry read from the value store itself, past L1 (so its stored form is decoded). */
async function readStored(moduleRef: LarderTestingModule, key: string): Promise<unknown> {
  return moduleRef.get<CacheStore>(LARDER_CACHE_STORE).keyv.get(entryKey('', key));
}

@Injectable()
class ReportService {
  runs = 0;
  @Cacheable({ key: 'report:{0}', compression: { threshold: 0, algorithm: 'gzip' } })
  async report(id: number): Promise<unknown> {
    this.runs++;
    return { id, ...catalogValue(50) };
  }
}

/**
 * Compression through one store setup: thresholds, each codec, a custom codec, values that do not
 * shrink, entries written without compression beside compressed ones, corrupted entries, per-call
 * overrides, batches, tags, lifetimes and `@Cacheable`. `makeOptions` gives the store (Redis,
 * memory, a Keyv store); each test adds its own `compression`. `sharedStore`: two modules from
 * `makeOptions` see the same entries (Redis), so one without compression reads the other's.
 */
export function describeCompressionContract(
  setup: string,
  makeOptions: () => LarderModuleOptions,
  options: { sharedStore: boolean },
): void {
  describe(`compression contract: ${setup}`, () => {
    const modules: LarderTestingModule[] = [];
    let namespace: string;

    async function start(compression: LarderModuleOptions['compression']): Promise<LarderTestingModule> {
      const moduleRef = await startLarder(
        { namespace, ...makeOptions(), compression },
        { providers: [ReportService] },
      );
      modules.push(moduleRef);
      return moduleRef;
    }

    beforeEach(() => {
      namespace = uniqueNamespace('z');
    });

    afterEach(async () => {
      await modules[0]?.get(CacheService).clear();
      for (const moduleRef of modules.splice(0)) await moduleRef.close();
    });

    it('compresses from the threshold on: one byte below it is stored as is', async () => {
      const moduleRef = await start({ threshold: 2048, algorithm: 'gzip' });
      const cache = moduleRef.get(CacheService);
      const envelopeOf = (length: number) => JSON.stringify({ value: 'x'.repeat(length) });
      const padding = envelopeOf(0).length;
      await cache.set('below', 'x'.repeat(2047 - padding));
      expect(envelopeOf(2047 - padding).length).toBe(2047);
      expect(cache.stats().compressed).toBe(0);
      await cache.set('at', 'x'.repeat(2048 - padding));
      expect(cache.stats().compressed).toBe(1);
      expect(await storedText(moduleRef, 'below')).toMatch(/^\{/);
      expect(await storedText(moduleRef, 'at')).toMatch(/^~z:gzip:/);
      expect(await cache.get('below')).toBe('x'.repeat(2047 - padding));
      expect(await cache.get('at')).toBe('x'.repeat(2048 - padding));
    });

    it.each(['brotli', 'gzip', 'deflate'] as const)(
      '%s: stored smaller, read back equal',
      async (algorithm) => {
        const moduleRef = await start({ threshold: '1kb', algorithm });
        const cache = moduleRef.get(CacheService);
        const value = catalogValue();
        await cache.set('catalog', value);
        expect(await storedText(moduleRef, 'catalog')).toMatch(new RegExp(`^~z:${algorithm}:`));
        expect(await cache.get('catalog')).toEqual(value);
        const stats = cache.stats();
        expect(stats.compressed).toBe(1);
        expect(stats.bytesBeforeCompression).toBe(JSON.stringify({ value }).length);
        expect(stats.bytesAfterCompression).toBe((await storedText(moduleRef, 'catalog')).length);
        expect(stats.bytesAfterCompression).toBeLessThan(stats.bytesBeforeCompression / 4);
      },
    );

    it('a custom codec compresses and decompresses its own entries', async () => {
      const calls = { compress: 0, decompress: 0 };
      const codec: CompressionCodec = {
        name: 'raw-deflate',
        compress: (data) => (calls.compress++, deflateRaw(data)),
        decompress: (data) => (calls.decompress++, inflateRaw(data)),
      };
      const moduleRef = await start({ algorithm: codec });
      const value = catalogValue();
      await moduleRef.get(CacheService).set('catalog', value);
      expect(await storedText(moduleRef, 'catalog')).toMatch(/^~z:raw-deflate:/);
      expect(await readStored(moduleRef, 'catalog')).toEqual(value);
      expect(calls).toEqual({ compress: 1, decompress: 1 });
    });

    it('a value that does not shrink is stored as is', async () => {
      const moduleRef = await start({ threshold: '1kb' });
      const cache = moduleRef.get(CacheService);
      const value = incompressible(4096);
      await cache.set('noise', value);
      expect(cache.stats().compressed).toBe(0);
      expect(await storedText(moduleRef, 'noise')).toMatch(/^\{/);
      expect(await cache.get('noise')).toBe(value);
    });

    it('entries written without compression and compressed ones read back side by side', async () => {
      const moduleRef = await start({ threshold: '1kb' });
      const cache = moduleRef.get(CacheService);
      const value = catalogValue();
      // What a module without compression stored before compression was turned on.
      await overwriteStored(moduleRef, 'old', JSON.stringify({ value }));
      await cache.set('new', value);
      expect(await storedText(moduleRef, 'new')).toMatch(/^~z:brotli:/);
      expect(await cache.getMany(['old', 'new'])).toEqual([value, value]);
      if (!options.sharedStore) return;
      // A module without compression, on the same store, reads both (the built-in codecs are always known).
      const plain = (await start(false)).get(CacheService);
      await plain.set('plain', value);
      expect(await plain.getMany(['old', 'new', 'plain'])).toEqual([value, value, value]);
      expect(await cache.get('plain')).toEqual(value);
    });

    it('a corrupted entry or an unknown codec is an error event and a miss, never a crash', async () => {
      const moduleRef = await start({ threshold: 0 });
      const cache = moduleRef.get(CacheService);
      const errors: unknown[] = [];
      cache.on('error', (e) => errors.push(e.error));
      await cache.set('fine', catalogValue());
      await overwriteStored(moduleRef, 'broken', '~z:brotli:bm90IGJyb3RsaQ==');
      await overwriteStored(moduleRef, 'unknown', '~z:zstd:AAAA');
      expect(await cache.get('broken')).toBeUndefined();
      expect(await cache.getMany(['unknown', 'fine'])).toEqual([undefined, catalogValue()]);
      expect(await cache.has('broken')).toBe(false);
      expect(await cache.getOrSet('unknown', async () => 'reloaded')).toBe('reloaded');
      expect(errors.length).toBe(4);
      expect(errors.every((e) => e instanceof CompressionError)).toBe(true);
      expect((errors[1] as Error).message).toContain('"zstd"');
      expect(cache.stats().errors).toBe(4);
    });

    it('per call: false stores uncompressed; an object compresses when the module does not', async () => {
      const moduleRef = await start({ threshold: '1kb' });
      const cache = moduleRef.get(CacheService);
      await cache.set('off', catalogValue(), { compression: false });
      await cache.set('gzip', catalogValue(), { compression: { algorithm: 'gzip' } });
      await cache.setMany([
        { key: 'many-off', value: catalogValue(), compression: false },
        { key: 'many-on', value: catalogValue() },
      ]);
      await cache.getOrSet('loaded', async () => catalogValue(), { compression: { threshold: '1mb' } });
      const stored = await Promise.all(
        ['off', 'gzip', 'many-off', 'many-on', 'loaded'].map((k) => storedText(moduleRef, k)),
      );
      expect(stored.map((text) => /^~z:(\w+):/.exec(text)?.[1] ?? 'plain')).toEqual([
        'plain',
        'gzip',
        'plain',
        'brotli',
        'plain',
      ]);
      const off = (await start(false)).get(CacheService);
      await off.set('on-per-call', catalogValue(), { compression: { threshold: 0 } });
      expect(off.stats().compressed).toBe(1);
    });

    it('tags, ttl, expire and getMany keep working on compressed entries', async () => {
      const moduleRef = await start({ threshold: 0 });
      const cache = moduleRef.get(CacheService);
      await cache.setMany([
        { key: 'a', value: catalogValue(), tags: ['catalog'], ttl: '1h' },
        { key: 'b', value: catalogValue(10), tags: ['catalog'] },
      ]);
      expect(await cache.ttl('a')).toBeGreaterThan(3_500_000);
      expect(await cache.expire('a', '2h')).toBe(true);
      expect(await cache.ttl('a')).toBeGreaterThan(7_000_000);
      expect(await storedText(moduleRef, 'a')).toMatch(/^~z:brotli:/);
      expect(await cache.get('a')).toEqual(catalogValue());
      expect(await cache.invalidateTags(['catalog'])).toBe(2);
      expect(await cache.getMany(['a', 'b'])).toEqual([undefined, undefined]);
    });

    it('@Cacheable stores its result with the compression it names', async () => {
      const moduleRef = await start(false);
      const reports = moduleRef.get(ReportService);
      const first = await reports.report(7);
      expect(await reports.report(7)).toEqual(first);
      expect(reports.runs).toBe(1);
      expect(await storedText(moduleRef, 'report:7')).toMatch(/^~z:gzip:/);
    });
  });
}
