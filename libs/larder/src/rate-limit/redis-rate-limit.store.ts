import { StoreUnavailableError } from '../errors';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import type { RateLimitRuleKeys } from './rate-limit-keys';
import type { ResolvedRateLimitRule } from './rate-limit.types';
import type { LuaScript } from '../redis/lua-script';
import {
  ALGORITHM_CODE,
  bakedSlidingScript,
  RATE_LIMIT_SCRIPT,
  SLIDING_FAST_SCRIPT,
  SLIDING_WINDOW_SCRIPT,
} from './rate-limit.scripts';
import { RESET_OFFSET_UNIT } from './sliding-window.lua';
import type {
  RateLimitStore,
  RateLimitStoreCheck,
  RateLimitStoreOutcome,
  RateLimitRuleOutcome,
} from './rate-limit-store';

/**
 * Counters in Redis, one Lua script per request for all its rules. On Redis Cluster, rules whose
 * client keys differ (a route mixing `by: 'ip'` and `by: 'user'`) live in different slots and run
 * as one script per client key, in order, stopping at the first refusal: each group is atomic,
 * but groups before a refusing one have consumed.
 */
export class RedisRateLimitStore implements RateLimitStore {
  /** Scripts with their rules' parameters written in (bakedSlidingScript), by those parameters. */
  private readonly baked = new Map<string, LuaScript>();
  /** Each rule object's parameters as a key of `baked`, worked out once per object. */
  private readonly signatures = new WeakMap<ResolvedRateLimitRule, string>();

  /**
   * @param clock tests only: a fake clock passed to the script instead of the server's TIME
   */
  constructor(
    private readonly redis: RedisCoordinator,
    private readonly clock?: () => number,
  ) {}

  // Not async: the common case hands back the script's promise without another promise around it.
  consume(checks: RateLimitStoreCheck[]): Promise<RateLimitStoreOutcome> {
    // Not connected: say so at once rather than wait for a command the client refuses anyway.
    if (!this.redis.isReady) return Promise.reject(new StoreUnavailableError('Redis is not connected'));
    if (!this.redis.isCluster || checks.every((c) => c.keys.tag === checks[0].keys.tag))
      return this.run(checks);
    return this.consumeBySlot(checks);
  }

  /** A cluster request whose rules' client keys differ: one script per client key, in order. */
  private async consumeBySlot(checks: RateLimitStoreCheck[]): Promise<RateLimitStoreOutcome> {
    const groups = new Map<string, number[]>();
    checks.forEach((c, i) => groups.set(c.keys.tag, [...(groups.get(c.keys.tag) ?? []), i]));
    const rules: RateLimitRuleOutcome[] = new Array(checks.length);
    let allowed = true;
    for (const indexes of groups.values()) {
      if (!allowed) break;
      const outcome = await this.run(indexes.map((i) => checks[i]));
      indexes.forEach((i, j) => (rules[i] = outcome.rules[j]));
      allowed = outcome.allowed;
    }
    // Rules of groups that never ran report their full quota: nothing was read or consumed there.
    checks.forEach((c, i) => {
      rules[i] ??= { ok: true, remaining: c.rule.limit, resetMs: 0, retryAfterMs: 0 };
    });
    return { allowed, rules };
  }

