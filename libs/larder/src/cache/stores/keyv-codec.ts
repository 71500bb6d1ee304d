import { CompressionError } from '../../errors';
import { serializeOrThrow, type Serializer } from '../../common/serializer';
import type { CodecRegistry } from '../compression/compression-codecs';
import { codecNameOf, decompressPayload, isCompressed } from '../compression/compressed-payload';
import { COMPRESSED_WITH, UNREADABLE_ENTRY } from '../stored-entry';
import { BARE_INTEGER, ENCODED_SIZE, EncodedValue, EXPIRY_UNKNOWN, measure } from './encoded-value';

type Envelope<T> = { value?: T; expires?: number } | undefined;

/**
 * Keyv's serialize/deserialize pair built on the configured Serializer. Keyv stores an envelope
 * `{ value, expires }`; counters from `increment` are bare integers and read back as numbers. An
 * EncodedValue (from the writer) is already that envelope serialized (and maybe compressed), so
 * it passes through; any other write (cache-manager's) is held to `maxValueSize` here. With
 * `measureReads` (an L1 is there to fill), an envelope read back carries its text's size under
 * ENCODED_SIZE. A compressed entry (compressed-payload.ts) is decompressed with the codec it
 * names; one that cannot be comes back as an envelope without a value that carries the
 * CompressionError under UNREADABLE_ENTRY, so the reader reports it and treats it as a miss
 * (Keyv's getMany would otherwise fail a whole batch for one bad entry).
 */
export function keyvCodec(
  serializer: Serializer,
  maxValueSize: number,
  measureReads: boolean,
  codecs: CodecRegistry,
) {
  const parse = <T>(raw: string): Envelope<T> => {
    const envelope = BARE_INTEGER.test(raw)
      ? { value: Number(raw) as T, [EXPIRY_UNKNOWN]: true }
      : (serializer.deserialize(raw) as Envelope<T>);
    if (measureReads && typeof envelope === 'object' && envelope !== null) {
      (envelope as Record<symbol, number>)[ENCODED_SIZE] = Buffer.byteLength(raw);
    }
    return envelope;
  };
  const unpack = async <T>(raw: string): Promise<Envelope<T>> => {
    try {
      const envelope = parse<T>(await decompressPayload(raw, codecs));
      if (typeof envelope === 'object' && envelope !== null) {
        (envelope as Record<symbol, string>)[COMPRESSED_WITH] = codecNameOf(raw);
      }
      return envelope;
    } catch (error) {
      const typed =
        error instanceof CompressionError
          ? error
          : new CompressionError(
              `A decompressed cache entry cannot be parsed: ${(error as Error)?.message}`,
              {
                cause: error,
              },
            );
      return { [UNREADABLE_ENTRY]: typed } as Envelope<T>;
    }
  };
  return {
    serialize(data: unknown): string {
      const value = (data as { value?: unknown } | null)?.value;
      if (value instanceof EncodedValue) return value.payload;
      const payload = serializeOrThrow(serializer, data);
      measure(payload, maxValueSize);
      return payload;
    },
    deserialize<T>(raw: string): Envelope<T> | Promise<Envelope<T>> {
      return isCompressed(raw) ? unpack<T>(raw) : parse<T>(raw);
    },
  };
}
