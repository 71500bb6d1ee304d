import type { ExecutionContext } from '@nestjs/common';
import type { Duration } from '../common/duration';

/**
 * How a rule counts:
 * - `'sliding-window'` (default): never lets more than `limit` units through in ANY interval of
 *   length `window`; a consumed unit comes back between `window` and `window * 1.1` later (the
 *   window is kept as 10 segments, see docs/rate-limits.md).
 * - `'fixed-window'`: a counter that starts with the first request and resets `window` later.
 *   Cheapest; up to 2x `limit` can pass around a reset.
 * - `'token-bucket'`: holds up to `limit` tokens, refilled at `limit` per `window`; allows bursts
 *   of `limit`, then a steady rate.
 *
 * @example @RateLimit({ limit: 20, window: '1s', algorithm: 'token-bucket' })
 */
export type RateLimitAlgorithm = 'sliding-window' | 'fixed-window' | 'token-bucket';

/**
 * Derives the client key from the request. Returning `undefined`, `null` or `''` falls back to
 * the client ip, so a missing header can never lift a limit.
 *
 * @example const byApiKey: RateLimitKeyFn = (ctx) => ctx.switchToHttp().getRequest().headers['x-api-key'];
 */
export type RateLimitKeyFn = (
  context: ExecutionContext,
) => string | number | null | undefined | Promise<string | number | null | undefined>;

/**
 * Who a rule counts for: `'ip'` (default; the framework's resolved `req.ip`), `'user'`
 * (`req.user.id`, falling back to the ip for anonymous requests), or a function of the context.
 *
 * @example @RateLimit({ limit: 100, window: '1m', by: 'user' })
 */
export type RateLimitBy = 'ip' | 'user' | RateLimitKeyFn;

/**
 * One limit. Several rules on one route are all enforced, in one Redis round trip, and a request
 * denied by any of them consumes from none. The `name` is the budget: rules with the same name
 * and client share one counter wherever they apply.
 *
 * @example
 * const perSecond: RateLimitRule = { name: 'burst', limit: 10, window: '1s' };
 * const perHour: RateLimitRule = { name: 'hourly', limit: 1000, window: '1h', blockFor: '5m' };
 */
export interface RateLimitRule {
  /**
   * Budget name, also the policy name in the `RateLimit` headers: letters, digits, `_ . # -`.
   * Default: `'default'` for module rules, `'<Controller>'` or `'<Controller>.<handler>'` for
   * `@RateLimit` rules (plus `-<index>` after the first in a list).
   */
  name?: string;
  /** Units allowed per window: an integer >= 1. */
  limit: number;
  /** Window length (`'1s'`, `'1m'`, `60_000`). */
  window: Duration;
  /** Who is counted. Default `'ip'`. */
  by?: RateLimitBy;
  /** Default `'sliding-window'`. */
  algorithm?: RateLimitAlgorithm;
  /** Units one request consumes: an integer from 1 to `limit`. Default 1. */
  cost?: number;
  /**
   * Once a request exceeds the limit, refuse this client for this long (counted from that first
   * refusal; refused requests during the block do not extend it). Default 0: no block.
   */
  blockFor?: Duration;
}

/**
 * A validated rule with defaults filled in and durations in milliseconds (what `@RateLimit` stores
 * and what the service accepts as well as a `RateLimitRule`).
 * @example // { name: 'default', limit: 10, windowMs: 1000, by: 'ip', algorithm: 'sliding-window', cost: 1, blockForMs: 0 }
 */
export interface ResolvedRateLimitRule {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly by: RateLimitBy;
  readonly algorithm: RateLimitAlgorithm;
  readonly cost: number;
  readonly blockForMs: number;
}

/**
 * The outcome of one rule for one request: the shape workers and resolvers want.
 *
 * @example
 * const r = await rateLimits.consume(`tenant:${id}`, { limit: 100, window: '1m' });
 * if (!r.allowed) throw new TooManyRequests(r.retryAfterMs);
 */
export interface RateLimitResult {
  /** Rule name. */
  rule: string;
  /** Whether the request was allowed (for `consumeAll`: whether the whole request was). */
  allowed: boolean;
  limit: number;
  windowMs: number;
  /**
   * Units this client has used in the current window after this request: `limit - remaining`
   * (for a token bucket, the units not refilled yet). A refused request is not counted.
   */
  count: number;
  /** Units left for this client after this request (never negative). */
  remaining: number;
  /** Milliseconds until the whole quota is available again (0 when it already is). */
  resetMs: number;
  /** Milliseconds until a request of the same cost could pass; 0 when allowed. */
  retryAfterMs: number;
  /** True when Redis failed and the per-instance insurance limiter answered. */
  degraded: boolean;
}

/**
 * One rule to check for one client key (see `RateLimitService.consumeAll`).
 * @example const check: RateLimitCheck = { key: `user:${id}`, rule: { limit: 100, window: '1m' } };
 */
export interface RateLimitCheck {
  key: string;
  rule: RateLimitRule | ResolvedRateLimitRule;
}

/**
 * The outcome of all rules of one request.
 *
 * @example
 * const d = await rateLimits.consumeAll([{ key: ip, rule: perSecond }, { key: ip, rule: perHour }]);
 * if (!d.allowed) console.log(d.denied.map((r) => r.rule));
 */
export interface RateLimitDecision {
  allowed: boolean;
  /** One result per check, in order. When denied, nothing was consumed from any of them. */
  results: RateLimitResult[];
  /** The results of the rules that refused the request (empty when allowed). */
  denied: RateLimitResult[];
  degraded: boolean;
}
