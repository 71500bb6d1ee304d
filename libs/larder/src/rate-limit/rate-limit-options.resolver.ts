import { IsBoolean, IsInt, IsOptional, Min } from 'class-validator';
import { optionKeys } from '../common/known-keys';
import { validateOptions } from '../common/validate-options';
import { resolveRateLimitRules } from './rate-limit-rule.resolver';
import type { RateLimitModuleOptions, ResolvedRateLimitOptions } from './rate-limit.types';

const RATE_LIMIT_KEYS = optionKeys<RateLimitModuleOptions>({
  rules: true,
  failOpen: true,
  insurance: true,
  headers: true,
  legacyHeaders: true,
  maxMemoryKeys: true,
});
const RATE_LIMIT_PLACE = { subject: 'Larder option', path: 'rateLimit' };

/** The rules of the `rateLimit` option (see validateOptions); `rules` are checked by the rule resolver. */
class RateLimitOptionRules {
  @IsOptional() @IsBoolean() failOpen?: boolean;
  @IsOptional() @IsBoolean() insurance?: boolean;
  @IsOptional() @IsBoolean() headers?: boolean;
  @IsOptional() @IsBoolean() legacyHeaders?: boolean;
  @IsOptional() @IsInt() @Min(1) maxMemoryKeys?: number;
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
  };
}
