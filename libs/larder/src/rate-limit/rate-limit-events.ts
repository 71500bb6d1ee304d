import { TypedEvents } from '../common/typed-events';

/**
 * A request was refused by a rule (limit reached or client blocked).
 * @example rateLimits.on('ratelimit.blocked', (e: RateLimitBlockedEvent) => metrics.inc({ rule: e.rule }));
 */
export interface RateLimitBlockedEvent {
  /** The client key the rule counted (e.g. `ip:203.0.113.7`, `user:42`, or the key given to `consume`). */
  key: string;
  rule: string;
  limit: number;
  windowMs: number;
  retryAfterMs: number;
  /** True when the insurance limiter (not Redis) refused it. */
  degraded: boolean;
}

/**
 * A request passed every rule it was checked against (emitted once per decision, only while
 * someone listens, e.g. the Prometheus metrics).
 * @example rateLimits.on('ratelimit.allowed', (e: RateLimitAllowedEvent) => allowed.inc(e.rules.length));
 */
export interface RateLimitAllowedEvent {
  /** The client keys counted, one per rule (e.g. `ip:203.0.113.7`). */
  keys: string[];
  /** The names of the rules that were checked, in order. */
  rules: string[];
  /** True when the insurance limiter (not Redis) decided. */
  degraded: boolean;
}

/**
 * Redis failed; until it answers again (tried again after a 1 s pause), limits are enforced per
 * instance (`insurance`), not at all (`open`), or requests are refused with 503 (`closed`).
 * @example rateLimits.on('ratelimit.degraded', (e: RateLimitDegradedEvent) => logger.warn(`rate limits ${e.mode}: ${e.error.message}`));
 */
export interface RateLimitDegradedEvent {
  error: Error;
  /** `'insurance'`: the in-memory limiter enforces; `'open'`: everything passes; `'closed'`: requests get 503. */
  mode: 'insurance' | 'open' | 'closed';
}

/**
 * Every event `RateLimitService` emits, by name.
 *
 * @example rateLimits.on('ratelimit.blocked', (e) => blockedCounter.inc({ rule: e.rule }));
 */
export interface RateLimitEventMap {
  'ratelimit.blocked': RateLimitBlockedEvent;
  'ratelimit.allowed': RateLimitAllowedEvent;
  'ratelimit.degraded': RateLimitDegradedEvent;
}

/**
 * @example const name: RateLimitEventName = 'ratelimit.blocked';
 */
export type RateLimitEventName = keyof RateLimitEventMap;
/**
 * @example const log: RateLimitEventListener<'ratelimit.blocked'> = (e) => console.warn(e.rule);
 */
export type RateLimitEventListener<E extends RateLimitEventName> = (event: RateLimitEventMap[E]) => void;

/** A typed emitter whose `emit` never throws into the request that reported the event. */
export class RateLimitEvents extends TypedEvents<RateLimitEventMap> {}
