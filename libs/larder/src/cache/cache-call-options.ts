import type { Duration } from '../common/duration';
import { checkCallOptions, optionKeys, unknownOptionError } from '../common/known-keys';
import type { CacheEntry, CacheSetOptions } from './cache-scope';

const SET_KEYS = optionKeys<CacheSetOptions>({ ttl: true, tags: true });
const ENTRY_KEYS = optionKeys<CacheEntry>({ key: true, value: true, ttl: true, tags: true });
const INCREMENT_KEYS = optionKeys<{ ttl?: Duration }>({ ttl: true });
// Hoisted: set and getOrSet are hot paths, and the checks allocate nothing when every field is known.
const SET_PLACE = { subject: 'set option' };
const GET_OR_SET_PLACE = { subject: 'getOrSet option' };
const INCREMENT_PLACE = { subject: 'increment option' };

/**
 * Checks the options of `set` or `getOrSet`: an object with only `ttl` and `tags`.
 * @throws InvalidArgumentError for a non-object; InvalidOptionError naming an unknown field and the closest valid one
 */
export function checkSetOptions(options: unknown, method: 'set' | 'getOrSet'): void {
  checkCallOptions(options, SET_KEYS, method === 'set' ? SET_PLACE : GET_OR_SET_PLACE, '{ ttl?, tags? }');
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
