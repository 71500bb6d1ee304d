import { InvalidArgumentError, InvalidKeyError } from '../errors';
import { parseDuration } from '../common/duration';
import { describe } from '../common/describe';
import type { Duration } from '../common/duration';

/** Checks a cache key: a non-empty string of at most `max` characters. */
export function assertKey(key: unknown, max: number, argument = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidKeyError(`Invalid cache ${argument}: ${describe(key)}. Expected a non-empty string.`);
  }
  if (key.length > max) {
    throw new InvalidKeyError(
      `Invalid cache ${argument}: ${key.length} characters, more than maxKeyLength (${max}).`,
    );
  }
}

/** Checks a tag list: an array of non-empty strings. */
export function assertTags(tags: unknown, max: number): asserts tags is string[] {
  if (!Array.isArray(tags))
    throw new InvalidArgumentError(`Invalid tags: ${describe(tags)}. Expected an array of strings.`);
  for (const tag of tags) assertKey(tag, max, 'tag');
}

/** A TTL argument in ms; `undefined` means the module's `defaultTtl`, 0 means no expiry. */
export function resolveTtl(ttl: Duration | undefined, defaultTtl: number): number {
  return ttl === undefined ? defaultTtl : parseDuration(ttl, 'ttl', { allowZero: true });
}
