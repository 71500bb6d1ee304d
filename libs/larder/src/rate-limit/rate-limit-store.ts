import type { ResolvedRateLimitRule } from './rate-limit.types';
import type { RateLimitRuleKeys } from './rate-limit-keys';

/** One rule of one request, with its keys. */
export interface RateLimitStoreCheck {
  keys: RateLimitRuleKeys;
  rule: ResolvedRateLimitRule;
}

/** What a store says about one rule. `ok` is whether this rule alone would allow the request. */
export interface RateLimitRuleOutcome {
  ok: boolean;
  remaining: number;
  resetMs: number;
  retryAfterMs: number;
}

/** What a store says about one request: allowed only when every rule is ok. */
export interface RateLimitStoreOutcome {
  allowed: boolean;
  rules: RateLimitRuleOutcome[];
}

/**
 * Where counters live: the storage contract behind RateLimitService. Larder's own are
 * RedisRateLimitStore (one Lua script per request) and MemoryRateLimitStore (process memory,
 * also the insurance limiter while another store fails); the `rateLimit.store` option brings the
 * application's own, which the contract suite of `@larder/nestjs/testing` can check.
 *
 * `consume` checks every rule, then consumes from all of them only if all allow (atomically: two
 * concurrent requests never both take the last unit); a rule that refuses starts its block
 * (`blockFor`) unless one is running. A store that cannot answer rejects with
 * `StoreUnavailableError` or `CommandTimeoutError`: the service then applies `failOpen`.
 *
 * @example
 * CacheModule.forRoot({ rateLimit: { store: new MyRateLimitStore(db), rules: [{ limit: 100, window: '1m' }] } });
 */
export interface RateLimitStore {
  consume(checks: RateLimitStoreCheck[]): Promise<RateLimitStoreOutcome>;
  /** Forgets a client's counter and block for the given rule keys. */
  reset(keys: RateLimitRuleKeys[]): Promise<void>;
}
