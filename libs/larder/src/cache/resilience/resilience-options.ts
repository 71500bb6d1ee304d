import { IsOptional } from 'class-validator';
import { parseDuration, type Duration } from '../../common/duration';
import { optionKeys } from '../../common/known-keys';
import { IsDuration, validateOptions } from '../../common/validate-options';

/**
 * How `getOrSet` and `@Cacheable` behave when the loader or Redis fails. Set per call, per
 * decorator, or as the module's `resilience` defaults (a call's fields win over the defaults).
 *
 * @example
 * await cache.getOrSet('prices', loadPrices, { ttl: '1m', grace: '1h', failSafeThrottle: '10s' });
 */
export interface ResilienceOptions {
  /**
   * How long past its ttl an entry stays stored as a fallback. Past ttl the entry is not served as
   * a hit; but when the loader throws, or Redis cannot be read while L1 holds a copy, the stale
   * value is returned instead of the error (a `stale` event says why). Default: none, and a loader
   * error reaches the caller. Ignored for entries without expiry.
   */
  grace?: Duration;
  /**
   * After a fallback to a stale value, how long that key's loader is not tried again (the stale
   * value is served meanwhile), so a failing database is not hit by every request. Default 5s.
   */
  failSafeThrottle?: Duration;
}

/** What a load does on failure, resolved to milliseconds (0 = off). */
export interface LoadPolicy {
  readonly grace: number;
  readonly failSafeThrottle: number;
}

/** A few seconds: long enough to shield a failing database, short enough to notice it is back. */
const DEFAULT_FAIL_SAFE_THROTTLE = 5_000;

export const RESILIENCE_KEYS = optionKeys<ResilienceOptions>({ grace: true, failSafeThrottle: true });

/** The rules of the module's `resilience` defaults. */
class ResilienceRules {
  @IsOptional() @IsDuration({ allowZero: true }) grace?: Duration;
  @IsOptional() @IsDuration() failSafeThrottle?: Duration;
}

const MODULE_PLACE = { subject: 'Larder option', path: 'resilience' };

/**
 * Validates the module's `resilience` defaults (undefined: none) into the policy every load starts from.
 * @throws InvalidOptionError naming `resilience.<field>`
 * @example resolveResilience({ grace: '1h' }).grace // 3600000
 */
export function resolveResilience(options: ResilienceOptions | undefined): LoadPolicy {
  const valid =
    options === undefined
      ? {}
      : validateOptions<ResilienceOptions>(ResilienceRules, options, RESILIENCE_KEYS, MODULE_PLACE);
  return {
    grace: parseDuration(valid.grace ?? 0, 'resilience.grace', { allowZero: true }),
    failSafeThrottle: parseDuration(
      valid.failSafeThrottle ?? DEFAULT_FAIL_SAFE_THROTTLE,
      'resilience.failSafeThrottle',
    ),
  };
}

/**
 * The policy of one load: `defaults` with the fields `options` sets. Returns `defaults` itself
 * when the call sets none, so a plain `getOrSet` allocates nothing here.
 * @param where names the options in messages (`'getOrSet option'`, `'@Cacheable option ... on X.y'`)
 * @throws InvalidOptionError naming the field
 */
export function policyOf(options: ResilienceOptions, defaults: LoadPolicy, where: string): LoadPolicy {
  const { grace, failSafeThrottle } = options;
  if (grace === undefined && failSafeThrottle === undefined) return defaults;
  return {
    grace:
      grace === undefined ? defaults.grace : parseDuration(grace, `${where} "grace"`, { allowZero: true }),
    failSafeThrottle:
      failSafeThrottle === undefined
        ? defaults.failSafeThrottle
        : parseDuration(failSafeThrottle, `${where} "failSafeThrottle"`),
  };
}
