import type { LockEventListener, LockEventName } from '../lock/lock-events';
import type { LockService } from '../lock/lock.service';
import type { RateLimitEventListener, RateLimitEventName } from '../rate-limit/rate-limit-events';
import type { RateLimitService } from '../rate-limit/rate-limit.service';
import type { SessionEventListener, SessionEventName } from '../session/session-events';
import type { SessionService } from '../session/session.service';
import type { CounterCell } from './buffered-counter';
import type { LarderMetricSet } from './larder-metric-set';

/** The services whose events feed the lock, rate-limit and session metrics. */
export interface CoordinationServices {
  locks: LockService;
  rateLimits: RateLimitService;
  sessions: SessionService;
}

type Entries<N extends string, F> = Array<[N, F]>;

/**
 * Feeds the lock, rate-limit and session metrics from their services' events (only called when
 * metrics are on). Returns the unsubscribe function.
 */
export function subscribeCoordinationMetrics(
  { locks, rateLimits, sessions }: CoordinationServices,
  set: LarderMetricSet,
  name: string,
): () => void {
  const c = { cache: name };
  const owned: CounterCell[] = [];
  const acquired = set.lockAcquired.cell(c, owned);
  const failed = set.lockFailed.cellsBy(c, 'reason', owned);
  failed('held'); // contention is the series dashboards divide by: present from the start
  const lost = set.lockLost.cellsBy(c, 'reason', owned);
  const allowed = set.rateLimitRequests.cellsBy({ cache: name, result: 'allowed' }, 'rule', owned);
  const blocked = set.rateLimitRequests.cellsBy({ cache: name, result: 'blocked' }, 'rule', owned);
  const created = set.sessionsCreated.cell(c, owned);
  const destroyed = set.sessionsDestroyed.cellsBy(c, 'reason', owned);

  const lockListeners: { [E in LockEventName]?: LockEventListener<E> } = {
    'lock.acquired': () => acquired.pending++,
    'lock.failed': (e) => failed(e.error ? 'error' : 'held').pending++,
    'lock.lost': (e) => lost(e.reason).pending++,
  };
  const rateLimitListeners: { [E in RateLimitEventName]?: RateLimitEventListener<E> } = {
    'ratelimit.allowed': (e) => {
      for (const rule of e.rules) allowed(rule).pending++;
    },
    'ratelimit.blocked': (e) => blocked(e.rule).pending++,
  };
  const sessionListeners: { [E in SessionEventName]?: SessionEventListener<E> } = {
    'session.created': () => created.pending++,
    'session.destroyed': (e) => destroyed(e.reason).pending++,
  };

  const lockEntries = Object.entries(lockListeners) as Entries<
    LockEventName,
    LockEventListener<LockEventName>
  >;
  const rateEntries = Object.entries(rateLimitListeners) as Entries<
    RateLimitEventName,
    RateLimitEventListener<RateLimitEventName>
  >;
  const sessionEntries = Object.entries(sessionListeners) as Entries<
    SessionEventName,
    SessionEventListener<SessionEventName>
  >;
  for (const [event, listener] of lockEntries) locks.on(event, listener);
  for (const [event, listener] of rateEntries) rateLimits.on(event, listener);
  for (const [event, listener] of sessionEntries) sessions.on(event, listener);
  return () => {
    for (const [event, listener] of lockEntries) locks.off(event, listener);
    for (const [event, listener] of rateEntries) rateLimits.off(event, listener);
    for (const [event, listener] of sessionEntries) sessions.off(event, listener);
    for (const cell of owned) cell.release();
  };
}
