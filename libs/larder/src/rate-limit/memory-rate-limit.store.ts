import { LruMap } from '../common/lru-map';
import type { RateLimitRuleKeys } from './rate-limit-keys';
import { SLIDING_SEGMENTS } from './sliding-window.lua';
import { TOKEN_EPSILON } from './rate-limit.scripts';
import type {
  RateLimitStore,
  RateLimitStoreCheck,
  RateLimitStoreOutcome,
  RateLimitRuleOutcome,
} from './rate-limit-store';
import type { ResolvedRateLimitRule } from './rate-limit.types';

type Entry =
  | { kind: 'fixed'; count: number; start: number; expiresAt: number }
  | { kind: 'sliding'; buckets: Map<number, number>; expiresAt: number }
  | { kind: 'token'; tokens: number; ts: number; expiresAt: number }
  | { kind: 'block'; until: number; expiresAt: number };

/** One rule's check, before knowing whether the whole request passes (mirrors the script's `rs[i]`). */
interface Verdict {
  ok: boolean;
  /** Units in use before this request. */
  used: number;
  /** Ms until the quota is whole again if the request is refused / consumed. */
  resetBefore: number;
  resetAfter: number;
  retry: number;
  commit?: () => void;
}

/**
 * Counters in process memory with exactly the semantics of the Redis script (see
 * rate-limit.script.ts): the backend without Redis, and the insurance limiter while Redis fails.
 * Bounded to `maxKeys` entries (least recently used go first); expired entries are dropped when
 * met, so no timer runs.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly entries: LruMap<Entry>;

  constructor(
    maxKeys: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.entries = new LruMap<Entry>(maxKeys);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Checks all rules, then commits all or none (one synchronous step, so atomic within the process). */
  async consume(checks: RateLimitStoreCheck[]): Promise<RateLimitStoreOutcome> {
    const now = this.clock();
    const verdicts = checks.map(({ keys, rule }) => this.check(keys, rule, now));
    const allowed = verdicts.every((v) => v.ok);
    const rules = verdicts.map((v, i): RateLimitRuleOutcome => {
      const { limit, cost } = checks[i].rule;
      if (allowed) v.commit?.();
      const used = allowed ? v.used + cost : v.used;
      return {
        ok: v.ok,
        remaining: Math.max(0, Math.floor(limit - used + TOKEN_EPSILON)),
        resetMs: Math.ceil(allowed ? v.resetAfter : v.resetBefore),
        retryAfterMs: Math.ceil(v.retry),
      };
    });
    return { allowed, rules };
  }

  async reset(keys: RateLimitRuleKeys[]): Promise<void> {
    for (const k of keys) {
      this.entries.delete(k.state);
      this.entries.delete(k.block);
    }
  }

  private live<K extends Entry['kind']>(
    key: string,
    kind: K,
    now: number,
  ): Extract<Entry, { kind: K }> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now || entry.kind !== kind) {
      this.entries.delete(key);
      return undefined;
    }
    return entry as Extract<Entry, { kind: K }>;
  }

  private check(keys: RateLimitRuleKeys, rule: ResolvedRateLimitRule, now: number): Verdict {
    const { limit, blockForMs } = rule;
    const block = blockForMs > 0 ? this.live(keys.block, 'block', now) : undefined;
    if (block && block.until > now) {
      const left = block.until - now;
      return { ok: false, used: limit, resetBefore: left, resetAfter: 0, retry: left };
    }
    const verdict =
      rule.algorithm === 'fixed-window'
        ? this.fixed(keys.state, rule, now)
        : rule.algorithm === 'sliding-window'
          ? this.sliding(keys.state, rule, now)
          : this.token(keys.state, rule, now);
    if (!verdict.ok && blockForMs > 0) {
      // Set only here, never while a block runs: refusals during a block do not extend it.
      this.entries.set(keys.block, { kind: 'block', until: now + blockForMs, expiresAt: now + blockForMs });
      verdict.retry = Math.max(verdict.retry, blockForMs);
      verdict.resetBefore = Math.max(verdict.resetBefore, blockForMs);
    }
    return verdict;
  }

  private fixed(key: string, { limit, windowMs, cost }: ResolvedRateLimitRule, now: number): Verdict {
    const entry = this.live(key, 'fixed', now);
    let count = entry?.count ?? 0;
    let start = entry?.start ?? now;
    if (!entry || now >= start + windowMs) [count, start] = [0, now];
    const ends = start + windowMs;
    const ok = count + cost <= limit;
    return {
      ok,
      used: count,
      resetBefore: count > 0 ? ends - now : 0,
      resetAfter: ends - now,
      retry: ok ? 0 : ends - now,
      commit: () => this.entries.set(key, { kind: 'fixed', count: count + cost, start, expiresAt: ends }),
    };
  }

  private sliding(key: string, { limit, windowMs, cost }: ResolvedRateLimitRule, now: number): Verdict {
    const width = windowMs / SLIDING_SEGMENTS;
    const current = Math.floor(now / width);
    const buckets = this.live(key, 'sliding', now)?.buckets ?? new Map<number, number>();
    let total = 0;
    let newest = -1;
    for (const [idx, count] of buckets) {
      if (idx < current - SLIDING_SEGMENTS) buckets.delete(idx);
      else {
        total += count;
        newest = Math.max(newest, idx);
      }
    }
    const ok = total + cost <= limit;
    const restoredAt = (idx: number) => Math.ceil((idx + SLIDING_SEGMENTS + 1) * width - now);
    let retry = 0;
    if (!ok) {
      let freed = 0;
      for (const idx of [...buckets.keys()].sort((a, b) => a - b)) {
        freed += buckets.get(idx) as number;
        if (freed >= total + cost - limit) {
          retry = restoredAt(idx);
          break;
        }
      }
    }
    const resetAfter = restoredAt(Math.max(newest, current));
    return {
      ok,
      used: total,
      resetBefore: total > 0 ? restoredAt(newest) : 0,
      resetAfter,
      retry,
      commit: () => {
        buckets.set(current, (buckets.get(current) ?? 0) + cost);
        this.entries.set(key, { kind: 'sliding', buckets, expiresAt: now + resetAfter });
      },
    };
  }

  private token(key: string, { limit, windowMs, cost }: ResolvedRateLimitRule, now: number): Verdict {
    const entry = this.live(key, 'token', now);
    let tokens = entry?.tokens ?? limit;
    let ts = entry?.ts ?? now;
    if (now > ts) {
      tokens = Math.min(limit, tokens + ((now - ts) * limit) / windowMs);
      ts = now;
    }
    const left = Math.max(0, tokens - cost);
    const refill = (missing: number) => Math.ceil((missing * windowMs) / limit - TOKEN_EPSILON);
    const ok = tokens + TOKEN_EPSILON >= cost;
    const resetAfter = refill(limit - left);
    return {
      ok,
      used: limit - tokens,
      resetBefore: refill(limit - tokens),
      resetAfter,
      retry: ok ? 0 : refill(cost - tokens),
      commit: () =>
        this.entries.set(key, { kind: 'token', tokens: left, ts, expiresAt: now + Math.max(1, resetAfter) }),
    };
  }
}
