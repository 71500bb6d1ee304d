import type { Keyv } from 'keyv';
import { serializeOrThrow, type Serializer } from '../options/serializer';

/** Where cache values live, and the few operations Keyv has no portable form for. */
export interface ValueBackend {
  /** `'memory'` (in-process), `'redis'` (@keyv/redis or the shared ioredis connection) or `'custom'` (the `store` option). */
  readonly kind: 'memory' | 'redis' | 'custom';
  /** The Keyv instance holding the values; cache-manager's `Cache` wraps the same one. */
  readonly keyv: Keyv;
  /**
   * Whether `keyv` encodes with Larder's serializer (so its own write step refuses what the
   * serializer cannot encode). False for a Keyv instance passed in as `store`, which keeps its own.
   */
  readonly usesLarderSerializer: boolean;
  /** Deletes every key of this namespace that starts with `prefix` (`''`: the whole namespace). */
  clearPrefix(prefix: string): Promise<number>;
  /** Adds `by` to an integer counter, creating it (with `ttl` ms, 0 = none) when missing. */
  increment(key: string, by: number, ttl: number): Promise<number>;
  /** Remaining lifetime in ms, `Infinity` without expiry, `undefined` when the key is missing. */
  ttl(key: string): Promise<number | undefined>;
  /** Deletes keys in one round trip where the store allows; returns how many existed (custom stores: how many were asked). */
  deleteMany(keys: string[]): Promise<number>;
  /** Resolves once the store can take commands, or after `ms` (never rejects: the app may start while Redis is down). */
  ready?(ms: number): Promise<void>;
  /**
   * Round-trip time in ms of a PING over the connection holding the values (Redis stores only;
   * used by the health indicator). Rejects with a typed error when the store does not answer.
   */
  ping?(): Promise<number>;
  /** Closes what the backend opened. */
  close(): Promise<void>;
}

/** A counter written by `increment` is stored as a bare integer so Redis can INCRBY it atomically. */
const BARE_INTEGER = /^-?\d{1,15}$/;

/**
 * Keyv's serialize/deserialize pair built on the configured Serializer. Keyv stores an envelope
 * `{ value, expires }`; counters from `increment` are bare integers and read back as numbers.
 */
export function keyvCodec(serializer: Serializer) {
  return {
    serialize(data: unknown): string {
      return serializeOrThrow(serializer, data);
    },
    deserialize<T>(raw: string): { value?: T; expires?: number } | undefined {
      if (BARE_INTEGER.test(raw)) return { value: Number(raw) as T };
      return serializer.deserialize(raw) as { value?: T; expires?: number };
    },
  };
}
