import type { ResolvedRateLimitRule } from './rate-limit.types';
import type { RuleKeys } from './rate-limit-keys';

/** One rule of one request, with its keys. */
export interface StoreCheck {
  keys: RuleKeys;
  rule: ResolvedRateLimitRule;
}

/** What a store says about one rule. `ok` is whether this rule alone would allow the request. */
export interface StoreRuleOutcome {
  ok: boolean;
  remaining: number;
  resetMs: number;
  retryAfterMs: number;
}

/** What a store says about one request: allowed only when every rule is ok. */
export interface StoreOutcome {
  allowed: boolean;
  rules: StoreRuleOutcome[];
}

/**
 * A place counters live (Redis or process memory). `consume` checks every rule, then consumes
 * from all of them only if all allow; a rule that refuses starts its block (`blockFor`) unless
 * one is running.
 */
export interface RateLimitStore {
  consume(checks: StoreCheck[]): Promise<StoreOutcome>;
  /** Forgets a client's counter and block for the given rule keys. */
  reset(keys: RuleKeys[]): Promise<void>;
}
