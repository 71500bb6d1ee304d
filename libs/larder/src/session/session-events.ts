import { TypedEvents } from '../common/typed-events';

/**
 * Why a session ended: `destroy` (explicit), `rotate` (its id was replaced), `destroy-all`
 * (log out everywhere) or `evict` (the user went over `maxPerUser`). Expiry is silent: Redis
 * expires keys by itself and tells nobody.
 */
export type SessionEndReason = 'destroy' | 'rotate' | 'destroy-all' | 'evict';

/**
 * Every event SessionService emits, by name. Payloads carry the handle (SHA-256 of the id), never the id.
 *
 * @example
 * sessions.on('session.destroyed', (e) => metrics.inc({ reason: e.reason }));
 */
export interface SessionEventMap {
  'session.created': { handle: string; userId?: string; expiresAt: Date; reason: 'create' | 'rotate' };
  'session.destroyed': { handle: string; userId?: string; reason: SessionEndReason };
}

export type SessionEventName = keyof SessionEventMap;
export type SessionEventListener<E extends SessionEventName> = (event: SessionEventMap[E]) => void;

/** A typed event stream; a throwing listener never breaks the session operation that emitted. */
export class SessionEvents extends TypedEvents<SessionEventMap> {}
