import { rateLimitHeader, retryAfterSeconds } from './rate-limit-headers';
import type { RateLimitResult } from './rate-limit.types';

const result = (rule: string, fields: Partial<RateLimitResult>): RateLimitResult => ({
  rule,
  allowed: false,
  limit: 1,
  windowMs: 10_000,
  count: 1,
  remaining: 0,
  resetMs: 10_000,
  retryAfterMs: 10_000,
  degraded: false,
  ...fields,
});

describe('rateLimitHeader', () => {
  it('gives a refusing rule the t of Retry-After, not a window end that rounds up a second later', () => {
    const refusing = result('burst', { resetMs: 10_001, retryAfterMs: 10_000 });
    const other = result('hourly', { allowed: true, remaining: 5, resetMs: 3_599_001 });
    expect(retryAfterSeconds([refusing])).toBe(10);
    expect(rateLimitHeader([refusing, other], [refusing])).toBe('"burst";r=0;t=10, "hourly";r=5;t=3600');
    // Allowed, the same result tells when the quota is whole again.
    expect(rateLimitHeader([refusing], [])).toBe('"burst";r=0;t=11');
  });
});
