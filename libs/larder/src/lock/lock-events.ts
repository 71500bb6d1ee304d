import { TypedEvents } from '../common/typed-events';

/**
 * Why a held lock was lost:
 * - `expired`: its ttl ran out without an extension;
 * - `extend-failed`: an extension could not be confirmed (Redis error or timeout), so the lock is
 *   given up rather than assumed (fail closed);
 * - `not-held`: Redis answered that the lock is no longer ours (deleted, or taken after expiry);
 * - `shutdown`: the module was closed while the lock was held (it is left to expire, not released).
 *
 * @example locks.on('lock.lost', (e) => e.reason === 'extend-failed' && alerts.raise(e.key, e.error));
 */
export type LockLostReason = 'expired' | 'extend-failed' | 'not-held' | 'shutdown';

/**
 * Payload shared by every lock event. `key` is the lock key as given (without namespace).
 * @example const label = (e: LockEventBase) => `${e.cache}/${e.namespace}/${e.key}#${e.fence}`;
 */
export interface LockEventBase {
  /** Cache name (`name` option), as used in metric labels. */
  cache: string;
  namespace: string;
  key: string;
  /** The fence of the grant the event is about. */
  fence: number;
}

/**
 * Every event LockService emits, by name.
 * @example locks.on('lock.acquired', (e: LockEventMap['lock.acquired']) => waits.observe(e.waitedMs));
 */
export interface LockEventMap {
  'lock.acquired': LockEventBase & { ttl: number; autoExtend: boolean; attempts: number; waitedMs: number };
  /** A lock was deleted by its holder. `heldMs` is unknown for `release(key, owner)` of a lock taken elsewhere. */
  'lock.released': LockEventBase & { heldMs?: number };
  'lock.lost': LockEventBase & { reason: LockLostReason; heldMs: number; error?: Error };
  /** An acquire gave up: the lock stayed held for `wait` ms (contention), or Redis failed (`error` set). No fence was issued. */
  'lock.failed': Omit<LockEventBase, 'fence'> & { attempts: number; wait: number; error?: Error };
}

/**
 * The name of a lock event.
 * @example const names: LockEventName[] = ['lock.acquired', 'lock.released', 'lock.lost'];
 */
export type LockEventName = keyof LockEventMap;

/**
 * A listener of one lock event.
 * @example const onLost: LockEventListener<'lock.lost'> = (e) => logger.warn(`${e.key}: ${e.reason}`);
 */
export type LockEventListener<E extends LockEventName> = (event: LockEventMap[E]) => void;

/**
 * The typed event stream of locks. `wants(name)` lets the hot path skip building a payload nobody
 * listens to, so events cost nothing when unused.
 */
export class LockEvents extends TypedEvents<LockEventMap> {}
