/**
 * Where Larder's in-process parts read the time: the memory stores (values, tags, locks, rate-limit
 * windows, sessions, leaderboards), L1 and the freshness checks of cached entries. One instance per
 * module, under the internal `LARDER_CLOCK` token, so a test can drive expiry without waiting
 * (`LarderTestClock` in `@larder/nestjs/testing`). Both readings are taken at every call, never
 * cached, so jest's modern fake timers (which replace `Date` and `performance`) drive them too.
 * Redis keeps its own clock: on the Redis setup, expiry there follows Redis' time.
 */
export interface LarderClock {
  /** Wall-clock time in epoch milliseconds (what `Date.now()` gives). */
  now(): number;
  /** A monotonic reading in milliseconds (what `performance.now()` gives), for deadlines a clock jump must not move. */
  monotonic(): number;
}

/** Real time: `Date.now()` and `performance.now()`, read at each call. */
export const systemClock: LarderClock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
});
