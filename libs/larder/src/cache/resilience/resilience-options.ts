import { IsOptional } from 'class-validator';
import { parseDuration, type Duration } from '../../common/duration';
import { assertKnownKeys, optionKeys, type OptionPlace } from '../../common/known-keys';
import { IsDuration, invalidOption, validateOptions } from '../../common/validate-options';

/** Loader time limits: see ResilienceOptions.timeout. */
export interface LoaderTimeouts {
  /** Past this, a caller that has a stale value gets it, while the loader finishes in the background. */
  soft?: Duration;
  /** Past this, the loader is abandoned (its signal aborted): stale value, or `E_LOADER_TIMEOUT`. */
  hard?: Duration;
}

/** Cross-instance stampede protection: see ResilienceOptions.lock. */
export interface LoadLockOptions {
  /**
   * How long a caller waits for the value another instance is loading before it runs the loader
   * itself. Default 5s.
   */
  wait?: Duration;
}

/**
 * How `getOrSet` and `@Cacheable` behave when the loader or Redis fails. Set per call, per
 * decorator, or as the module's `resilience` defaults (a call's fields win over the defaults).
 *
 * @example
 * await cache.getOrSet('prices', loadPrices, { ttl: '1m', grace: '1h', failSafeThrottle: '10s' });
 * await cache.getOrSet('report', ({ signal }) => build(signal), { grace: '1d', timeout: { soft: '100ms', hard: '2s' } });
 */
export interface ResilienceOptions {
  /**
   * How long past its ttl an entry stays stored as a fallback. Past ttl the entry is not served as
   * a hit; but when the loader throws or times out, or Redis cannot be read while L1 holds a copy,
   * the stale value is returned instead (a `stale` event says why). Default: none, and a loader
   * error reaches the caller. Ignored for entries without expiry.
   */
  grace?: Duration;
  /**
   * After a fallback to a stale value, how long that key's loader is not tried again (the stale
   * value is served meanwhile), so a failing database is not hit by every request. Default 5s.
   */
  failSafeThrottle?: Duration;
  /**
   * Loader time limits. `soft` applies when there is a stale value to give (else the caller
   * waits): the caller gets it at once and the loader's result is stored when it arrives. `hard`
   * abandons the loader: its `signal` is aborted, and the caller gets the stale value or a
   * `LoaderTimeoutError` (`E_LOADER_TIMEOUT`). `soft` must be shorter than `hard`. Default: none.
   */
  timeout?: LoaderTimeouts;
  /**
   * Refresh-ahead (stale-while-revalidate), as a fraction of the ttl: a hit past `refreshAhead *
   * ttl` is served at once and starts one background load of that key (single-flight), which
   * stores the new value before the old one expires, so a key read steadily never misses.
   * Between 0 and 1, e.g. 0.8; 0 or unset: off.
   */
  refreshAhead?: number;
  /**
   * Cross-instance stampede protection: on a miss (and for a refresh-ahead), the loader runs in
   * one instance at a time. The others wait, woken when the value is written, and read it; when
   * `wait` (default 5s) runs out or the loading instance dies, they run the loader themselves.
   * Needs a shared store (Redis): on memory it is the in-process single-flight every load has.
   * If Redis fails, loads go on as without it. `true` or `{ wait }`; `false` or unset: off.
   */
  lock?: boolean | LoadLockOptions;
}

/** What a load does on failure, resolved to milliseconds (0 = off). */
export interface LoadPolicy {
  readonly grace: number;
  readonly failSafeThrottle: number;
  readonly soft: number;
  readonly hard: number;
  readonly refreshAhead: number;
  /** How long to wait for another instance's load (ms); 0: no cross-instance lock. */
  readonly lockWait: number;
}

/** A few seconds: long enough to shield a failing database, short enough to notice it is back. */
const DEFAULT_FAIL_SAFE_THROTTLE = 5_000;
/** Longer than most loaders take, short enough for a request to still be worth answering. */
export const DEFAULT_LOCK_WAIT = 5_000;

export const RESILIENCE_KEYS = optionKeys<ResilienceOptions>({
  grace: true,
  failSafeThrottle: true,
  timeout: true,
  refreshAhead: true,
  lock: true,
});
const TIMEOUT_KEYS = optionKeys<LoaderTimeouts>({ soft: true, hard: true });
const LOCK_KEYS = optionKeys<LoadLockOptions>({ wait: true });

/** The rules of `resilience.timeout`. */
class TimeoutRules {
  @IsOptional() @IsDuration() soft?: Duration;
  @IsOptional() @IsDuration() hard?: Duration;
}

/** The rules of the module's `resilience` defaults. */
class ResilienceRules {
  @IsOptional() @IsDuration({ allowZero: true }) grace?: Duration;
  @IsOptional() @IsDuration() failSafeThrottle?: Duration;
  // `timeout` has its own rules (TimeoutRules, see resolveResilience).
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
  if (valid.timeout !== undefined) {
    validateOptions(TimeoutRules, valid.timeout, TIMEOUT_KEYS, {
      ...MODULE_PLACE,
      path: 'resilience.timeout',
    });
  }
  const base: LoadPolicy = {
    grace: 0,
    failSafeThrottle: DEFAULT_FAIL_SAFE_THROTTLE,
    soft: 0,
    hard: 0,
    refreshAhead: 0,
    lockWait: 0,
  };
  return policyOf(valid, base, MODULE_PLACE);
}

