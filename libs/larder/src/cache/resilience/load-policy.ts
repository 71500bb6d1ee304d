import { IsOptional } from 'class-validator';
import { parseDuration, type Duration } from '../../common/duration';
import { assertKnownKeys, type OptionPlace } from '../../common/known-keys';
import { IsDuration, invalidOption, validateOptions } from '../../common/validate-options';
import {
  DEFAULT_FAIL_SAFE_THROTTLE,
  DEFAULT_LOCK_WAIT,
  LOCK_KEYS,
  RESILIENCE_KEYS,
  TIMEOUT_KEYS,
  type LoadLockOptions,
  type LoaderTimeouts,
  type LoadPolicy,
  type ResilienceOptions,
} from './resilience-options';

/*
 * Resilience options resolved into the LoadPolicy a load runs with: the module's defaults once at
 * boot, then one call's (or one decorator's) fields over them. policyOf is on the path of every
 * getOrSet, so it allocates nothing when a call sets no field and parses each duration string once.
 */

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
