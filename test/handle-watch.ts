import { createHook } from 'node:async_hooks';

/** Where a handle created by Larder or by one of its Redis clients comes from, in a stack trace. */
const LARDER_CODE = /libs[\\/]larder[\\/]src|node_modules[\\/](?:ioredis|@redis|@keyv)[\\/]/;

/** The resource types that keep a process alive after a close: timers and sockets. */
const WATCHED = new Set(['Timeout', 'TCPWRAP']);

export interface HandleWatch {
  /**
   * The timers and sockets created by Larder or its Redis clients since the watch began that
   * still keep the process alive, once the work already due has run (zero-delay timers, close
   * callbacks of sockets destroyed just before). Each reads `<type> <first frame in that code>`.
   */
  left(): Promise<string[]>;
  stop(): void;
}

/**
 * Starts recording the timers and sockets that Larder and its Redis clients create. After a module
 * is closed, `left()` is empty when the close left nothing running: no retry timer, no socket,
 * nothing that would keep a shut-down app from exiting. Handles of the test itself, of the test
 * harness and of jest are told apart by their creation stack and ignored.
 */
export function watchHandles(): HandleWatch {
  const alive = new Map<number, { type: string; origin: string; resource: unknown }>();
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (!WATCHED.has(type)) return;
      const frame = new Error().stack?.split('\n').find((line) => LARDER_CODE.test(line));
      if (frame) alive.set(id, { type, origin: frame.trim(), resource });
    },
    destroy(id) {
      alive.delete(id);
    },
  });
  hook.enable();
  return {
    async left() {
      await new Promise((resolve) => setTimeout(resolve, 0));
      await new Promise((resolve) => setImmediate(resolve));
      return [...alive.values()]
        .filter(({ resource }) => (resource as { hasRef?: () => boolean }).hasRef?.() !== false)
        .map(({ type, origin }) => `${type} ${origin}`);
    },
    stop() {
      hook.disable();
    },
  };
}
