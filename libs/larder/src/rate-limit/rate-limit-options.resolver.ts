import { InvalidOptionError } from '../errors';
import { describe } from '../common/describe';
import { assertKnownKeys, optionKeys } from '../common/known-keys';
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

function fail(field: string, value: unknown, allowed: string): never {
  throw new InvalidOptionError(
    `Invalid Larder option "rateLimit${field ? `.${field}` : ''}": ${describe(value)}. Allowed: ${allowed}.`,
  );
}

function flag(raw: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const value = raw[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(field, value, 'true or false');
  return value;
}

/**
 * Validates the `rateLimit` module option at boot and fills in defaults; every rule is checked
 * here, so a bad rule fails start-up rather than the first request.
 * @throws InvalidOptionError naming the field as `"rateLimit.<field>"` (rules as `"rateLimit.rules[i].<field>"`)
 * @example resolveRateLimitOptions({ rules: [{ limit: 100, window: '1m' }] }).rules[0].name // 'default'
 */
export function resolveRateLimitOptions(raw: RateLimitModuleOptions | undefined): ResolvedRateLimitOptions {
  if (raw === undefined) raw = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail('', raw, 'an object { rules, failOpen, ... }');
  const options = raw as Record<string, unknown>;
  assertKnownKeys(options, RATE_LIMIT_KEYS, { subject: 'Larder option', path: 'rateLimit' });
  const maxMemoryKeys = options.maxMemoryKeys ?? 100_000;
  if (typeof maxMemoryKeys !== 'number' || !Number.isInteger(maxMemoryKeys) || maxMemoryKeys < 1) {
    fail('maxMemoryKeys', maxMemoryKeys, 'an integer >= 1');
  }
  return {
    rules: resolveRateLimitRules(
      options.rules ?? [],
      { kind: 'Larder option', path: 'rateLimit.rules' },
      'default',
    ),
    failOpen: flag(options, 'failOpen', true),
    insurance: flag(options, 'insurance', true),
    headers: flag(options, 'headers', true),
    legacyHeaders: flag(options, 'legacyHeaders', false),
    maxMemoryKeys,
  };
}
