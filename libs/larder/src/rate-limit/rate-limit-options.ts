import { IsBoolean, IsInt, IsOptional, Min } from 'class-validator';
import { optionKeys } from '../common/known-keys';
import { HasMethods, validateOptions } from '../common/validate-options';
import type { RateLimitStore } from './rate-limit-store';
import { resolveRateLimitRules } from './rate-limit-rule.resolver';
import type { RateLimitRule, ResolvedRateLimitRule } from './rate-limit.types';

/**
 * The `rateLimit` module option.
 *
 * @example
 * CacheModule.forRoot({
 *   redis: process.env.REDIS_URL,
 *   rateLimit: { rules: [{ name: 'default', limit: 100, window: '1m' }], legacyHeaders: true },
 * })
 */
export interface RateLimitModuleOptions {
  /** Rules `RateLimitGuard` applies to every route (unless skipped or overridden by name). Default none. */
  rules?: RateLimitRule[];
  /**
   * While Redis fails: `true` (default) keeps serving, limited per instance by the in-memory
   * insurance limiter; `false` refuses limited requests with 503 (`E_STORE_UNAVAILABLE` from the
   * service). A Redis failure is never reported as 429.
   */
  failOpen?: boolean;
  /** With `failOpen`, enforce limits per instance in memory while Redis fails. Default true; false lets everything through. */
  insurance?: boolean;
  /** Send the IETF `RateLimit-Policy` and `RateLimit` headers. Default true. */
  headers?: boolean;
  /** Also send `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`. Default false. */
  legacyHeaders?: boolean;
  /** Most client/rule counters kept by the in-memory limiter (memory backend and insurance). Default 100 000. */
  maxMemoryKeys?: number;
  /**
   * Where counters live instead of Redis (or memory without Redis): any `RateLimitStore`. It is
   * the application's: Larder never closes it. See docs/architecture.md, "Providing your own store".
   */
  store?: RateLimitStore;
}

/** `rateLimit` after validation. */
export interface ResolvedRateLimitOptions {
  rules: ResolvedRateLimitRule[];
  failOpen: boolean;
  insurance: boolean;
  headers: boolean;
  legacyHeaders: boolean;
  maxMemoryKeys: number;
  store?: RateLimitStore;
}

/** The rate-limit slice (`LARDER_RATE_LIMIT_OPTIONS`): `rateLimit` after validation, and the namespace counters live under. */
export interface RateLimitOptions extends ResolvedRateLimitOptions {
  namespace: string;
}

const RATE_LIMIT_KEYS = optionKeys<RateLimitModuleOptions>({
  rules: true,
  failOpen: true,
  insurance: true,
  headers: true,
  legacyHeaders: true,
  maxMemoryKeys: true,
  store: true,
});
const RATE_LIMIT_PLACE = { subject: 'Larder option', path: 'rateLimit' };

/** The rules of the `rateLimit` option (see validateOptions); `rules` are checked by the rule resolver. */
class RateLimitOptionRules {
  @IsOptional() @IsBoolean() failOpen?: boolean;
  @IsOptional() @IsBoolean() insurance?: boolean;
  @IsOptional() @IsBoolean() headers?: boolean;
  @IsOptional() @IsBoolean() legacyHeaders?: boolean;
  @IsOptional() @IsInt() @Min(1) maxMemoryKeys?: number;
  @IsOptional() @HasMethods(['consume', 'reset'], 'a RateLimitStore (consume, reset)') store?: RateLimitStore;
}

/**
 * Validates the `rateLimit` module option at boot and fills in defaults; every rule is checked
 * here, so a bad rule fails start-up rather than the first request.
 * @throws InvalidOptionError naming the field as `"rateLimit.<field>"` (rules as `"rateLimit.rules[i].<field>"`)
 * @example resolveRateLimitOptions({ rules: [{ limit: 100, window: '1m' }] }).rules[0].name // 'default'
 */
export function resolveRateLimitOptions(raw: RateLimitModuleOptions | undefined): ResolvedRateLimitOptions {
  const options = validateOptions<RateLimitModuleOptions>(
    RateLimitOptionRules,
    raw === undefined ? {} : raw,
    RATE_LIMIT_KEYS,
    RATE_LIMIT_PLACE,
  );
  return {
    rules: resolveRateLimitRules(
      options.rules ?? [],
      { subject: 'Larder option', path: 'rateLimit.rules' },
      'default',
    ),
    failOpen: options.failOpen ?? true,
    insurance: options.insurance ?? true,
    headers: options.headers ?? true,
    legacyHeaders: options.legacyHeaders ?? false,
    maxMemoryKeys: options.maxMemoryKeys ?? 100_000,
    store: options.store,
  };
}
