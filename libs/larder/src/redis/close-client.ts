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
  closeSentinelSubscribersAtOnce(client);
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

/** The part of ioredis' Sentinel internals that closeSentinelSubscribersAtOnce touches. */
interface SentinelSubscribers {
  connector?: {
    failoverDetector?: { sentinels?: Array<{ client?: { connector?: { disconnectTimeout?: unknown } } }> };
  };
}

/**
 * On Sentinel with `failoverDetector` (Larder's default there), ioredis keeps one subscriber per
 * sentinel, created without the connection's options: closing the connection closes them with
 * ioredis' default 2 s `disconnectTimeout`, and one whose socket did not close at once (its
 * sentinel hung, or the socket was still opening) kept a closed app's process alive (and a jest
 * worker from exiting) for those 2 s. No public option reaches
 * them, so their timeout is set to 0 before the close; an ioredis that names them otherwise is
 * left alone (test/topology/sentinel-close.spec.ts then fails).
 */
function closeSentinelSubscribersAtOnce(client: Redis | Cluster): void {
  const detector = (client as unknown as SentinelSubscribers).connector?.failoverDetector;
  for (const sentinel of detector?.sentinels ?? []) {
    const connector = sentinel.client?.connector;
    if (connector && typeof connector.disconnectTimeout === 'number') connector.disconnectTimeout = 0;
  }
}
