import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { parseDuration, type Duration } from '../common/duration';
import { optionKeys } from '../common/known-keys';
import { IsDuration, invalidOption, validateOptions } from '../common/validate-options';

/**
 * The `circuitBreaker` module option: when Larder stops sending calls to a Redis that keeps failing.
 * @example CacheModule.forRoot({ redis: url, circuitBreaker: { failures: 5, cooldown: '2s' } })
 */
export interface CircuitBreakerModuleOptions {
  /** Consecutive connection failures or timeouts that open the breaker (1..1000). Default 5. */
  failures?: number;
  /** How long it stays open before one PING probes Redis again; also the interval between probes. Default `'2s'`. */
  cooldown?: Duration;
}

/** The breaker's settings after validation (ms). */
export interface CircuitBreakerOptions {
  failures: number;
  cooldown: number;
}

/** An open breaker turns every cache read into a miss: it probes often, and a PING per probe costs nothing. */
export const BREAKER_DEFAULTS: CircuitBreakerOptions = { failures: 5, cooldown: 2000 };

const BREAKER_KEYS = optionKeys<CircuitBreakerModuleOptions>({ failures: true, cooldown: true });
const PLACE = { subject: 'Larder option', path: 'circuitBreaker' };

class CircuitBreakerRules {
  @IsOptional() @IsInt() @Min(1) @Max(1000) failures?: number;
  @IsOptional() @IsDuration() cooldown?: Duration;
}

/**
 * Resolves `circuitBreaker`: `false` turns it off, an object (or nothing) turns it on with the
 * defaults for what it leaves out. Unset on a Redis Cluster it is off (see docs/resilience.md):
 * one breaker per connection would cut off every shard when one of them fails.
 * @throws InvalidOptionError naming the field (`circuitBreaker.failures`)
 * @example resolveBreakerOptions({ cooldown: '1s' }, false) // { failures: 5, cooldown: 1000 }
 */
export function resolveBreakerOptions(
  option: CircuitBreakerModuleOptions | false | undefined,
  cluster: boolean,
): CircuitBreakerOptions | false {
  if (option === false) return false;
  if (option === undefined) return cluster ? false : { ...BREAKER_DEFAULTS };
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw invalidOption(
      { subject: 'Larder option' },
      'circuitBreaker',
      option,
      'false or { failures?, cooldown? }',
    );
  }
  const valid = validateOptions<CircuitBreakerModuleOptions>(
    CircuitBreakerRules,
    option,
    BREAKER_KEYS,
    PLACE,
  );
  return {
    failures: valid.failures ?? BREAKER_DEFAULTS.failures,
    cooldown: parseDuration(valid.cooldown ?? BREAKER_DEFAULTS.cooldown, 'circuitBreaker.cooldown'),
  };
}
