import { NotSerializableError, ValueTooLargeError } from '../../errors';
import { serializeOrThrow, type Serializer } from '../../common/serializer';

/**
 * A value as the writer serialized it, once: the Keyv envelope `{ value, expires }` as text, and
 * that text's size in UTF-8 bytes. Stores given one write `payload` as is instead of serializing again.
 */
export class EncodedValue {
  constructor(
    readonly value: unknown,
    readonly payload: string,
    readonly size: number,
    /** Epoch ms the entry is stored until (ttl + grace), undefined without expiry. */
    readonly expires?: number,
    /** Epoch ms its ttl ends: past it the entry is only a stale fallback (kept for `grace`). */
    readonly freshUntil?: number,
  ) {}
}

/** Where an envelope read back from a store carries the size of the text it was parsed from. */
export const ENCODED_SIZE = Symbol('larder.encodedSize');

/**
 * Marks an envelope whose expiry only the store knows: a counter Redis keeps as a bare integer
 * (for INCRBY) has no `expires` beside it, so L1 could not stop serving it when it expires.
 */
export const EXPIRY_UNKNOWN = Symbol('larder.expiryUnknown');

/** The size in UTF-8 bytes of a serialized value, refused past `maxValueSize`. */
export function measure(payload: string, maxValueSize: number, key?: string): number {
  const size = Buffer.byteLength(payload);
  if (size > maxValueSize) {
    const what = key === undefined ? 'Value' : `Value for key "${key}"`;
    throw new ValueTooLargeError(
      `${what} is ${size} bytes serialized, more than maxValueSize (${maxValueSize}); nothing was written.`,
    );
  }
  return size;
}

/**
 * Serializes a value into the envelope Keyv writes (`{ value, expires }`), so a value that cannot
 * be stored fails before any store or tag index is touched, and no store serializes it again.
 * With `grace` (and a ttl), the entry is stored until ttl + grace (`expires`, which is when Keyv
 * and Redis drop it) and carries where its ttl ends (`freshUntil`): readers treat it as a miss
 * from then on, and `getOrSet` may still fall back to it (cache/resilience).
 * @throws NotSerializableError for `undefined`, a symbol or what the serializer refuses
 * @throws ValueTooLargeError past `maxValueSize`
 */
export function encodeValue(
  serializer: Serializer,
  maxValueSize: number,
  key: string,
  value: unknown,
  ttl: number,
  grace = 0,
  now = Date.now(),
): EncodedValue {
  if (value === undefined) {
    throw new NotSerializableError(
      `Value for key "${key}" is undefined; undefined is never stored (use del()).`,
    );
  }
  // Keyv refuses a symbol with a plain Error before any serializer sees it, which would read as
  // an outage; whatever the serializer, a symbol cannot be stored.
  if (typeof value === 'symbol') {
    throw new NotSerializableError(`Value for key "${key}" is a symbol; symbols cannot be stored.`);
  }
  const freshUntil = ttl > 0 ? now + ttl : undefined;
  const expires = freshUntil !== undefined && grace > 0 ? freshUntil + grace : freshUntil;
  const envelope = expires === freshUntil ? { value, expires } : { value, expires, freshUntil };
  const payload = serializeOrThrow(serializer, envelope, key);
  return new EncodedValue(value, payload, measure(payload, maxValueSize, key), expires, freshUntil);
}

/** An envelope as a store gives it back. */
export interface StoredEnvelope {
  value?: unknown;
  expires?: number | null;
  freshUntil?: number;
}

/**
 * The stored entry `current` encoded again to live `ttl` ms from now (0 = no expiry), keeping the
 * grace it was written with (the time between `freshUntil` and `expires`); undefined when it is not
 * live (missing, expired, or past its ttl and kept only for grace), so `expire` never revives one.
 * Its size was accepted when it was written: `maxValueSize` is not checked again.
 */
export function renewEnvelope(
  serializer: Serializer,
  key: string,
  current: StoredEnvelope | undefined,
  ttl: number,
  now = Date.now(),
): EncodedValue | undefined {
  if (current === undefined || current === null || current.value === undefined) return undefined;
  const { expires, freshUntil } = current;
  if ((typeof expires === 'number' && expires <= now) || (freshUntil !== undefined && freshUntil <= now)) {
    return undefined;
  }
  const grace = freshUntil !== undefined && typeof expires === 'number' ? expires - freshUntil : 0;
  return encodeValue(serializer, Infinity, key, current.value, ttl, grace, now);
}

/** The store ttl (ms, 0 = none) of an entry: until its `expires`. */
export function storeTtl(entry: EncodedValue, now = Date.now()): number {
  return entry.expires === undefined ? 0 : Math.max(1, entry.expires - now);
}

/** A counter written by `increment` is stored as a bare integer so Redis can INCRBY it atomically. */
export const BARE_INTEGER = /^-?\d{1,15}$/;
