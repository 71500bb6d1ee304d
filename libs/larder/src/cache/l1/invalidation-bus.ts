import { randomUUID } from 'node:crypto';
import { closeClient } from '../../redis/close-client';
import type { Redis } from 'ioredis';
import type { RedisCoordinator } from '../../redis/redis-coordinator';
import { BusSubscriber } from './bus-subscriber';

/** What another instance changed: exact keys, or every key under a prefix. */
export interface Invalidation {
  keys?: string[];
  prefix?: string;
}

/**
 * Keeps the L1 tiers of several instances coherent: every write, delete or clear is published on
 * a Redis channel and the other instances drop their L1 copies. The same messages wake the loads
 * waiting on another instance's load lock (see load-locks.ts), and a released load lock publishes
 * one. There whenever Redis is configured; listening from boot with L1, else from the first load
 * that waits. Delivery is best effort (pub/sub); the L1 TTL bounds staleness when a message is
 * lost, as a waiter's periodic re-check bounds its wait.
 */
export class InvalidationBus {
  private readonly origin = randomUUID();
  private subscriber?: BusSubscriber;
  private firstConfirmation?: () => void;
  private started?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly redis: RedisCoordinator,
    private readonly channel: string,
    private readonly onRemote: (change: Invalidation) => void,
  ) {}

  /**
   * Starts listening and resolves once the first SUBSCRIBE is confirmed or `waitMs` has passed,
   * never rejecting: the app must boot while Redis is down. Later calls share the first one's outcome.
   */
  start(waitMs: number): Promise<void> {
    // Started once, at boot or by the first load that waits on another instance; never after stop().
    if (this.stopped) return Promise.resolve();
    return (this.started ??= this.open(waitMs));
  }

  private open(waitMs: number): Promise<void> {
    const firstConfirmation = new Promise<void>((resolve) => (this.firstConfirmation = resolve));
    this.subscriber = new BusSubscriber(this.redis.client, this.redis.commandTimeout, (connection) => {
      connection.on('message', (_channel: string, message: string) => this.receive(message));
      connection.on('ready', () => this.subscribe(connection));
    });
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    return Promise.race([firstConfirmation, gaveUp]).finally(() => clearTimeout(timer));
  }

  /**
   * The one place the subscription is (re)established: on each 'ready' of each subscriber
   * connection (BusSubscriber replaces a lost or silent one, on every topology). What counts is
   * its confirmation: every L1 copy is dropped, since what was published before it went unheard
   * and a copy taken meanwhile may be stale. A failure needs nothing: the connection is gone, and
   * the next one subscribes again.
   */
  private subscribe(connection: Redis): void {
    void connection.subscribe(this.channel).then(
      () => this.confirmed(connection),
      () => undefined,
    );
  }

  private confirmed(connection: Redis): void {
    if (connection !== this.subscriber?.connection) return; // replaced or stopped meanwhile
    this.onRemote({ prefix: '' });
    this.firstConfirmation?.();
  }

  publish(change: Invalidation): void {
    const message = JSON.stringify({ origin: this.origin, ...change });
    // Fire and forget: a lost message is bounded by the L1 TTL, and a write must not wait for it.
    void this.redis.call('PUBLISH', (client) => client.publish(this.channel, message)).catch(() => undefined);
  }

  private receive(message: string): void {
    try {
      const change = JSON.parse(message) as Invalidation & { origin?: string };
      if (change.origin !== this.origin) this.onRemote(change);
    } catch {
      /* a foreign or malformed message on our channel is ignored */
    }
  }

  /** Closes the subscriber at once, in whatever state it is: there is nothing in flight worth waiting for. */
  async stop(): Promise<void> {
    this.stopped = true;
    const connection = this.subscriber?.stop();
    this.subscriber = undefined;
    if (connection) await closeClient(connection, this.redis.commandTimeout, { quit: false });
  }
}
