import { randomUUID } from 'node:crypto';
import { isCluster } from '../redis/is-cluster';
import type { RedisClient, RedisCoordinator } from '../redis/redis-coordinator';

/** What another instance changed: exact keys, or every key under a prefix. */
export interface Invalidation {
  keys?: string[];
  prefix?: string;
}

/**
 * Keeps the L1 tiers of several instances coherent: every write, delete or clear is published on
 * a Redis channel and the other instances drop their L1 copies. Only used when L1 is on and Redis
 * is configured. Delivery is best effort (pub/sub); the L1 TTL bounds staleness when a message is lost.
 */
export class InvalidationBus {
  private readonly origin = randomUUID();
  private subscriber?: RedisClient;

  constructor(
    private readonly redis: RedisCoordinator,
    private readonly channel: string,
    private readonly onRemote: (change: Invalidation) => void,
  ) {}

  /**
   * Starts listening and resolves once the first SUBSCRIBE is confirmed or `waitMs` has passed,
   * never rejecting: the app must boot while Redis is down. SUBSCRIBE is sent on every
   * (re)connection, because ioredis only restores subscriptions it saw confirmed. Each confirmation
   * drops all L1 copies: whatever was published before it was not heard, so a copy taken meanwhile
   * may be stale.
   */
  start(waitMs: number): Promise<void> {
    const client = this.redis.client;
    const options = { enableOfflineQueue: true, maxRetriesPerRequest: null };
    const subscriber = isCluster(client) ? client.duplicate(undefined, options) : client.duplicate(options);
    this.subscriber = subscriber;
    let confirmed!: () => void;
    const firstConfirmation = new Promise<void>((resolve) => (confirmed = resolve));
    subscriber.on('error', () => undefined); // state is logged by the coordination connection
    subscriber.on('message', (_channel: string, message: string) => this.receive(message));
    subscriber.on('ready', () => {
      void subscriber.subscribe(this.channel).then(
        () => {
          this.onRemote({ prefix: '' });
          confirmed();
        },
        () => undefined, // the next 'ready' tries again
      );
    });
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    return Promise.race([firstConfirmation, gaveUp]).finally(() => clearTimeout(timer));
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

  async stop(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (!subscriber) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      if (subscriber.status === 'ready') {
        const grace = new Promise((resolve) => (timer = setTimeout(resolve, this.redis.commandTimeout)));
        await Promise.race([subscriber.quit(), grace]);
      }
    } finally {
      clearTimeout(timer);
      subscriber.disconnect();
    }
  }
}
