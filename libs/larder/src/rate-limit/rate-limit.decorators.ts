import { RATE_LIMIT_METADATA, SKIP_RATE_LIMIT_METADATA } from '../larder.constants';
import { defaultRuleName, resolveRateLimitRules } from './rate-limit-rule.resolver';
import type { RateLimitRule } from './rate-limit.types';

/**
 * Usable on a controller class or on a handler method.
 * @example const strict: RateLimitDecorator = RateLimit({ limit: 5, window: '1m' });
 */
export type RateLimitDecorator = ClassDecorator & MethodDecorator;

type Apply = (target: object, propertyKey?: string | symbol, descriptor?: PropertyDescriptor) => void;

function targetName(target: object, propertyKey?: string | symbol): string {
  if (propertyKey === undefined) return (target as { name?: string }).name ?? 'Controller';
  return `${(target as { constructor: { name: string } }).constructor.name}.${String(propertyKey)}`;
}

function define(key: string, value: unknown, target: object, descriptor?: PropertyDescriptor): void {
  Reflect.defineMetadata(key, value, descriptor ? (descriptor.value as object) : target);
}

/**
 * Limits a controller or a handler (enforced by `RateLimitGuard`). The rules are validated when
 * the class is defined, so a bad rule fails at start-up with `E_INVALID_OPTION`. On a route, rules
 * merge by name: module rules, then the controller's, then the handler's (a later one with the
 * same name replaces an earlier one). An unnamed rule is a budget of its own, named `rl-` and a
 * hash of its controller or handler (class and method names never reach the headers); name rules
 * to see those names in headers, events and logs.
 *
 * @example
 * @RateLimit([{ name: 'burst', limit: 10, window: '1s' }, { name: 'hourly', limit: 1000, window: '1h' }])
 * @Post('search')
 * search() {}
 */
export function RateLimit(rules: RateLimitRule | RateLimitRule[]): RateLimitDecorator {
  const list = Array.isArray(rules) ? rules : [rules];
  const apply: Apply = (target, propertyKey, descriptor) => {
    const where = targetName(target, propertyKey);
    const origin = { subject: '@RateLimit rule', path: where };
    const resolved = resolveRateLimitRules(list, origin, defaultRuleName(where));
    define(RATE_LIMIT_METADATA, resolved, target, descriptor);
  };
  return apply as RateLimitDecorator;
}

/**
 * Exempts a controller or a handler from rate limits: all of them, or only the named rules. A skip
 * removes rules declared above it (module rules; and on a handler, the controller's too); rules
 * declared with `@RateLimit` at the same level still apply.
 *
 * @example
 * @SkipRateLimit()            // health checks are never limited
 * @Get('health') health() {}
 * @example
 * @SkipRateLimit('default')   // not the global budget, but the rules below still apply
 * @RateLimit({ limit: 5, window: '1m' })
 * @Post('login') login() {}
 */
export function SkipRateLimit(...ruleNames: string[]): RateLimitDecorator {
  const apply: Apply = (target, _propertyKey, descriptor) => {
    define(SKIP_RATE_LIMIT_METADATA, ruleNames.length === 0 ? true : ruleNames, target, descriptor);
  };
  return apply as RateLimitDecorator;
}