/** How a field is named in messages: `getOrSet option "grace"`, `@Cacheable option "grace" on A.b`. */
function fieldName(place: OptionPlace, name: string): string {
  const path = place.path ? `${place.path}.${name}` : name;
  return `${place.subject} "${path}"${place.where ? ` on ${place.where}` : ''}`;
}

/** Durations given as strings, parsed once: the same few literals come with every call on hot keys. */
const parsedDurations = new Map<string, number>();
const MAX_PARSED_DURATIONS = 1_000;

/**
 * A duration field of a call's options in ms, cheap on the hit path: numbers and strings already
 * seen skip parsing, and the field's name is only built for the error message.
 */
function msOf(value: unknown, place: OptionPlace, name: string, allowZero: boolean): number {
  if (typeof value === 'number' && value >= 1 && value <= Number.MAX_SAFE_INTEGER) return Math.round(value);
  if (typeof value === 'string') {
    const known = parsedDurations.get(value);
    if (known !== undefined && (known > 0 || allowZero)) return known;
  }
  const ms = parseDuration(value, fieldName(place, name), { allowZero });
  if (typeof value === 'string') {
    if (parsedDurations.size >= MAX_PARSED_DURATIONS) parsedDurations.clear();
    parsedDurations.set(value, ms);
  }
  return ms;
}

/**
 * The policy of one load: `defaults` with the fields `options` sets. Returns `defaults` itself
 * when the call sets none, so a plain `getOrSet` allocates nothing here.
 * @throws InvalidOptionError naming the field at `place`
 * @example policyOf({ grace: '1h' }, defaults, { subject: 'getOrSet option' }).grace // 3600000
 */
export function policyOf(options: ResilienceOptions, defaults: LoadPolicy, place: OptionPlace): LoadPolicy {
  const { grace, failSafeThrottle, timeout, refreshAhead, lock } = options;
  const none = grace === undefined && failSafeThrottle === undefined && timeout === undefined;
  if (none && refreshAhead === undefined && lock === undefined) return defaults;
  let soft = defaults.soft;
  let hard = defaults.hard;
  if (timeout !== undefined) [soft, hard] = timeoutsOf(timeout, place);
  return {
    grace: grace === undefined ? defaults.grace : msOf(grace, place, 'grace', true),
    failSafeThrottle:
      failSafeThrottle === undefined
        ? defaults.failSafeThrottle
        : msOf(failSafeThrottle, place, 'failSafeThrottle', false),
    soft,
    hard,
    refreshAhead: refreshAhead === undefined ? defaults.refreshAhead : fraction(refreshAhead, place),
    lockWait: lock === undefined ? defaults.lockWait : lockWaitOf(lock, place),
  };
}

/** `lock` as a wait in ms: `true` the default wait, `false` 0 (off), `{ wait }` that wait (> 0). */
function lockWaitOf(lock: unknown, place: OptionPlace): number {
  if (typeof lock === 'boolean') return lock ? DEFAULT_LOCK_WAIT : 0;
  if (typeof lock !== 'object' || lock === null || Array.isArray(lock)) {
    throw invalidOption(place, 'lock', lock, 'true, false or an object { wait? }');
  }
  if (LOCK_KEYS.findUnknown(lock) !== undefined) {
    assertKnownKeys(lock, LOCK_KEYS, { ...place, path: place.path ? `${place.path}.lock` : 'lock' });
  }
  const { wait } = lock as LoadLockOptions;
  return wait === undefined ? DEFAULT_LOCK_WAIT : msOf(wait, place, 'lock.wait', false);
}

function fraction(value: unknown, place: OptionPlace): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw invalidOption(
      place,
      'refreshAhead',
      value,
      'a number from 0 (off) up to, not including, 1, e.g. 0.8',
    );
  }
  return value;
}

/** A `timeout` object's limits, `[soft, hard]` in ms: it replaces both defaults (one left unset is off). */
function timeoutsOf(timeout: LoaderTimeouts, place: OptionPlace): [number, number] {
  if (typeof timeout !== 'object' || timeout === null || Array.isArray(timeout)) {
    throw invalidOption(place, 'timeout', timeout, 'an object { soft?, hard? }');
  }
  const inner = () => ({ ...place, path: place.path ? `${place.path}.timeout` : 'timeout' });
  if (TIMEOUT_KEYS.findUnknown(timeout) !== undefined) assertKnownKeys(timeout, TIMEOUT_KEYS, inner());
  const soft = timeout.soft === undefined ? 0 : msOf(timeout.soft, place, 'timeout.soft', false);
  const hard = timeout.hard === undefined ? 0 : msOf(timeout.hard, place, 'timeout.hard', false);
  if (soft > 0 && hard > 0 && soft >= hard) {
    throw invalidOption(inner(), 'soft', timeout.soft, `shorter than timeout.hard (${hard}ms)`);
  }
  return [soft, hard];
}
