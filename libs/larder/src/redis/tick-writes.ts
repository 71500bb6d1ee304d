import type { Writable } from 'node:stream';
import type { RedisClient } from './redis-coordinator';

/**
 * Sends the commands one tick issues on a connection in one socket write. ioredis writes every
 * command to its socket as it is issued, one write system call each; with many concurrent callers
 * (50 locks or session reads resuming in the same tick) those writes were the largest single cost
 * of a call. Corking the socket until the tick's queued callbacks have run (`process.nextTick`)
 * makes Node hand them to the kernel together (one writev). Nothing waits longer: the tick's
 * commands leave before the event loop goes back to the network, as each of them would have.
 * No client setting changes, so a shared client is left as the application configured it.
 * A Cluster spreads commands over one socket per master; it is left as it is.
 */
export class TickWrites {
  private corked?: Writable;

  constructor(private readonly client: RedisClient) {}

  /** Call just before issuing a command on the client (the coordinator does while other calls are in flight). */
  batch(): void {
    if (this.corked) return;
    const stream = (this.client as { stream?: Writable }).stream;
    // A Cluster has no stream of its own; a socket that cannot take writes gets none from us either.
    if (!stream?.writable || typeof stream.cork !== 'function') return;
    stream.cork();
    this.corked = stream;
    process.nextTick(this.flush);
  }

  private readonly flush = (): void => {
    const stream = this.corked;
    this.corked = undefined;
    stream?.uncork();
  };
}
