import { createHash } from 'node:crypto';
import { parseDuration } from '../common/duration';
import { assertKnownKeys, optionKeys, unknownOptionError, type OptionPlace } from '../common/known-keys';
import { invalidOption } from '../common/validate-options';
import type {
  RateLimitAlgorithm,
  RateLimitCheck,
  RateLimitRule,
  ResolvedRateLimitRule,
} from './rate-limit.types';

export const RATE_LIMIT_ALGORITHMS: readonly RateLimitAlgorithm[] = [
  'sliding-window',
  'fixed-window',
  'token-bucket',
];
// The aliases are other rate limiters' names for the same things (throttler, rate-limiter-flexible,
// express-rate-limit), so a migrated rule gets pointed at the right field.
const RULE_KEYS = optionKeys<RateLimitRule>(
  { name: true, limit: true, window: true, by: true, algorithm: true, cost: true, blockFor: true },
  { ttl: 'window', duration: 'window', max: 'limit', points: 'limit', blockDuration: 'blockFor' },
);
const NAME_PATTERN = /^[A-Za-z0-9_.#-]{1,100}$/;
const MAX_LIMIT = 1_000_000_000;
const CHECK_KEYS = optionKeys<RateLimitCheck>({ key: true, rule: true });
/** Rules this module produced, so a resolved rule handed back (decorator metadata, module rules) is not checked again. */
const RESOLVED = new WeakSet<object>();

/** Whether `rule` is a rule returned by `resolveRateLimitRule`. */
export function isResolvedRule(rule: unknown): rule is ResolvedRateLimitRule {
  return typeof rule === 'object' && rule !== null && RESOLVED.has(rule);
}

/**
 * Where a rule came from, for error messages: `subject` is `'Larder option'`, `'@RateLimit rule'`
 * or `'rate limit rule'`, `path` the rule's place (`rateLimit.rules[0]`).
 */
export type RuleOrigin = OptionPlace & { path: string };

/*
 * Rules are checked by hand, not by validateOptions: a rule given per call to `consume` is checked
 * on that call (once per rule object), where a class-validator pass would cost more than the
 * Redis round trip. The messages are validateOptions' own (invalidOption).
 */
function fail(origin: RuleOrigin, field: string, value: unknown, allowed: string): never {
  throw invalidOption(origin, field, value, allowed);
}

function integerIn(origin: RuleOrigin, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(origin, field, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * The name of an unnamed `@RateLimit` rule: stable for its controller or handler (so it is a
 * budget of its own, the same on every instance), but opaque, because the name goes into the
 * `RateLimit` headers every client sees, and class and method names are the application's own.
 * @example defaultRuleName('UsersController.login') // 'rl-' followed by 10 hex digits
 */
export function defaultRuleName(target: string): string {
  return `rl-${createHash('sha256').update(target).digest('hex').slice(0, 10)}`;
}

/**
 * Validates one rule and fills in its defaults.
 * @throws InvalidOptionError naming the rule's path and field (`E_INVALID_OPTION`)
 * @example resolveRateLimitRule({ limit: 5, window: '1m' }, { subject: 'rate limit rule', path: 'rule' }, 'default')
 */
export function resolveRateLimitRule(
  raw: unknown,
  origin: RuleOrigin,
  defaultName: string,
): ResolvedRateLimitRule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail(origin, '', raw, 'an object { limit, window, name?, by?, algorithm?, cost?, blockFor? }');
  }
  const rule = raw as RateLimitRule;
  assertKnownKeys(rule, RULE_KEYS, origin);
  const name = rule.name ?? defaultName;
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    fail(origin, 'name', name, 'letters, digits, "_", ".", "#" or "-" (1 to 100 characters)');
  }
  const limit = integerIn(origin, 'limit', rule.limit, 1, MAX_LIMIT);
  const windowMs = parseDuration(rule.window, `${origin.subject} "${origin.path}.window"`);
  const by = rule.by ?? 'ip';
  if (by !== 'ip' && by !== 'user' && typeof by !== 'function') {
    fail(origin, 'by', by, '"ip", "user" or a function (context) => string');
  }
  const algorithm = rule.algorithm ?? 'sliding-window';
  if (!RATE_LIMIT_ALGORITHMS.includes(algorithm)) {
    fail(origin, 'algorithm', algorithm, RATE_LIMIT_ALGORITHMS.map((a) => `"${a}"`).join(', '));
  }
  const cost = rule.cost === undefined ? 1 : integerIn(origin, 'cost', rule.cost, 1, limit);
  const blockForMs = parseDuration(rule.blockFor ?? 0, `${origin.subject} "${origin.path}.blockFor"`, {
    allowZero: true,
  });
  const resolved = Object.freeze({ name, limit, windowMs, by, algorithm, cost, blockForMs });
  RESOLVED.add(resolved);
  return resolved;
}

/**
 * Validates a list of rules: each rule, and that names are unique. Unnamed rules are called
 * `baseName`, then `baseName-1`, `baseName-2`, ... by position.
 * @throws InvalidOptionError naming the offending rule
 */
export function resolveRateLimitRules(
  raw: unknown,
  origin: RuleOrigin,
  baseName: string,
): ResolvedRateLimitRule[] {
  if (!Array.isArray(raw)) fail(origin, '', raw, 'an array of rules');
  const seen = new Set<string>();
  return raw.map((item, index) => {
    const at = { subject: origin.subject, path: `${origin.path}[${index}]` };
    const rule = resolveRateLimitRule(item, at, index === 0 ? baseName : `${baseName}-${index}`);
    if (seen.has(rule.name)) fail(at, 'name', rule.name, 'a name not used by another rule of the same list');
    seen.add(rule.name);
    return rule;
  });
}

/**
 * Checks one entry of `consumeAll(checks)`: an object with `key` and `rule` and nothing else.
 * @throws InvalidOptionError naming `checks[index]` and the field
 */
export function checkOf(check: RateLimitCheck, index: number): RateLimitCheck {
  if (typeof check !== 'object' || check === null || Array.isArray(check)) {
    fail({ subject: 'rate limit check', path: `checks[${index}]` }, '', check, 'an object { key, rule }');
  }
  const unknown = CHECK_KEYS.findUnknown(check);
  if (unknown !== undefined) {
    throw unknownOptionError(unknown, CHECK_KEYS, { subject: 'rate limit check', path: `checks[${index}]` });
  }
  return check;
}
