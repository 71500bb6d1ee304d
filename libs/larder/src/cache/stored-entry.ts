import type { Serializer } from '../common/serializer';
import { ENCODED_SIZE, type StoredEnvelope } from './stores/encoded-value';

/** An entry as the value store's raw read brings it (Keyv's `{ value, expires }`, plus grace's `freshUntil`). */
export type StoredEntry = StoredEnvelope | undefined;

/** Whether a read brought a value within its ttl (past it, an entry kept for grace is only a fallback). */
export function isLive(raw: StoredEntry, now: number): raw is NonNullable<StoredEntry> {
  return (
    raw !== undefined &&
    raw !== null &&
    raw.value !== undefined &&
    (raw.freshUntil === undefined || raw.freshUntil > now)
  );
}

/** The serialized size of what a read brought, for L1's byte budget. */
export function encodedSizeOf(raw: NonNullable<StoredEntry>, serializer: Serializer): number {
  const measured = (raw as Record<symbol, unknown>)[ENCODED_SIZE];
  if (typeof measured === 'number') return measured;
  // A Keyv instance passed as `store` parses with its own serializer: measure with ours.
  try {
    return Buffer.byteLength(serializer.serialize({ value: raw.value, expires: raw.expires }));
  } catch {
    return 0;
  }
}

/** Where an envelope read back from a compressed entry carries its codec's name (for expire/touch to keep it). */
export const COMPRESSED_WITH = Symbol('larder.compressedWith');

/** Where a stored entry that could not be read back (see keyv-codec.ts) carries its CompressionError. */
export const UNREADABLE_ENTRY = Symbol('larder.unreadableEntry');

/** The error of an entry that could not be read back, or undefined. */
export function unreadableError(raw: StoredEntry): Error | undefined {
  return raw === undefined || raw === null
    ? undefined
    : (raw as Record<symbol, Error | undefined>)[UNREADABLE_ENTRY];
}
