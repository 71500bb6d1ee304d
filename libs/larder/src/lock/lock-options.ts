import { IsOptional } from 'class-validator';
import { InvalidArgumentError } from '../errors';
import { argumentRule, assertKey } from '../common/assert-key';
import { describe } from '../common/describe';
import { parseDuration, type Duration } from '../common/duration';
import { checkCallOptions, optionKeys } from '../common/known-keys';
import { HasMethods, IsDuration, validateOptions } from '../common/validate-options';
import type { LockStore } from './lock-store';

/**
 * Module-wide lock defaults, under the `lock` field of `CacheModule.forRoot()`. Every field is
 * optional and can be overridden per call.
 *
 * @example
 * CacheModule.forRoot({ redis: process.env.REDIS_URL, lock: { ttl: '10s', wait: '2s', retryDelay: '50ms' } })
 */
export interface LockModuleOptions {
  /** How long a lock lives unless released or extended. Default `'30s'`. */
  ttl?: Duration;
  /** How long `acquire`/`withLock` keep retrying a held lock. Default 0 (one attempt). */
  wait?: Duration;
  /** Mean pause between attempts while waiting; it grows to 4x and is randomised by ±50%. Default `'100ms'`. */
  retryDelay?: Duration;
  /**
   * Where locks live instead of Redis (or memory without Redis): any `LockStore`. It is the
   * application's: Larder never closes it. See docs/architecture.md, "Providing your own store".
   */
  store?: LockStore;
}

/** `LockModuleOptions` after validation: milliseconds. */
export interface ResolvedLockOptions {
  ttl: number;
  wait: number;
  retryDelay: number;
  store?: LockStore;
}

/**
 * The lock slice (`LARDER_LOCK_OPTIONS`): the `lock` defaults and the module fields locks use
 * (their keys live under `namespace`, events carry `name`, keys and owners obey `maxKeyLength`).
 */
export interface LockOptions extends ResolvedLockOptions {
  namespace: string;
  name: string;
  maxKeyLength: number;
}

/**
 * Options of `LockService.acquire()` and `withLock()`. Unset fields take the module's `lock` defaults.
 *
 * @example
 * await locks.acquire('invoice:42', { ttl: '15s', wait: '2s', autoExtend: true });
 * @example
 * await locks.acquire('seat:12A', { owner: 'user-456', ttl: '5m' }); // later: locks.release('seat:12A', 'user-456')
 */
export interface AcquireOptions {
  /** How long the lock lives unless released or extended (> 0). */
  ttl?: Duration;
  /** How long to keep retrying while the lock is held by someone else (>= 0; 0 = one attempt). */
  wait?: Duration;
  /** Mean pause between attempts (> 0); grows by 1.5x per attempt up to 4x, randomised by ±50%. */
  retryDelay?: Duration;
  /**
   * The value stored in the lock (its token). Set it to release by owner later with
   * `release(key, owner)` or to check `isLocked(key, owner)`. Default: a random UUID.
   */
  owner?: string;
  /** Renew the lock every ttl/3 while it is held, until `release()`. Default false. */
  autoExtend?: boolean;
}

/** `AcquireOptions` after validation: milliseconds, and `owner` left unset when not given. */
export interface ResolvedAcquireOptions {
  ttl: number;
  wait: number;
  retryDelay: number;
  owner: string | undefined;
  autoExtend: boolean;
}

const LOCK_KEYS = optionKeys<LockModuleOptions>({ ttl: true, wait: true, retryDelay: true, store: true });
const ACQUIRE_KEYS = optionKeys<AcquireOptions>({
  ttl: true,
  wait: true,
  retryDelay: true,
  owner: true,
  autoExtend: true,
});
/** Hoisted: acquire is a hot path, and the check allocates nothing when every field is known. */
const ACQUIRE_PLACE = { subject: 'acquire option' };
const LOCK_PLACE = { subject: 'Larder option', path: 'lock' };

/** Defaults used when the module has no `lock` field. */
export const DEFAULT_LOCK_OPTIONS: ResolvedLockOptions = { ttl: 30_000, wait: 0, retryDelay: 100 };

/** The rules of the `lock` option (see validateOptions). */
class LockOptionRules {
  @IsOptional() @IsDuration() ttl?: Duration;
  @IsOptional() @IsDuration({ allowZero: true }) wait?: Duration;
  @IsOptional() @IsDuration() retryDelay?: Duration;
  @IsOptional()
  @HasMethods(
    ['acquire', 'release', 'releaseOwned', 'extend', 'holder'],
    'a LockStore (acquire, release, releaseOwned, extend, holder)',
  )
  store?: LockStore;
}

/**
 * Validates the module's `lock` option once at boot and fills in defaults.
 * @throws InvalidOptionError naming the field as `"lock.<field>"` (also an unknown one)
 * @example resolveLockOptions({ ttl: '10s' }) // { ttl: 10000, wait: 0, retryDelay: 100 }
 */
export function resolveLockOptions(raw: LockModuleOptions | undefined): ResolvedLockOptions {
  if (raw === undefined) return { ...DEFAULT_LOCK_OPTIONS };
  const lock = validateOptions<LockModuleOptions>(LockOptionRules, raw, LOCK_KEYS, LOCK_PLACE);
  return {
    ttl: parseDuration(lock.ttl ?? DEFAULT_LOCK_OPTIONS.ttl, 'lock.ttl'),
    wait: parseDuration(lock.wait ?? DEFAULT_LOCK_OPTIONS.wait, 'lock.wait', { allowZero: true }),
    retryDelay: parseDuration(lock.retryDelay ?? DEFAULT_LOCK_OPTIONS.retryDelay, 'lock.retryDelay'),
    store: lock.store,
  };
}

/** An owner is an argument, not a key: a bad one is `E_INVALID_ARGUMENT`. */
export const OWNER_RULE = argumentRule();

/**
 * Validates per-call options against the module defaults.
 * @throws InvalidOptionError naming `ttl`, `wait`, `retryDelay` or an unknown field; InvalidArgumentError naming `owner` or `autoExtend`
 */
export function resolveAcquireOptions(
  opts: AcquireOptions | undefined,
  defaults: ResolvedLockOptions,
  maxOwnerLength: number,
): ResolvedAcquireOptions {
  if (opts === undefined) return { ...defaults, owner: undefined, autoExtend: false };
  checkCallOptions(opts, ACQUIRE_KEYS, ACQUIRE_PLACE, '{ ttl, wait, retryDelay, owner, autoExtend }');
  if (opts.owner !== undefined) assertKey('owner', opts.owner, maxOwnerLength, OWNER_RULE);
  if (opts.autoExtend !== undefined && typeof opts.autoExtend !== 'boolean') {
    throw new InvalidArgumentError(
      `Invalid autoExtend: ${describe(opts.autoExtend)}. Expected true or false.`,
    );
  }
  return {
    ttl: opts.ttl === undefined ? defaults.ttl : parseDuration(opts.ttl, 'ttl'),
    wait: opts.wait === undefined ? defaults.wait : parseDuration(opts.wait, 'wait', { allowZero: true }),
    retryDelay:
      opts.retryDelay === undefined ? defaults.retryDelay : parseDuration(opts.retryDelay, 'retryDelay'),
    owner: opts.owner,
    autoExtend: opts.autoExtend ?? false,
  };
}
