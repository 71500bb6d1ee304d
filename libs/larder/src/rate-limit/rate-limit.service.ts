import { Inject, Injectable } from '@nestjs/common';
import { CommandTimeoutError, InvalidArgumentError, StoreUnavailableError } from '../errors';
import { assertKey } from '../common/assert-key';
import { LARDER_RATE_LIMIT_OPTIONS, LARDER_RATE_LIMIT_STORE } from '../larder.constants';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import type { RateLimitOptions } from './rate-limit-options';
import { RateLimitEvents, type RateLimitEventListener, type RateLimitEventName } from './rate-limit-events';
import { clientTag, ruleKeys, type RateLimitRuleKeys } from './rate-limit-keys';
import { checkOf, isResolvedRule, resolveRateLimitRule } from './rate-limit-rule.resolver';
import type { RateLimitStore, RateLimitStoreCheck, RateLimitStoreOutcome } from './rate-limit-store';
import type {
  RateLimitCheck,
  RateLimitDecision,
  RateLimitResult,
  RateLimitRule,
  ResolvedRateLimitRule,
} from './rate-limit.types';
import { RedisRateLimitStore } from './redis-rate-limit.store';

/** How many client-key digests the service remembers, and the longest key it remembers one for. */
const MAX_CACHED_TAGS = 4096;
const MAX_CACHED_KEY_LENGTH = 256;

/** After a store failure, how long requests go straight to the fallback before the store is tried again. */
const RETRY_STORE_AFTER_MS = 1000;

/**
 * Rate limits for any code: HTTP (through `RateLimitGuard`), workers, GraphQL resolvers. Counters
 * live in Redis (one atomic Lua script per call, whatever the number of rules) or, without Redis,
 * in process memory with the same semantics. While Redis fails, `failOpen` (default) switches to
 * a per-instance in-memory insurance limiter; a Redis failure is never reported as "limit exceeded".
 *
 * @example
 * constructor(private readonly rateLimits: RateLimitService) {}
 * async sendSms(tenant: string) {
 *   const r = await this.rateLimits.consume(`tenant:${tenant}`, { name: 'sms', limit: 100, window: '1h' });
 *   if (!r.allowed) throw new Error(`Try again in ${Math.ceil(r.retryAfterMs / 1000)}s`);
 * }
 */
@Injectable()
export class RateLimitService {
  /** The validated `rateLimit` module options. */
  readonly settings: RateLimitOptions;
  private readonly namespace: string;
  /** Whether the store is the in-process one: it cannot fail, so no failure policy applies. */
  private readonly local: boolean;
  /** The per-instance limiter that answers while the store fails (`failOpen` with `insurance`). */
  private readonly insurance: MemoryRateLimitStore | null;
  private readonly events = new RateLimitEvents();
  private readonly rules = new WeakMap<object, ResolvedRateLimitRule>();
  /**
   * Digests of recent client keys: the SHA-256 of a key was a sixth of the service's own CPU per
   * check with 50 callers, and the same clients come back (an ip sends many requests).
   */
  private readonly tags = new Map<string, string>();
  private storePausedUntil = 0;
  private degraded = false;

  constructor(
    @Inject(LARDER_RATE_LIMIT_OPTIONS) options: RateLimitOptions,
    @Inject(LARDER_RATE_LIMIT_STORE) private readonly store: RateLimitStore,
  ) {
    this.settings = options;
    this.namespace = options.namespace;
    this.local = store instanceof MemoryRateLimitStore;
    const insured = !this.local && options.failOpen && options.insurance;
    this.insurance = insured ? new MemoryRateLimitStore(options.maxMemoryKeys) : null;
  }

  /** Where counters live: `'redis'`, `'memory'` when no Redis is configured, `'custom'` for `rateLimit.store`. */
  get backend(): 'redis' | 'memory' | 'custom' {
    if (this.local) return 'memory';
    return this.store instanceof RedisRateLimitStore ? 'redis' : 'custom';
  }

  /**
   * Consumes `rule.cost` units for `key` if the rule allows it.
   * @param key who is counted: any non-empty string, of any length (it is hashed before it is stored)
   * @throws InvalidKeyError for an empty or non-string key; InvalidOptionError for a bad rule;
   *   StoreUnavailableError only when Redis fails and `failOpen` is false
   * @example
   * const r = await rateLimits.consume(`login:${email}`, { limit: 5, window: '15m', blockFor: '1h' });
   */
  async consume(key: string, rule: RateLimitRule | ResolvedRateLimitRule): Promise<RateLimitResult> {
    const decision = await this.consumeAll([{ key, rule }]);
    return decision.results[0];
  }

