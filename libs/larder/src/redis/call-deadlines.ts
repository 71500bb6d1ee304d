/** A call being watched by CallDeadlines. */
export interface WatchedCall {
  /** `performance.now()` by which the call must have settled. */
  readonly deadline: number;
  readonly expire: () => void;
  prev?: WatchedCall;
  next?: WatchedCall;
}

/**
 * Deadlines for calls that all share one timeout (the cache's `commandTimeout`), watched by a
 * single timer. A timer per call cost more than the rest of a cache read together (arming and
 * disarming Node's timer list on every call); since every deadline here is `start + ms`, the
 * calls finish their deadlines in the order they started, so a FIFO list and one timer armed for
 * its head give each call the same bound as its own `setTimeout` would.
 *
 * While calls are pending the timer keeps the process alive, as per-call timers did; when none
 * are, it is unref'd and simply lapses. After `release()` it never keeps the process alive.
 */
export class CallDeadlines {
  private head?: WatchedCall;
  private tail?: WatchedCall;
  private timer?: NodeJS.Timeout;
  private released = false;

  constructor(readonly ms: number) {}

  /** Whether any watched call is still in flight. */
  get busy(): boolean {
    return this.head !== undefined;
  }

  /**
   * The one bounded-call mechanism (Redis coordination calls and cache store calls): runs `run`
   * and settles with its outcome or, if it is still pending `ms` after it started, with
   * `recover(timeoutError())`. A failure goes through `recover` too: what it returns resolves the
   * call, what it throws rejects it. One promise per call and no timer of its own; the late
   * outcome of a call that timed out is ignored, and always observed.
   * @param watch false for an operation of many round trips that bounds each of them itself
   * @example deadlines.bound(() => client.get(key), () => new CommandTimeoutError('GET timed out'), (e) => { throw e; })
   */
  bound<T>(
    run: () => Promise<T>,
    timeoutError: () => Error,
    recover: (error: unknown) => T,
    watch = true,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Only the first outcome counts: after a timeout, the late result of the call is ignored.
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        try {
          resolve(recover(error));
        } catch (typed) {
          reject(typed);
        }
      };
      let pending: Promise<T>;
      try {
        pending = run();
      } catch (error) {
        fail(error);
        return;
      }
      const call = watch ? this.watch(() => fail(timeoutError())) : undefined;
      void pending.then(
        (value) => {
          if (call) this.unwatch(call);
          if (settled) return;
          settled = true;
          resolve(value);
        },
        (error: unknown) => {
          if (call) this.unwatch(call);
          fail(error);
        },
      );
    });
  }

  /** Watches a call that started now; `expire` runs if it is still watched `ms` from now. */
  watch(expire: () => void): WatchedCall {
    const call: WatchedCall = { deadline: performance.now() + this.ms, expire };
    if (this.tail) {
      this.tail.next = call;
      call.prev = this.tail;
      this.tail = call;
      return call;
    }
    this.head = this.tail = call;
    // An idle timer is still armed for an earlier deadline; when it fires it re-arms for this one.
    if (this.timer) {
      if (!this.released) this.timer.ref();
    } else this.arm(this.ms);
    return call;
  }

  /**
   * Stops the timer from keeping the process alive, for good: once the connections are closed, a
   * call still watched waits for a reply that will never come (ioredis drops, unsettled, the
   * commands it kept to resend after a reconnection). It still expires on time if the process
   * runs on, but it is no reason for a shut-down app not to exit.
   */
  release(): void {
    this.released = true;
    this.timer?.unref();
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.fire, ms);
    if (this.released) this.timer.unref();
  }

  /** Stops watching a call (it settled); a no-op for a call that already expired or was removed. */
  unwatch(call: WatchedCall): void {
    if (call.prev) call.prev.next = call.next;
    else if (this.head === call) this.head = call.next;
    else return;
    if (call.next) call.next.prev = call.prev;
    else this.tail = call.prev;
    call.prev = call.next = undefined;
    if (!this.head) this.timer?.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    // Timers fire with millisecond granularity: a deadline less than 1 ms away is due now, as it
    // would have been for a per-call setTimeout.
    const due: WatchedCall[] = [];
    while (this.head && this.head.deadline - now < 1) {
      const call = this.head;
      this.unwatch(call);
      due.push(call);
    }
    if (due.length > 0) setImmediate(expireAll, due);
    if (this.head) this.arm(Math.ceil(this.head.deadline - now));
  };
}

/**
 * Expires calls whose deadline passed, one turn of the event loop after the timer saw it. Node
 * runs due timers before it reads the sockets: after the event loop was held up (a long
 * synchronous task, a starved process), a reply that arrived in time would otherwise lose to its
 * own deadline. `setImmediate` runs after the poll phase, so such a reply settles its call first
 * and the expiry finds it settled; a call still pending is expired at most one turn late.
 */
function expireAll(calls: WatchedCall[]): void {
  for (const call of calls) {
    try {
      call.expire();
    } catch {
      /* one failing expiry must not keep the calls after it from expiring */
    }
  }
}
