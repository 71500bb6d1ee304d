import type { CacheEventMap, CacheEventName } from '../cache/cache-events';
import type { LockEventMap, LockEventName } from '../lock/lock-events';
import type { RateLimitBlockedEvent } from '../rate-limit/rate-limit-events';
import type { SessionEventMap, SessionEventName } from '../session/session-events';
import { fingerprint, redactKey } from './console-redaction';

/** Every kind of event the console shows. */
export type ConsoleEventType = CacheEventName | LockEventName | 'ratelimit.blocked' | SessionEventName;

/**
 * One event as the console page receives it: already redacted (no values, no session ids, no
 * lock tokens), small, and flat so the page can filter on `type` and a `key` prefix.
 * @example { seq: 12, at: 1767225600000, type: 'hit', key: 'product:1', namespace: '', tier: 'l1' }
 */
export interface ConsoleEvent {
  /** Position in the server's stream; gaps mean events were dropped for this page. */
  seq: number;
  /** Epoch milliseconds. */
  at: number;
  type: ConsoleEventType;
  key?: string;
  /** The cache scope the key is in ('' for the root), for cache events. */
  namespace?: string;
  tier?: string;
  durationMs?: number;
  /** A short, already redacted description (a rule, a fence, a reason, an error message). */
  detail?: string;
}

/** An event before it is numbered. */
export type ConsoleEventDraft = Omit<ConsoleEvent, 'seq'>;

const rounded = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms * 1000) / 1000);

/** A cache event as the console shows it: key (redacted), scope, tier, duration; never a value. */
export function fromCacheEvent<E extends CacheEventName>(
  type: E,
  e: CacheEventMap[E],
  at: number,
): ConsoleEventDraft {
  return {
    at,
    type,
    key: e.key === undefined ? undefined : redactKey(e.key),
    namespace: e.namespace,
    tier: e.tier,
    durationMs: rounded(e.durationMs),
    detail: cacheDetail(type, e),
  };
}

/** What a cache event says beyond its key: an error, a breaker transition, why a stale value or a fallback. */
function cacheDetail<E extends CacheEventName>(type: E, e: CacheEventMap[E]): string | undefined {
  switch (type) {
    case 'error': {
      const { operation, error } = e as CacheEventMap['error'];
      return `${operation}: ${redactKey(error.message)}`;
    }
    case 'breaker': {
      const { previous, state, error } = e as CacheEventMap['breaker'];
      return `${previous} -> ${state}${error ? `: ${redactKey(error.message)}` : ''}`;
    }
    case 'clear':
      return `${(e as CacheEventMap['clear']).removed} removed`;
    case 'stale': {
      const { reason, error } = e as CacheEventMap['stale'];
      return error ? `${reason}: ${redactKey(error.message)}` : reason;
    }
    case 'lock-fallback':
      return (e as CacheEventMap['lock-fallback']).reason;
    default:
      return undefined;
  }
}

/** A lock event as the console shows it: key, fence and what happened; the token never appears in lock events. */
export function fromLockEvent<E extends LockEventName>(
  type: E,
  e: LockEventMap[E],
  at: number,
): ConsoleEventDraft {
  const parts: string[] = [];
  if ('fence' in e) parts.push(`fence ${e.fence}`);
  if ('ttl' in e) parts.push(`ttl ${e.ttl}ms`);
  if ('reason' in e) parts.push(e.reason);
  if ('attempts' in e && type === 'lock.failed') parts.push(`${e.attempts} attempt(s)`);
  if ('error' in e && e.error) parts.push(redactKey(e.error.message));
  // No `namespace`: a lock's is the module's, not a cache scope, and would read as one in the page.
  return { at, type, key: redactKey(e.key), detail: parts.join(', ') };
}

/** A refused request: the client key, the rule and when it may try again. */
export function fromRateLimitBlocked(e: RateLimitBlockedEvent, at: number): ConsoleEventDraft {
  const degraded = e.degraded ? ', insurance limiter' : '';
  return {
    at,
    type: 'ratelimit.blocked',
    key: redactKey(e.key),
    detail: `rule ${e.rule} (${e.limit}/${e.windowMs}ms), retry in ${e.retryAfterMs}ms${degraded}`,
  };
}

/** A session event: the user and a fingerprint of the handle (the id itself is never in events). */
export function fromSessionEvent<E extends SessionEventName>(
  type: E,
  e: SessionEventMap[E],
  at: number,
): ConsoleEventDraft {
  const user = e.userId === undefined ? 'anonymous' : `user ${redactKey(e.userId)}`;
  return { at, type, detail: `${user}, session ${fingerprint(e.handle)}, ${e.reason}` };
}
