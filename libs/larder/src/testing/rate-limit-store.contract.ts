import { jestGlobals } from './jest-globals';
import { clientTag, ruleKeys } from '../rate-limit/rate-limit-keys';
import { isResolvedRule, resolveRateLimitRule } from '../rate-limit/rate-limit-rule.resolver';
import type { RateLimitStore, RateLimitStoreOutcome } from '../rate-limit/rate-limit-store';
import type { RateLimitRule, ResolvedRateLimitRule } from '../rate-limit/rate-limit.types';
import { uniqueNamespace } from './testing-module';

// The same scenarios, on a fake clock, for every store: the in-memory one and the real Lua script
// on a real Redis must agree to the millisecond, and so must an application's own store. Windows
// are long (minutes) so no key can expire in real time while a test runs.
const MINUTE = 60_000;
// A multiple of every window below, so window and segment boundaries fall on known instants.
const T = Math.ceil(Date.now() / 3_600_000) * 3_600_000;

/**
 * Runs a RateLimitStore through the behaviour RateLimitService relies on: each algorithm to the
 * millisecond (sliding window, fixed window, token bucket), several rules consumed all or none,
 * `blockFor`, costs, clients kept apart and `reset`. A jest suite (it calls describe/it/expect).
 *
 * @param makeStore builds a fresh store for each test; the store must read the time from `clock`
 *   (epoch ms), which the suite moves by hand. `close`, if given, runs after each test.
 * @example
 * describeRateLimitStoreContract('Postgres', (clock) => new PgRateLimitStore(pool, { clock }));
 */
