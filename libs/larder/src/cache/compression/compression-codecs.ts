import { promisify } from 'node:util';
import * as zlib from 'node:zlib';

/**
 * A compression codec for cache values. `name` is written into every entry it compresses (see
 * compressed-payload.ts), so a reader finds the codec to decompress with: keep it stable, and
 * give every process that reads the cache the same codec under the same name.
 *
 * @example
 * const zstd: CompressionCodec = { name: 'zstd', compress: (b) => zstdCompress(b), decompress: (b) => zstdDecompress(b) };
 * CacheModule.forRoot({ compression: { threshold: '4kb', algorithm: zstd } });
 */
export interface CompressionCodec {
  /** 1 to 32 characters of `A-Z a-z 0-9 . _ -`; not one of the built-in names. */
  readonly name: string;
  compress(data: Buffer): Promise<Uint8Array>;
  decompress(data: Buffer): Promise<Uint8Array>;
}

/** The codecs built on Node's own zlib (no native add-on). */
export type CompressionAlgorithm = 'brotli' | 'gzip' | 'deflate';

const brotliCompress = promisify(zlib.brotliCompress);
const brotliDecompress = promisify(zlib.brotliDecompress);
const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
const deflate = promisify(zlib.deflate);
const inflate = promisify(zlib.inflate);

/*
 * Brotli's default quality (11) spends tens of milliseconds on a 100 KB value for a few percent
 * over quality 4, which already compresses JSON better than gzip's default level: a cache write
 * is on a request's path, so speed wins. Every call runs on libuv's thread pool, not the event loop.
 */
const BROTLI_QUALITY = 4;

const BUILT_IN: Record<CompressionAlgorithm, CompressionCodec> = {
  brotli: {
    name: 'brotli',
    compress: (data) =>
      brotliCompress(data, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
          [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      }),
    decompress: (data) => brotliDecompress(data),
  },
  gzip: { name: 'gzip', compress: (data) => gzip(data), decompress: (data) => gunzip(data) },
  deflate: { name: 'deflate', compress: (data) => deflate(data), decompress: (data) => inflate(data) },
};

/** Whether `name` is one of the built-in algorithms. */
export function isBuiltInAlgorithm(name: unknown): name is CompressionAlgorithm {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(BUILT_IN, name);
}

/**
 * The codecs one cache can read with, by the name written in each entry: the built-ins and every
 * custom codec its options name (the module's, and per call or decorator ones as they are first
 * used). A name identifies one codec: the first registered under it is the one used.
 */
export class CodecRegistry {
  private readonly codecs = new Map<string, CompressionCodec>(Object.entries(BUILT_IN));

  /** The built-in codec of `algorithm`. */
  static builtIn(algorithm: CompressionAlgorithm): CompressionCodec {
    return BUILT_IN[algorithm];
  }

  /** The codec registered under `codec.name` (registering `codec` when the name is new). */
  add(codec: CompressionCodec): CompressionCodec {
    const known = this.codecs.get(codec.name);
    if (known !== undefined) return known;
    this.codecs.set(codec.name, codec);
    return codec;
  }

  get(name: string): CompressionCodec | undefined {
    return this.codecs.get(name);
  }
}
