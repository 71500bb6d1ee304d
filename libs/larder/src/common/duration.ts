import { InvalidOptionError } from '../errors';
import { describe } from './describe';

/**
 * A length of time: milliseconds as a number, or a string such as `'500ms'`, `'30s'`, `'5m'`,
 * `'1h'`, `'1d'` (one unit; decimals allowed, e.g. `'1.5s'`). Used as whole milliseconds; a
 * positive duration below 1 ms counts as 1 ms (see `parseDuration`).
 *
 * @example const ttl: Duration = '5m';
 */
export type Duration = number | `${number}${DurationUnit}` | `${number}`;
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const UNIT_MS: Record<DurationUnit, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;

export const DURATION_HELP = "a number of milliseconds or a string like '500ms', '30s', '5m', '1h', '1d'";

/**
 * Parses a Duration into whole milliseconds. The one place durations are parsed: every duration
 * option and argument of the library goes through it.
 *
 * Durations are whole milliseconds. A fraction rounds to the nearest millisecond, except that a
 * positive duration below 1 ms rounds up to 1 ms: it never becomes 0, which means "no expiry"
 * for a cache ttl and is an expiry Redis refuses everywhere else.
 *
 * @param value the duration
 * @param field the option or argument name, used in the error message
 * @param opts.allowZero whether 0 is accepted (it means "no expiry" for cache TTLs)
 * @throws InvalidOptionError naming `field` when the value is not a finite, non-negative duration
 * @example parseDuration('1.5s', 'ttl') // 1500
 * @example parseDuration(0.4, 'ttl') // 1 (never 0)
 */
export function parseDuration(value: unknown, field: string, opts: { allowZero?: boolean } = {}): number {
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) {
    ms = value;
  } else if (typeof value === 'string') {
    const match = PATTERN.exec(value);
    if (match) ms = Number(match[1]) * UNIT_MS[(match[2] ?? 'ms') as DurationUnit];
  }
  if (ms === undefined || ms < 0 || (ms === 0 && !opts.allowZero) || ms > Number.MAX_SAFE_INTEGER) {
    const bound = opts.allowZero ? '>= 0' : '> 0';
    throw new InvalidOptionError(
      `Invalid ${field}: ${describe(value)}. Expected ${DURATION_HELP}, ${bound}.`,
    );
  }
  if (ms === 0) return 0; // also turns -0 into 0
  return ms < 1 ? 1 : Math.round(ms);
}

/** Like parseDuration, but `undefined` passes through (an option left unset). */
export function parseOptionalDuration(
  value: unknown,
  field: string,
  opts: { allowZero?: boolean } = {},
): number | undefined {
  return value === undefined ? undefined : parseDuration(value, field, opts);
}
