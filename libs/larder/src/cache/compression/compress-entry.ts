import { CompressionError } from '../../errors';
import type { CacheCore, Scope } from '../cache-core';
import { EncodedValue, type StoredEnvelope } from '../stores/encoded-value';
import { COMPRESSED_WITH } from '../stored-entry';
import { compressPayload } from './compressed-payload';
import type { CompressionPolicy } from './compression-options';

/**
 * The entry as it is stored under `policy`: compressed when its serialized form is at least the
 * threshold and compressing makes it smaller, else as it is. Its `size` stays the serialized size
 * (L1 holds the live value, not the stored bytes). A codec that fails leaves the value stored
 * uncompressed, with an `error` event: a cache write is never lost to compression.
 */
export async function compressEntry(
  core: CacheCore,
  scope: Scope,
  key: string,
  entry: EncodedValue,
  policy: CompressionPolicy,
): Promise<EncodedValue> {
  let payload: string | undefined;
  try {
    payload = await compressPayload(entry.payload, entry.size, policy);
  } catch (error) {
    core.reportError('compress', scope, key, error as CompressionError);
    return entry;
  }
  if (payload === undefined) return entry;
  const { counters } = core;
  counters.compressed++;
  counters.bytesBeforeCompression += entry.size;
  counters.bytesAfterCompression += payload.length;
  return new EncodedValue(entry.value, payload, entry.size, entry.expires, entry.freshUntil);
}

/** Whether a write of `entry` goes through compressEntry (the store keeps Larder's encoding, and it is large enough). */
export function compresses(
  core: CacheCore,
  entry: EncodedValue,
  policy: CompressionPolicy | null,
): policy is CompressionPolicy {
  return policy !== null && entry.size >= policy.threshold && core.store.usesLarderSerializer;
}

/**
 * A renewed entry (expire, touch, persist) stored the way `current` was: compressed again with
 * the codec `current` was read with, or as it is when `current` was not compressed.
 */
export function recompress(
  core: CacheCore,
  scope: Scope,
  key: string,
  entry: EncodedValue,
  current: StoredEnvelope | undefined,
): EncodedValue | Promise<EncodedValue> {
  const name = (current as Record<symbol, string> | undefined)?.[COMPRESSED_WITH];
  const codec = name === undefined ? undefined : core.options.compression.codecs.get(name);
  return codec === undefined ? entry : compressEntry(core, scope, key, entry, { threshold: 0, codec });
}
