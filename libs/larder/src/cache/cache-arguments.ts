import { InvalidArgumentError } from '../errors';
import { assertKey } from '../common/assert-key';
import { describe } from '../common/describe';
import { parseDuration, type Duration } from '../common/duration';
import { checkCallOptions, optionKeys, unknownOptionError } from '../common/known-keys';
import type { CacheEntry, CacheSetOptions, GetOrSetOptions } from './cache-call-options';
import type { ResolvedCompression } from './compression/compression-options';
import { compressionOf, type CompressionPolicy } from './compression/compression-options';

/*
 * The arguments of the cache API, checked before any store is touched: keys go through the shared
 * assertKey (common/assert-key.ts), per-call options refuse unknown fields.
 */

const SET_KEYS = optionKeys<CacheSetOptions>({ ttl: true, tags: true, grace: true, compression: true });
const GET_OR_SET_KEYS = optionKeys<GetOrSetOptions>({
  ttl: true,
  tags: true,
  grace: true,
  compression: true,
  failSafeThrottle: true,
  timeout: true,
  refreshAhead: true,
  lock: true,
});
const ENTRY_KEYS = optionKeys<CacheEntry>({
  key: true,
  value: true,
  ttl: true,
  tags: true,
  grace: true,
  compression: true,
});
const INCREMENT_KEYS = optionKeys<{ ttl?: Duration }>({ ttl: true });
// Hoisted: set and getOrSet are hot paths, and the checks allocate nothing when every field is known.
const SET_PLACE = { subject: 'set option' };
const GET_OR_SET_PLACE = { subject: 'getOrSet option' };
const INCREMENT_PLACE = { subject: 'increment option' };

/**
 * Checks the options of `set` (`{ ttl, tags, grace }`) or `getOrSet` (those and the other ResilienceOptions).
 * @throws InvalidArgumentError for a non-object; InvalidOptionError naming an unknown field and the closest valid one
 */
export function checkSetOptions(options: unknown, method: 'set' | 'getOrSet'): void {
  if (method === 'set')
    checkCallOptions(options, SET_KEYS, SET_PLACE, '{ ttl?, tags?, grace?, compression? }');
  else
    checkCallOptions(
      options,
      GET_OR_SET_KEYS,
      GET_OR_SET_PLACE,
      '{ ttl?, tags?, grace?, compression?, failSafeThrottle?, timeout?, refreshAhead?, lock? }',
    );
}

/**
 * Refuses unknown fields in one `setMany` entry (`{ key, value, ttl, tags }`).
 * @throws InvalidOptionError naming `entries[index].<field>` and the closest valid one
 */
export function checkEntryFields(entry: object, index: number): void {
  const unknown = ENTRY_KEYS.findUnknown(entry);
  if (unknown !== undefined) {
    throw unknownOptionError(unknown, ENTRY_KEYS, {
      subject: 'setMany entry field',
      path: `entries[${index}]`,
    });
  }
}

/**
 * Checks the options of `increment`: an object with only `ttl`.
 * @throws InvalidArgumentError for a non-object; InvalidOptionError naming an unknown field and the closest valid one
 */
export function checkIncrementOptions(options: unknown): void {
  checkCallOptions(options, INCREMENT_KEYS, INCREMENT_PLACE, '{ ttl? }');
}

/** Checks a tag list: an array of non-empty strings of at most `max` characters. */
export function assertTags(tags: unknown, max: number): asserts tags is string[] {
  if (!Array.isArray(tags))
    throw new InvalidArgumentError(`Invalid tags: ${describe(tags)}. Expected an array of strings.`);
  for (const tag of tags) assertKey('cache tag', tag, max);
}

/** A grace argument in ms; `undefined` means the module's `resilience.grace`. */
export function resolveGrace(grace: Duration | undefined, defaultGrace: number): number {
  return grace === undefined ? defaultGrace : parseDuration(grace, 'grace', { allowZero: true });
}

/** A TTL argument in ms; `undefined` means the module's `defaultTtl`, 0 means no expiry. */
export function resolveTtl(ttl: Duration | undefined, defaultTtl: number): number {
  return ttl === undefined ? defaultTtl : parseDuration(ttl, 'ttl', { allowZero: true });
}

/** Where a call's `compression` is named in messages, by method. */
const COMPRESSION_PLACES = {
  set: { subject: 'set option', path: 'compression' },
  getOrSet: { subject: 'getOrSet option', path: 'compression' },
};

/**
 * A call's `compression` over the module's (unset: the module's policy itself, nothing allocated).
 * @throws InvalidOptionError naming `compression.<field>` (or the setMany entry's)
 */
export function resolveCompression(
  value: unknown,
  module: ResolvedCompression,
  where: 'set' | 'getOrSet' | number,
): CompressionPolicy | null {
  if (value === undefined) return module.policy;
  const place =
    typeof where === 'number'
      ? { subject: 'setMany entry field', path: `entries[${where}].compression` }
      : COMPRESSION_PLACES[where];
  return compressionOf(value, module.policy, place, module.codecs);
}
