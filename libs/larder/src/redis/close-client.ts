import type { Cluster, Redis } from 'ioredis';
import { withTimeout } from './with-timeout';

/** Statuses in which the client holds (or is opening) a socket, so an 'end' event will follow a close. */
const HOLDS_A_SOCKET = new Set(['connecting', 'connect', 'ready']);

/**
 * Closes an ioredis connection Larder created, promptly whatever its state, and resolves once it
 * is closed:
 * - ready: QUIT (unless `quit` is false), so replies still in flight arrive, for at most `ms`;
 * - connecting or mid-handshake: the socket is dropped at once;
 * - reconnecting after an outage: the pending retry timer is cancelled (there is no socket).
 *
 * Larder's connections are created with `disconnectTimeout: 0` (see `connectionDefaults`): ioredis
 * arms that timer on every disconnect, even when the socket is already gone (while reconnecting),
 * and at its 2 s default it kept a closed app's process alive after an outage.
 */
export async function closeClient(
  client: Redis | Cluster,
  ms: number,
  options: { quit: boolean },
): Promise<void> {
  const holdsSocket = HOLDS_A_SOCKET.has(client.status);
  let onEnd: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (onEnd = resolve));
  if (holdsSocket) client.once('end', onEnd);
  if (options.quit && client.status === 'ready') {
    try {
      await withTimeout(client.quit(), ms, 'Redis QUIT');
    } catch {
      /* dropped just below */
    }
    // After QUIT too: QUIT let the replies in flight arrive; whatever is still open after it (a
    // cluster node that never answered, a connection a Cluster opened to ask for the slot map) is
    // dropped now rather than left to keep the process alive.
    client.disconnect();
  } else {
    client.disconnect();
  }
  if (!holdsSocket) return;
  try {
    // Bounded: a user's own `disconnectTimeout` may keep a socket to an unresponsive server open longer.
    await withTimeout(ended, ms, 'Redis close');
  } catch {
    /* the socket is dropped; what is left of it is ioredis' to finish */
  } finally {
    client.off('end', onEnd);
  }
}
