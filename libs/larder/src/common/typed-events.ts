type Listener = (event: unknown) => void;

/**
 * A typed event stream, shared by the cache, lock, rate-limit and session services. `wants(name)`
 * lets a hot path skip building a payload nobody listens to, so events cost nothing when unused.
 * Listeners run one by one: a throwing listener neither breaks the operation that reported the
 * event nor silences the listeners after it.
 *
 * Each name's listeners are an array replaced (never changed) when one is added or removed, so
 * `emit` iterates it as it is, without the copy EventEmitter#listeners makes on every call, and a
 * listener that subscribes or unsubscribes during an emit changes the next emit, not this one.
 */
export class TypedEvents<M extends object> {
  private readonly listeners = new Map<keyof M, readonly Listener[]>();

  wants(name: keyof M): boolean {
    return this.listeners.has(name);
  }

  /** The names that have a listener now. */
  eventNames(): Array<keyof M> {
    return [...this.listeners.keys()];
  }

  emit<E extends keyof M>(name: E, event: M[E]): void {
    const listeners = this.listeners.get(name);
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        /* listener errors are the listener's business */
      }
    }
  }

  on<E extends keyof M>(name: E, listener: (event: M[E]) => void): void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener as Listener]);
  }

  /** Removes `listener` once (the last time it was added, as EventEmitter does). */
  off<E extends keyof M>(name: E, listener: (event: M[E]) => void): void {
    const listeners = this.listeners.get(name);
    const at = listeners?.lastIndexOf(listener as Listener) ?? -1;
    if (!listeners || at < 0) return;
    const rest = listeners.filter((_, i) => i !== at);
    if (rest.length === 0) this.listeners.delete(name);
    else this.listeners.set(name, rest);
  }
}
