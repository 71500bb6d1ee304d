import type { Redis } from 'ioredis';

/** The part of ioredis' Sentinel internals that makeSentinelClientsCloseAtOnce touches. */
interface SentinelConnectorInternals {
  connector?: { connectToSentinel?: (...args: unknown[]) => { connector?: { disconnectTimeout?: unknown } } };
}

/**
 * For a Sentinel connection Larder owns: the connections its connector opens to the sentinels
 * (one per sentinel for the failover detector, Larder's default on Sentinel, and a short-lived one
 * per master lookup) close at once instead of after ioredis' default 2 s `disconnectTimeout`.
 *
 * ioredis creates them without the connection's options, and arms that timer on every close,
 * cleared only when the socket closes. So closing an app while a sentinel hung (or a subscriber's
 * socket was still opening) kept the process alive, and a jest worker from exiting, for 2 s; and
 * after a failover, or a reconnect whose ready check failed, ioredis closes the previous
 * subscribers a second time, on sockets already gone, which always waited the full 2 s.
 *
 * No public option reaches them, so this wraps this one connection's `connectToSentinel` (ioredis
 * itself, and every other client in the process, are untouched). The lookup started by the
 * constructor comes before the wrap and keeps the default. An ioredis that names these
 * internals otherwise is left alone (test/topology/sentinel-close.spec.ts then fails).
 */
export function makeSentinelClientsCloseAtOnce(client: Redis): Redis {
  const connector = client.options.sentinels
    ? (client as unknown as SentinelConnectorInternals).connector
    : undefined;
  const open = connector?.connectToSentinel;
  if (!connector || typeof open !== 'function') return client;
  connector.connectToSentinel = (...args: unknown[]) => {
    const sentinel = open.apply(connector, args);
    if (sentinel?.connector && typeof sentinel.connector.disconnectTimeout === 'number') {
      sentinel.connector.disconnectTimeout = 0;
    }
    return sentinel;
  };
  return client;
}
