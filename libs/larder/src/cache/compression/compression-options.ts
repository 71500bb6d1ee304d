import type { ByteSize } from '../../common/byte-size';
import { parseByteSize } from '../../common/byte-size';
import { assertKnownKeys, optionKeys, type OptionPlace } from '../../common/known-keys';
import { invalidOption } from '../../common/validate-options';
import {
  CodecRegistry,
  isBuiltInAlgorithm,
  type CompressionAlgorithm,
  type CompressionCodec,
} from './compression-codecs';

/**
 * Compression of large values: a value whose serialized form is at least `threshold` bytes is
 * stored compressed (unless that does not make it smaller). Set as the module's `compression`,
 * or per `set` / `setMany` entry / `getOrSet` / `@Cacheable` / `@CachePut` (`false`: not for
 * this write). Reads are transparent. See docs/compression.md.
 *
 * @example CacheModule.forRoot({ redis, compression: { threshold: '1kb', algorithm: 'brotli' } })
 */
export interface CompressionOptions {
  /** Smallest serialized size compressed, in bytes or `'1kb'`-style. Default `'1kb'`. */
  threshold?: ByteSize;
  /** `'brotli'` (default), `'gzip'`, `'deflate'` (Node's zlib), or your own CompressionCodec. */
  algorithm?: CompressionAlgorithm | CompressionCodec;
}

/** What a write compresses with, resolved; `null` where compression is off. */
export interface CompressionPolicy {
  readonly threshold: number;
  readonly codec: CompressionCodec;
}

/** The module's compression after validation: its default, and every codec entries can name. */
export interface ResolvedCompression {
  readonly policy: CompressionPolicy | null;
  readonly codecs: CodecRegistry;
}

const KEYS = optionKeys<CompressionOptions>({ threshold: true, algorithm: true });
const DEFAULTS: CompressionPolicy = { threshold: 1024, codec: CodecRegistry.builtIn('brotli') };
const NAME = /^[A-Za-z0-9._-]{1,32}$/;
const ALLOWED = `'brotli', 'gzip', 'deflate' or a codec { name, compress(buffer), decompress(buffer) }`;

/** The module's `compression` option (off unless set). @throws InvalidOptionError naming `compression.<field>` */
export function resolveModuleCompression(value: CompressionOptions | false | undefined): ResolvedCompression {
  const codecs = new CodecRegistry();
  const place = { subject: 'Larder option', path: 'compression' };
  return { codecs, policy: compressionOf(value, null, place, codecs) };
}

/**
 * A write's compression: `value` (a call's or decorator's `compression`) over `defaults` (the
 * module's policy). Unset: `defaults`; `false`: off; an object: its fields over the module's, or
 * over the built-in defaults (1kb, brotli) when the module compresses nothing. Without `codecs`
 * it only checks (at decoration time); with them, a custom codec is registered for reads.
 * @throws InvalidOptionError naming the field at `place`
 * @example compressionOf({ threshold: '4kb' }, null, { subject: 'set option', path: 'compression' })?.threshold // 4096
 */
export function compressionOf(
  value: unknown,
  defaults: CompressionPolicy | null,
  place: OptionPlace,
  codecs?: CodecRegistry,
): CompressionPolicy | null {
  if (value === undefined) return defaults;
  if (value === false) return null;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidOption(
      { ...place, path: '' },
      place.path ?? 'compression',
      value,
      'false or an object { threshold?, algorithm? }',
    );
  }
  assertKnownKeys(value, KEYS, place);
  const { threshold, algorithm } = value as CompressionOptions;
  const base = defaults ?? DEFAULTS;
  const name = (field: string) =>
    `${place.subject} "${place.path}.${field}"${place.where ? ` on ${place.where}` : ''}`;
  return {
    threshold: threshold === undefined ? base.threshold : parseByteSize(threshold, name('threshold')),
    codec: algorithm === undefined ? base.codec : codecOf(algorithm, place, codecs),
  };
}

function codecOf(algorithm: unknown, place: OptionPlace, codecs?: CodecRegistry): CompressionCodec {
  if (isBuiltInAlgorithm(algorithm)) return CodecRegistry.builtIn(algorithm);
  const codec = algorithm as Partial<CompressionCodec> | null;
  if (
    typeof codec !== 'object' ||
    codec === null ||
    typeof codec.compress !== 'function' ||
    typeof codec.decompress !== 'function' ||
    typeof codec.name !== 'string' ||
    !NAME.test(codec.name) ||
    isBuiltInAlgorithm(codec.name)
  ) {
    const shown =
      typeof codec === 'object' && codec !== null ? `codec named ${String(codec.name)}` : algorithm;
    throw invalidOption(
      place,
      'algorithm',
      shown,
      `${ALLOWED}; a codec's name 1-32 of A-Z a-z 0-9 . _ - and not a built-in name`,
    );
  }
  return codecs ? codecs.add(codec as CompressionCodec) : (codec as CompressionCodec);
}
