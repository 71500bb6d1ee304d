import type { Lock } from '../lock/lock-handle';
import type { LockService } from '../lock/lock.service';
import type { AcquireOptions } from '../lock/lock-options';
import type { RateLimitService } from '../rate-limit/rate-limit.service';
import type { RateLimitDecision } from '../rate-limit/rate-limit.types';
import type { SessionService } from '../session/session.service';
import type { Session, SessionData } from '../session/session.types';
import type { LarderTracer, SpanAttributes } from './larder-tracer';

/*
 * Spans around locks, rate-limit checks and session reads, installed on the service instances
 * (as for the cache, see trace-cache.ts): with tracing off the services keep their own methods.
 */

const acquired = (lock: Lock | null): SpanAttributes =>
  lock
    ? { 'larder.lock.acquired': true, 'larder.lock.fence': lock.fence }
    : { 'larder.lock.acquired': false };

/**
 * `larder.lock.acquire` around `acquire`/`acquireOrThrow` (and so `withLock`), `larder.lock.release`
 * around `release(key, owner)` and a granted lock's own `release()`. Lock tokens are never recorded.
 */
export function traceLocks(locks: LockService, tracer: LarderTracer): void {
  const { acquire, acquireOrThrow, release } = locks;
  const released = (done: boolean): SpanAttributes => ({ 'larder.lock.released': done });
  const traceHandle = <L extends Lock | null>(lock: L): L => {
    if (lock === null) return lock;
    const own = lock.release;
    lock.release = () => tracer.run('lock.release', tracer.key(lock.key), () => own.call(lock), released);
    return lock;
  };
  const traceAcquire =
    <L extends Lock | null>(take: (key: string, opts?: AcquireOptions) => Promise<L>) =>
    (key: string, opts?: AcquireOptions) =>
      tracer.run(
        'lock.acquire',
        tracer.key(key),
        () => take.call(locks, key, opts).then(traceHandle),
        acquired,
      );
  locks.acquire = traceAcquire(acquire);
  locks.acquireOrThrow = traceAcquire(acquireOrThrow);
  locks.release = (key, owner) =>
    tracer.run('lock.release', tracer.key(key), () => release.call(locks, key, owner), released);
}

/** `larder.rate_limit.check` around `consumeAll` (and so `consume` and `RateLimitGuard`): allowed, rules, degraded. */
export function traceRateLimits(rateLimits: RateLimitService, tracer: LarderTracer): void {
  const { consumeAll } = rateLimits;
  const outcome = (d: RateLimitDecision): SpanAttributes => ({
    'larder.rate_limit.allowed': d.allowed,
    'larder.rate_limit.rules': d.results.map((r) => r.rule),
    'larder.degraded': d.degraded,
  });
  rateLimits.consumeAll = (checks) => {
    const keys = tracer.options.keys && Array.isArray(checks) ? checks.map((c) => String(c?.key)) : undefined;
    const attributes = keys && { 'larder.key': keys.length === 1 ? keys[0] : keys };
    return tracer.run('rate_limit.check', attributes, () => consumeAll.call(rateLimits, checks), outcome);
  };
}

/** `larder.session.get` (with `larder.session.found`) and `larder.session.touch`; a session id is never recorded. */
export function traceSessions(sessions: SessionService, tracer: LarderTracer): void {
  const { get, touch } = sessions;
  sessions.get = <T extends SessionData>(id: string) =>
    tracer.run(
      'session.get',
      undefined,
      () => get.call(sessions, id) as Promise<Session<T> | undefined>,
      (session) => ({ 'larder.session.found': session !== undefined }),
    );
  sessions.touch = (id) => tracer.run('session.touch', undefined, () => touch.call(sessions, id));
}
