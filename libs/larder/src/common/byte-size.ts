import { InvalidOptionError } from '../errors';
import { describe } from './describe';

/** A size in bytes: a number, or a string like `'512b'`, `'1kb'`, `'1.5mb'` (1 kb = 1024 bytes). */
export type ByteSize = number | string;

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const PATTERN = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i;

/**
 * A byte size as a whole number of bytes (>= 0), rounded down.
 * @throws InvalidOptionError naming `what`
 * @example parseByteSize('1kb', 'compression.threshold') // 1024
 */
export function parseByteSize(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  const match = typeof value === 'string' ? PATTERN.exec(value.trim()) : null;
  const bytes = match ? Math.floor(Number(match[1]) * UNITS[match[2].toLowerCase()]) : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new InvalidOptionError(
      `Invalid ${what}: ${describe(value)}. Allowed: a whole number of bytes >= 0, or a string like '512b', '1kb', '2mb'.`,
    );
  }
  return bytes;
}