  /**
   * Checks several rules (each with its client key) and consumes from all of them only if all
   * allow: one Redis round trip. This is what `RateLimitGuard` calls for a request.
   * @example
   * const d = await rateLimits.consumeAll([
   *   { key: `ip:${ip}`, rule: { name: 'burst', limit: 10, window: '1s' } },
   *   { key: `ip:${ip}`, rule: { name: 'hourly', limit: 1000, window: '1h' } },
   * ]);
   */
  async consumeAll(checks: RateLimitCheck[]): Promise<RateLimitDecision> {
    if (!Array.isArray(checks) || checks.length === 0) {
      throw new InvalidArgumentError('Invalid checks: expected a non-empty array of { key, rule }.');
    }
    // One pass builds the store's checks; the rules and keys are read back from them below.
    const storeChecks: RateLimitStoreCheck[] = new Array(checks.length);
    const keys: string[] = new Array(checks.length);
    for (let i = 0; i < checks.length; i++) {
      const { key, rule } = checkOf(checks[i], i);
      const resolved = this.resolve(rule);
      // Rules of one client (a route's burst and hourly limits) share one digest: hash it once.
      const tag = i > 0 && key === keys[i - 1] ? storeChecks[i - 1].keys.tag : this.tagOf(key);
      storeChecks[i] = { keys: ruleKeys(this.namespace, tag, resolved), rule: resolved };
      keys[i] = key;
    }
    const { outcome, degraded } = await this.run(storeChecks);
    const results: RateLimitResult[] = new Array(checks.length);
    for (let i = 0; i < checks.length; i++) {
      const { rule } = storeChecks[i];
      const r = outcome.rules[i];
      results[i] = {
        rule: rule.name,
        allowed: outcome.allowed,
        limit: rule.limit,
        windowMs: rule.windowMs,
        count: rule.limit - r.remaining,
        remaining: r.remaining,
        resetMs: r.resetMs,
        retryAfterMs: r.ok ? 0 : r.retryAfterMs,
        degraded,
      };
    }
    const denied = outcome.allowed ? [] : results.filter((_, i) => !outcome.rules[i].ok);
    if (denied.length > 0 && this.events.wants('ratelimit.blocked')) {
      for (const r of denied) {
        const key = keys[results.indexOf(r)];
        this.events.emit('ratelimit.blocked', {
          key,
          rule: r.rule,
          limit: r.limit,
          windowMs: r.windowMs,
          retryAfterMs: r.retryAfterMs,
          degraded,
        });
      }
    }
    if (outcome.allowed && this.events.wants('ratelimit.allowed')) {
      this.events.emit('ratelimit.allowed', {
        keys,
        rules: results.map((r) => r.rule),
        degraded,
      });
    }
    return { allowed: outcome.allowed, results, denied, degraded };
  }

  /**
   * Forgets `key`'s counter and block for `rule` (e.g. after a successful login), in Redis and in
   * the insurance limiter.
   * @example await rateLimits.reset(`login:${email}`, loginRule);
   */
  async reset(key: string, rule: RateLimitRule | ResolvedRateLimitRule): Promise<void> {
    const keys: RateLimitRuleKeys[] = [ruleKeys(this.namespace, this.tagOf(key), this.resolve(rule))];
    await this.insurance?.reset(keys);
    await this.store.reset(keys);
  }

  /**
   * Subscribes to `ratelimit.blocked` (a refusal), `ratelimit.allowed` (a pass) or `ratelimit.degraded` (Redis failed).
   * @example rateLimits.on('ratelimit.blocked', (e) => logger.warn(`${e.key} hit ${e.rule}`));
   */
  on<E extends RateLimitEventName>(event: E, listener: RateLimitEventListener<E>): this {
    this.events.on(event, listener);
    return this;
  }

  /** Removes a listener added with `on`. */
  off<E extends RateLimitEventName>(event: E, listener: RateLimitEventListener<E>): this {
    this.events.off(event, listener);
    return this;
  }

  private resolve(rule: RateLimitRule | ResolvedRateLimitRule): ResolvedRateLimitRule {
    if (isResolvedRule(rule)) return rule;
    if (typeof rule === 'object' && rule !== null) {
      const known = this.rules.get(rule);
      if (known) return known;
    }
    const resolved = resolveRateLimitRule(rule, { subject: 'rate limit rule', path: 'rule' }, 'default');
    this.rules.set(rule, resolved);
    return resolved;
  }

  /**
   * No length limit: the key is only ever stored as its digest, so a long key (a long `by` result)
   * costs what a short one does. An empty key or a non-string is a programming error: it would
   * put unrelated callers on one counter.
   */
  private tagOf(key: string): string {
    const known = this.tags.get(key);
    if (known !== undefined) return known;
    assertKey('rate limit key', key, Infinity);
    const tag = clientTag(key);
    if (key.length <= MAX_CACHED_KEY_LENGTH) {
      // Emptied when full rather than kept in LRU order: a lookup stays one Map.get.
      if (this.tags.size >= MAX_CACHED_TAGS) this.tags.clear();
      this.tags.set(key, tag);
    }
    return tag;
  }

  /** The store when it answers; otherwise the failure policy (insurance, open, or closed). */
  private async run(
    checks: RateLimitStoreCheck[],
  ): Promise<{ outcome: RateLimitStoreOutcome; degraded: boolean }> {
    if (this.local) return { outcome: await this.store.consume(checks), degraded: false };
    let failure: Error | undefined;
    if (Date.now() >= this.storePausedUntil) {
      try {
        const outcome = await this.store.consume(checks);
        this.degraded = false;
        return { outcome, degraded: false };
      } catch (error) {
        if (!(error instanceof StoreUnavailableError || error instanceof CommandTimeoutError)) throw error;
        failure = error;
        this.storePausedUntil = Date.now() + RETRY_STORE_AFTER_MS;
      }
    }
    failure ??= new StoreUnavailableError('The rate-limit store failed moments ago; retrying it shortly');
    this.reportDegraded(failure);
    if (!this.settings.failOpen) throw failure;
    if (this.insurance) return { outcome: await this.insurance.consume(checks), degraded: true };
    const rules = checks.map((c) => ({ ok: true, remaining: c.rule.limit, resetMs: 0, retryAfterMs: 0 }));
    return { outcome: { allowed: true, rules }, degraded: true };
  }

  private reportDegraded(error: Error): void {
    if (this.degraded) return;
    this.degraded = true;
    const mode = !this.settings.failOpen ? 'closed' : this.insurance ? 'insurance' : 'open';
    this.events.emit('ratelimit.degraded', { error, mode });
  }
}
