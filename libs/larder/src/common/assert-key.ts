import { InvalidArgumentError, InvalidKeyError } from '../errors';
import { describe } from './describe';

/** How `assertKey` reports a bad value: the error class, and how it names the length limit. */
export interface KeyRule {
  readonly error: typeof InvalidKeyError | typeof InvalidArgumentError;
  /** The name of `max` in messages: the option it comes from (`'maxKeyLength'`) or the fixed limit. */
  readonly limit: string;
}

/** Keys, tags and prefixes: `E_INVALID_KEY`, limited by the `maxKeyLength` option. */
export const KEY: KeyRule = { error: InvalidKeyError, limit: 'maxKeyLength' };

/** Other string arguments (a lock owner, a user id): `E_INVALID_ARGUMENT`. */
export function argumentRule(limit = 'maxKeyLength'): KeyRule {
  return { error: InvalidArgumentError, limit };
}

/**
 * The one check of a key-like argument: a non-empty string of at most `max` characters. Cache
 * keys, tags and namespace prefixes, lock keys and owners, rate-limit keys and session user ids
 * all go through it, so they fail alike. Never echoes a valid-looking key: a string is only shown
 * when it is empty, and otherwise only its length.
 *
 * @param kind what the value is, as the message names it (`'cache key'`, `'lock key'`, `'owner'`)
 * @param max the most characters; `Infinity` for no limit
 * @param rule the error to throw and how `max` is named (default: `InvalidKeyError`, `maxKeyLength`)
 * @throws InvalidKeyError (or the rule's error) naming `kind`
 * @example assertKey('cache key', key, 1024) // Invalid cache key: "". Expected a non-empty string.
 * @example assertKey('owner', owner, 1024, argumentRule()) // InvalidArgumentError
 */
export function assertKey(
  kind: string,
  value: unknown,
  max: number,
  rule: KeyRule = KEY,
): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new rule.error(`Invalid ${kind}: ${describe(value)}. Expected a non-empty string.`);
  }
  if (value.length > max) {
    throw new rule.error(`Invalid ${kind}: ${value.length} characters, more than ${rule.limit} (${max}).`);
  }
}
