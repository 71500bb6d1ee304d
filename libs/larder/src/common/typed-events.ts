import { EventEmitter } from 'node:events';

type Listener = (event: unknown) => void;

/**
 * A typed event stream over EventEmitter, shared by the cache, lock, rate-limit and session
 * services. `wants(name)` lets a hot path skip building a payload nobody listens to, so events
 * cost nothing when unused. Listeners run one by one: a throwing listener neither breaks the
 * operation that reported the event nor silences the listeners after it.
 */
export class TypedEvents<M extends object> {
  private readonly emitter = new EventEmitter();
  private readonly counts = new Map<keyof M, number>();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  wants(name: keyof M): boolean {
    return (this.counts.get(name) ?? 0) > 0;
  }

  emit<E extends keyof M>(name: E, event: M[E]): void {
    const count = this.counts.get(name) ?? 0;
    if (count === 0) return;
    const listeners = this.emitter.listeners(name as string | symbol) as Listener[];
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        /* listener errors are the listener's business */
      }
    }
  }

  on<E extends keyof M>(name: E, listener: (event: M[E]) => void): void {
    this.emitter.on(name as string | symbol, listener as Listener);
    this.counts.set(name, this.emitter.listenerCount(name as string | symbol));
  }

  off<E extends keyof M>(name: E, listener: (event: M[E]) => void): void {
    this.emitter.off(name as string | symbol, listener as Listener);
    this.counts.set(name, this.emitter.listenerCount(name as string | symbol));
  }
}
