import { parseDuration, type Duration } from '../common/duration';
import type { LarderClock } from '../common/clock';

/**
 * A clock a test moves forward: `advance('5m')` and every cache entry, L1 copy, lock, rate-limit
 * window, session and leaderboard on the memory stores of a module started with
 * `startLarder(options, metadata, { clock })` is five minutes older, without waiting.
 *
 * It runs with real time plus everything it was advanced by, and never goes back: values stored
 * through Keyv also carry a real-time expiry that Keyv checks itself, and a clock ahead of real time
 * can never make Keyv drop an entry the clock still counts as live. Timers are not touched: a lock's
 * auto-extension and its `lost` signal, the background sweeps and loader timeouts run on real
 * timers (use jest's fake timers to move those too). Redis keeps its own time.
 *
 * @example
 * const clock = new LarderTestClock();
 * const moduleRef = await startLarder({}, { providers: [PriceService] }, { clock });
 * await moduleRef.get(CacheService).set('price', 10, { ttl: '5m' });
 * clock.advance('5m');
 * expect(await moduleRef.get(CacheService).get('price')).toBeUndefined();
 */
export class LarderTestClock implements LarderClock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  monotonic(): number {
    return performance.now() + this.offset;
  }

  /**
   * Moves the clock forward by `by` (ms or `'30s'`-style).
   * @throws InvalidOptionError when `by` is not a duration of at least 1 ms
   */
  advance(by: Duration): void {
    this.offset += parseDuration(by, 'advance(by)');
  }

  /** How far ahead of real time the clock is, in ms. */
  get advancedBy(): number {
    return this.offset;
  }
}