  async reset(keys: RateLimitRuleKeys[]): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.call('rate limit reset', async (client) => {
      for (const k of keys) await client.del(k.state, k.block);
    });
  }

  private async run(checks: RateLimitStoreCheck[]): Promise<RateLimitStoreOutcome> {
    const fast = fastCase(checks);
    const sliding = fast || checks.every((c) => c.rule.algorithm === 'sliding-window');
    const keys: string[] = [];
    const args: number[] = [];
    const baked = fast ? this.bakedFor(checks) : undefined;
    let blocks: string[] | undefined;
    for (const { keys: k, rule } of checks) {
      keys.push(k.state);
      if (fast) {
        if (!baked) args.push(rule.limit, rule.windowMs, rule.cost);
        continue;
      }
      // A block key only for rules that can block: the script never touches the others'.
      if (rule.blockForMs > 0) (blocks ??= []).push(k.block);
      if (!sliding) args.push(ALGORITHM_CODE[rule.algorithm]);
      args.push(rule.limit, rule.windowMs, rule.cost, rule.blockForMs);
    }
    if (blocks) keys.push(...blocks);
    if (this.clock) args.push(this.clock());
    const script =
      baked ?? (fast ? SLIDING_FAST_SCRIPT : sliding ? SLIDING_WINDOW_SCRIPT : RATE_LIMIT_SCRIPT);
    const reply = (await this.redis.eval(script, keys, args)) as number | number[];
    if (typeof reply === 'number') return { allowed: true, rules: [fastOutcome(reply, checks[0])] };
    const rules: RateLimitRuleOutcome[] = new Array(checks.length);
    // The fast path's reply has one integer per rule; the others' 1 + 4 per rule.
    if (reply.length === checks.length) {
      for (let i = 0; i < checks.length; i++) rules[i] = fastOutcome(reply[i], checks[i]);
      return { allowed: true, rules };
    }
    for (let i = 0, at = 1; i < checks.length; i++, at += 4) {
      rules[i] = {
        ok: reply[at] === 1,
        remaining: reply[at + 1],
        resetMs: reply[at + 2],
        retryAfterMs: reply[at + 3],
      };
    }
    return { allowed: reply[0] === 1, rules };
  }

  /**
   * The baked script for these rules' parameters, made on first use. Past MAX_BAKED sets (rules
   * made up per call with ever new limits), requests send their parameters instead, so Redis'
   * script cache, which never forgets a loaded script, stays small.
   */
  private bakedFor(checks: RateLimitStoreCheck[]): LuaScript | undefined {
    // Each rule's counts are Lua locals in a baked script, and a Lua function holds at most 200.
    if (checks.length > MAX_BAKED_RULES) return undefined;
    let signature = this.signatureOf(checks[0].rule);
    for (let i = 1; i < checks.length; i++) signature += `|${this.signatureOf(checks[i].rule)}`;
    let script = this.baked.get(signature);
    if (!script && this.baked.size < MAX_BAKED) {
      script = bakedSlidingScript(checks.map((c) => c.rule));
      this.baked.set(signature, script);
    }
    return script;
  }

  private signatureOf(rule: ResolvedRateLimitRule): string {
    let signature = this.signatures.get(rule);
    if (signature === undefined) {
      signature = `${rule.limit}:${rule.windowMs}:${rule.cost}`;
      this.signatures.set(rule, signature);
    }
    return signature;
  }
}

/** How many baked scripts (sets of rule parameters) one store makes at most. */
const MAX_BAKED = 64;
/** Requests with more rules send them as arguments. */
const MAX_BAKED_RULES = 4;

/** Whether SLIDING_FAST_SCRIPT can take the request: sliding windows, none that blocks, no counter twice. */
function fastCase(checks: RateLimitStoreCheck[]): boolean {
  for (let i = 0; i < checks.length; i++) {
    const { rule, keys } = checks[i];
    if (rule.algorithm !== 'sliding-window' || rule.blockForMs > 0) return false;
    for (let j = 0; j < i; j++) if (checks[j].keys.state === keys.state) return false;
  }
  return true;
}

/** One rule of the fast path's reply: `offset * RESET_OFFSET_UNIT + remaining` (see SLIDING_FAST_LUA). */
function fastOutcome(packed: number, check: RateLimitStoreCheck): RateLimitRuleOutcome {
  const remaining = packed % RESET_OFFSET_UNIT;
  const offset = (packed - remaining) / RESET_OFFSET_UNIT;
  return { ok: true, remaining, resetMs: Math.floor(check.rule.windowMs) + offset, retryAfterMs: 0 };
}
