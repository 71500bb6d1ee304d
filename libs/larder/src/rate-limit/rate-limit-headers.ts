import type { RateLimitResult, ResolvedRateLimitRule } from './rate-limit.types';

const seconds = (ms: number) => Math.ceil(ms / 1000);

/**
 * `RateLimit-Policy` of draft-ietf-httpapi-ratelimit-headers: one item per rule, quota `q` and
 * window `w` in whole seconds (a sub-second window shows as 1).
 * @example policyHeader(rules) // '"burst";q=10;w=1, "hourly";q=1000;w=3600'
 */
export function policyHeader(rules: readonly ResolvedRateLimitRule[]): string {
  return rules.map((r) => `"${r.name}";q=${r.limit};w=${Math.max(1, seconds(r.windowMs))}`).join(', ');
}

/**
 * `RateLimit` of the same draft: per rule, remaining units `r` and seconds `t` until the quota is
 * whole again. For a rule refusing the request, `t` is when it admits one again, the same number
 * `Retry-After` gives (not a window end a millisecond later that rounds up to one more second),
 * so the two headers never disagree on either adapter.
 * @example rateLimitHeader(results, []) // '"burst";r=9;t=1, "hourly";r=999;t=3600'
 */
export function rateLimitHeader(
  results: readonly RateLimitResult[],
  denied: readonly RateLimitResult[],
): string {
  return results
    .map((r) => {
      const t = denied.includes(r) ? retryAfterSeconds([r]) : seconds(r.resetMs);
      return `"${r.rule}";r=${r.remaining};t=${t}`;
    })
    .join(', ');
}

/** The result legacy headers describe: a refusing rule, else the one with the fewest units left. */
export function tightest(
  results: readonly RateLimitResult[],
  denied: readonly RateLimitResult[],
): RateLimitResult {
  if (denied.length > 0) return denied.reduce((a, b) => (b.retryAfterMs > a.retryAfterMs ? b : a));
  return results.reduce((a, b) => (b.remaining < a.remaining ? b : a));
}

/** `Retry-After` in whole seconds, at least 1, for the longest wait among refusing rules. */
export function retryAfterSeconds(denied: readonly RateLimitResult[]): number {
  return Math.max(1, seconds(Math.max(...denied.map((r) => r.retryAfterMs))));
}
