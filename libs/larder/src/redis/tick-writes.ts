import type { Writable } from 'node:stream';
import type { RedisClient } from './redis-coordinator';

/**
 * Sends the commands one tick issues on a connection in a few socket writes, not one each.
 * ioredis writes every command to its socket as it is issued, one write system call each; with
 * many concurrent callers (50 locks or session reads resuming in the same tick) those writes were
 * the largest single cost of a call. Corking the socket until the tick's queued callbacks have run
 * (`process.nextTick`) makes Node hand them to the kernel together (a writev per chunk, below).
 * Nothing waits longer: the tick's commands leave before the event loop goes back to the network,
 * as each of them would have.
 * No client setting changes, so a shared client is left as the application configured it.
 * A Cluster spreads commands over one socket per master; it is left as it is.
 *
 * A tick's commands leave in writes of at most COMMANDS_PER_WRITE, not all at its end: Redis then
 * starts on the first ones while this process is still running the callers that issue the rest.
 * Holding all 50 of a busy tick back left Redis idle for that whole stretch, which on a machine
 * with a spare core cost a third of the throughput (locks 0.70x raw ioredis with 50 callers,
 * rate-limit checks 0.60x); eight per write took them to 1.20x, and did no worse where the CPU,
 * not the round trip, was the limit (docs/architecture.md, "A few socket writes per tick";
 * the runs in bench/README.md, Locks).
 */
export const COMMANDS_PER_WRITE = 8;

export class TickWrites {
  private corked?: Writable;
  /** Commands issued since the current chunk began, less the first. */
  private queued = 0;

  constructor(private readonly client: RedisClient) {}

  /** Call just before issuing a command on the client (the coordinator does while other calls are in flight). */
  batch(): void {
    if (this.corked) {
      if (++this.queued < COMMANDS_PER_WRITE) return;
      // Hand the full chunk to the kernel and keep holding the rest of the tick's commands.
      this.queued = 0;
      this.corked.uncork();
      this.corked.cork();
      return;
    }
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
    this.queued = 0;
    stream?.uncork();
  };
}
