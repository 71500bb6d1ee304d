import { randomUUID } from 'node:crypto';
import { closeClient } from '../../redis/close-client';
import { isCluster } from '../../redis/is-cluster';
import type { RedisClient, RedisCoordinator } from '../../redis/redis-coordinator';

/** What another instance changed: exact keys, or every key under a prefix. */
export interface Invalidation {
  keys?: string[];
  prefix?: string;
}

/**
 * The subscriber is Larder's own connection, even when the coordination one is shared. Larder
 * alone (re)subscribes, once per connection: ioredis' `autoResubscribe` would send a second
 * SUBSCRIBE on every reconnection, whose promise nobody can handle, left rejected when the module
 * closed mid-handshake. A SUBSCRIBE in flight when the connection drops fails (and is handled)
 * instead of being queued or resent beside the next connection's own.
 */
const SUBSCRIBER_OPTIONS = {
  autoResubscribe: false,
  autoResendUnfulfilledCommands: false,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  lazyConnect: false,
  disconnectTimeout: 0,
};

/**
 * Keeps the L1 tiers of several instances coherent: every write, delete or clear is published on
 * a Redis channel and the other instances drop their L1 copies. Only used when L1 is on and Redis
 * is configured. Delivery is best effort (pub/sub); the L1 TTL bounds staleness when a message is lost.
 */
export class InvalidationBus {
  private readonly origin = randomUUID();
  private subscriber?: RedisClient;
  private firstConfirmation?: () => void;

  constructor(
    private readonly redis: RedisCoordinator,
    private readonly channel: string,
    private readonly onRemote: (change: Invalidation) => void,
  ) {}

  /**
   * Starts listening and resolves once the first SUBSCRIBE is confirmed or `waitMs` has passed,
   * never rejecting: the app must boot while Redis is down.
   */
  start(waitMs: number): Promise<void> {
    const client = this.redis.client;
    const subscriber = isCluster(client)
      ? client.duplicate(undefined, { enableOfflineQueue: false, lazyConnect: false })
      : client.duplicate(SUBSCRIBER_OPTIONS);
    this.subscriber = subscriber;
    const firstConfirmation = new Promise<void>((resolve) => (this.firstConfirmation = resolve));
    subscriber.on('error', () => undefined); // state is logged by the coordination connection
    subscriber.on('message', (_channel: string, message: string) => this.receive(message));
    subscriber.on('ready', () => this.subscribe(subscriber));
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    return Promise.race([firstConfirmation, gaveUp]).finally(() => clearTimeout(timer));
  }

  /**
   * The one place the subscription is (re)established. What counts is its confirmation, whatever
   * asked for it (here each 'ready' of the subscriber; a Cluster moving its subscriber to another
   * node emits none, so a trigger for that calls this too): every L1 copy is dropped, since what
   * was published before it went unheard and a copy taken meanwhile may be stale. A failure needs
   * nothing: the connection is gone, and the next one subscribes again.
   */
  private subscribe(subscriber: RedisClient): void {
    void subscriber.subscribe(this.channel).then(
      () => this.confirmed(subscriber),
      () => undefined,
    );
  }

  private confirmed(subscriber: RedisClient): void {
    if (subscriber !== this.subscriber) return; // stopped meanwhile
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
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await closeClient(subscriber, this.redis.commandTimeout, { quit: false });
  }
}
