import { CompressionError } from '../../errors';
import type { CodecRegistry } from './compression-codecs';
import type { CompressionPolicy } from './compression-options';

/*
 * The stored form of a compressed entry: `~z:<codec name>:<base64 of the compressed bytes>`.
 *
 * Every Keyv store, and both Redis clients, store and send text (as UTF-8), so the bytes need a
 * text encoding. Base64 costs 4/3 and is plain ASCII, safe in any store (SQL text columns, JSON
 * files); a latin1 "binary" string would cost about 1.5 once encoded as UTF-8 and could be mangled
 * by stores that normalize text. Node encodes and decodes base64 natively.
 *
 * A serialized envelope starts with `{` (JSON) or a digit (a counter), and base64 or hex
 * serializers never produce `~`, so the marker tells an old uncompressed entry from a new
 * compressed one: both read back.
 */
const MARKER = '~z:';
const TILDE = 0x7e;

/** A codec's bytes as a Buffer, without a copy (zlib's are Buffers already; a custom codec may give a Uint8Array). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Whether a stored text is a compressed entry (one character compare for the others). */
export function isCompressed(text: string): boolean {
  return text.charCodeAt(0) === TILDE && text.startsWith(MARKER);
}

/** The compressed stored form of `payload` (`size` bytes), or undefined when it would not be smaller. */
export async function compressPayload(
  payload: string,
  size: number,
  policy: CompressionPolicy,
): Promise<string | undefined> {
  let packed: Uint8Array;
  try {
    packed = await policy.codec.compress(Buffer.from(payload));
  } catch (error) {
    throw new CompressionError(
      `Compression with "${policy.codec.name}" failed: ${(error as Error)?.message}`,
      {
        cause: error,
      },
    );
  }
  if (!(packed instanceof Uint8Array)) {
    throw new CompressionError(`Codec "${policy.codec.name}" returned ${typeof packed}, not a Buffer`);
  }
  const text = `${MARKER}${policy.codec.name}:${asBuffer(packed).toString('base64')}`;
  return text.length < size ? text : undefined;
}

/** The codec name of a compressed stored text. */
export function codecNameOf(text: string): string {
  const end = text.indexOf(':', MARKER.length);
  return end < 0 ? '' : text.slice(MARKER.length, end);
}

/**
 * The serialized text a compressed entry holds.
 * @throws CompressionError when the codec it names is unknown here or its bytes do not decompress
 */
export async function decompressPayload(text: string, codecs: CodecRegistry): Promise<string> {
  const name = codecNameOf(text);
  const codec = codecs.get(name);
  if (codec === undefined) {
    throw new CompressionError(
      `A cache entry is compressed with codec "${name}", which this cache does not know; give it in the compression option.`,
    );
  }
  try {
    const data = Buffer.from(text.slice(MARKER.length + name.length + 1), 'base64');
    return asBuffer(await codec.decompress(data)).toString('utf8');
  } catch (error) {
    throw new CompressionError(
      `A cache entry compressed with "${name}" cannot be decompressed: ${(error as Error)?.message}`,
      {
        cause: error,
      },
    );
  }
}