export function describeRateLimitStoreContract(
  setup: string,
  makeStore: (clock: () => number) => RateLimitStore | Promise<RateLimitStore>,
  close?: (store: RateLimitStore) => Promise<void> | void,
): void {
  const { afterEach, beforeEach, describe, expect, it } = jestGlobals();
  describe(`RateLimitStore contract: ${setup}`, () => {
    let store: RateLimitStore;
    let namespace: string;
    let now: number;

    beforeEach(async () => {
      namespace = uniqueNamespace('rl');
      now = T;
      store = await makeStore(() => now);
    });
    afterEach(async () => {
      await close?.(store);
    });

    function consume(
      client: string,
      ...rules: Array<RateLimitRule | ResolvedRateLimitRule>
    ): Promise<RateLimitStoreOutcome> {
      return store.consume(
        rules.map((raw) => {
          const rule = isResolvedRule(raw)
            ? raw
            : resolveRateLimitRule(raw, { subject: 'rule', path: 'test' }, 'default');
          return { keys: ruleKeys(namespace, clientTag(client), rule), rule };
        }),
      );
    }
    async function allowedCount(
      client: string,
      times: number,
      ...rules: Array<RateLimitRule | ResolvedRateLimitRule>
    ): Promise<number> {
      let allowed = 0;
      for (let i = 0; i < times; i++) if ((await consume(client, ...rules)).allowed) allowed++;
      return allowed;
    }

    describe('sliding window', () => {
      const rule: RateLimitRule = { name: 'sw', limit: 10, window: MINUTE };

      it('does not let 2x the limit through at a window boundary', async () => {
        now = T + 59_000; // the last second of a window-aligned minute
        expect(await allowedCount('a', 10, rule)).toBe(10);
        for (now = T + MINUTE; now < T + 59_000 + MINUTE; now += 1000) {
          const outcome = await consume('a', rule);
          expect(outcome.allowed).toBe(false);
          // The units come back when their 6 s segment (54-60 s) leaves the window: at T + 120 s.
          expect(outcome.rules[0].retryAfterMs).toBe(T + 2 * MINUTE - now);
        }
        now = T + 2 * MINUTE - 1;
        expect((await consume('a', rule)).allowed).toBe(false);
        now = T + 2 * MINUTE;
        expect(await allowedCount('a', 11, rule)).toBe(10);
      });

      it('never admits more than the limit in any window-long interval (adversarial timing)', async () => {
        let seed = 42;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        const admitted: number[] = [];
        now = T;
        for (let i = 0; i < 160; i++) {
          now += Math.floor(random() * 3000);
          const burst = 1 + Math.floor(random() * 4);
          for (let b = 0; b < burst; b++) if ((await consume('adv', rule)).allowed) admitted.push(now);
        }
        for (const start of admitted) {
          expect(admitted.filter((t) => t >= start && t < start + MINUTE).length).toBeLessThanOrEqual(10);
        }
        // Not trivially strict: over the ~4 minutes simulated, nearly the whole budget (~40) was used.
        expect(admitted.length).toBeGreaterThanOrEqual(36);
      });

      it('reports remaining and the time until the quota is whole again', async () => {
        now = T + 1000;
        const remaining: number[] = [];
        for (let i = 0; i < 3; i++) {
          const r = (await consume('r', { ...rule, limit: 3 })).rules[0];
          remaining.push(r.remaining);
          expect(r.resetMs).toBe(T + 66_000 - now); // segment 0 leaves the window at 66 s
        }
        expect(remaining).toEqual([2, 1, 0]);
      });
    });

    it('fixed window lets 2x through around its reset (why sliding is the default)', async () => {
      // Redis expires the counter in real time (window end - now), so the last batch stays 10 s
      // (of fake time, = real ms to spare) before the reset.
      const window = 10 * MINUTE;
      const rule: RateLimitRule = { name: 'fw', limit: 10, window, algorithm: 'fixed-window' };
      now = T;
      expect((await consume('f', rule)).allowed).toBe(true); // the window starts here
      now = T + window - 10_000;
      expect(await allowedCount('f', 10, rule)).toBe(9);
      const refused = await consume('f', rule);
      expect(refused.rules[0].retryAfterMs).toBe(10_000);
      now = T + window;
      expect(await allowedCount('f', 11, rule)).toBe(10); // 19 within 10 s
    });

    it('token bucket refills at its rate', async () => {
      const rule: RateLimitRule = { name: 'tb', limit: 10, window: 10_000, algorithm: 'token-bucket' }; // 1 token/s
      now = T;
      expect(await allowedCount('t', 11, rule)).toBe(10);
      now = T + 999;
      const early = await consume('t', rule);
      expect(early.allowed).toBe(false);
      expect(early.rules[0].retryAfterMs).toBe(1);
      now = T + 1000;
      expect(await allowedCount('t', 2, rule)).toBe(1);
      now = T + 6000;
      expect(await allowedCount('t', 6, rule)).toBe(5);
      now = T + 10 * MINUTE; // refills cap at the limit
      const full = await consume('t', rule);
      expect(full.rules[0].remaining).toBe(9);
      expect(full.rules[0].resetMs).toBe(1000);
    });

    it('cost consumes several units and a too-large request consumes none', async () => {
      const rule = (cost: number): RateLimitRule => ({ name: 'c', limit: 10, window: MINUTE, cost });
      now = T;
      expect((await consume('c', rule(4))).rules[0].remaining).toBe(6);
      expect((await consume('c', rule(4))).rules[0].remaining).toBe(2);
      const refused = await consume('c', rule(4));
      expect(refused.allowed).toBe(false);
      expect(refused.rules[0].remaining).toBe(2);
      const last = await consume('c', rule(2));
      expect(last.allowed).toBe(true);
      expect(last.rules[0].remaining).toBe(0);
    });

    it('enforces every rule, and a request refused by one consumes none of the others', async () => {
      const short: RateLimitRule = { name: 'short', limit: 2, window: MINUTE, algorithm: 'fixed-window' };
      const long: RateLimitRule = { name: 'long', limit: 3, window: 60 * MINUTE, algorithm: 'token-bucket' };
      now = T;
      expect(await allowedCount('m', 2, short, long)).toBe(2);
      const refused = await consume('m', short, long);
      expect(refused.allowed).toBe(false);
      expect(refused.rules.map((r) => r.ok)).toEqual([false, true]);
      expect(refused.rules[1].remaining).toBe(1); // not consumed by the refused request
      now = T + MINUTE; // short has reset; long now refuses
      expect(await allowedCount('m', 2, short, long)).toBe(1);
      const second = await consume('m', short, long);
      expect(second.rules.map((r) => r.ok)).toEqual([true, false]);
      expect(second.rules[0].remaining).toBe(1); // short was not consumed either
    });

    it('blockFor refuses for exactly blockFor after the first refusal, without extension', async () => {
      const rule: RateLimitRule = {
        name: 'b',
        limit: 2,
        window: 10_000,
        algorithm: 'fixed-window',
        blockFor: 5 * MINUTE,
      };
      now = T;
      expect(await allowedCount('b', 2, rule)).toBe(2);
      const first = await consume('b', rule);
      expect(first.allowed).toBe(false);
      expect(first.rules[0].retryAfterMs).toBe(5 * MINUTE);
      for (const later of [MINUTE, 2 * MINUTE, 4 * MINUTE]) {
        now = T + later; // the window reset long ago, the block still holds and is not extended
        const refused = await consume('b', rule);
        expect(refused.allowed).toBe(false);
        expect(refused.rules[0].retryAfterMs).toBe(5 * MINUTE - later);
      }
      now = T + 5 * MINUTE;
      expect(await allowedCount('b', 3, rule)).toBe(2);
    });

    it('keeps clients apart and reset() forgets one client', async () => {
      const rule = resolveRateLimitRule(
        { name: 'k', limit: 1, window: MINUTE, blockFor: MINUTE },
        { subject: 'rule', path: 'k' },
        'k',
      );
      now = T;
      expect(await allowedCount('x', 2, rule)).toBe(1);
      expect(await allowedCount('y', 1, rule)).toBe(1);
      await store.reset([ruleKeys(namespace, clientTag('x'), rule)]);
      expect(await allowedCount('x', 2, rule)).toBe(1);
    });
  });
}
