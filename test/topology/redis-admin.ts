import { Redis } from 'ioredis';

export const LOOPBACK = '127.0.0.1';

/**
 * Sends one command to one node on a fresh connection, with no retry and a short timeout: the
 * harness talks to nodes that are being killed, paused and restarted, where a long-lived client
 * would queue, reconnect or hang.
 */
export async function adminCall(
  port: number,
  command: string,
  ...args: (string | number)[]
): Promise<unknown> {
  const client = new Redis({
    host: LOOPBACK,
    port,
    lazyConnect: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
    commandTimeout: 2000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    // Not once the connection ended on its own (refused): ioredis would then arm a 2 s timer
    // waiting for a 'close' that already happened, keeping the process alive for nothing.
    if (client.status !== 'end') client.disconnect();
  }
}

/** Like adminCall, resolving with undefined when the node does not answer (down, paused, loading). */
export async function tryAdminCall(
  port: number,
  command: string,
  ...args: (string | number)[]
): Promise<unknown> {
  return adminCall(port, command, ...args).catch(() => undefined);
}

/** `INFO <section>` (or CLUSTER INFO) as a field map. */
export function parseInfo(text: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  if (typeof text !== 'string') return fields;
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}

/**
 * Polls `probe` until it returns something other than undefined, and resolves with that. On
 * timeout the error says what was awaited and what the last probe saw (`describeLast`), which is
 * what one needs to tell a slow machine from a broken topology.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; describeLast?: () => string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() > deadline) {
      const last = options.describeLast?.();
      throw new Error(
        `Timed out after ${options.timeoutMs} ms waiting for ${what}${last ? ` (last seen: ${last})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
