import KeyvRedis, { createClient, type RedisClientOptions } from '@keyv/redis';
import { StoreUnavailableError } from '../../errors';
import type { ConnectionStateLogger } from '../../redis/connection-state-logger';
import { reconnectDelay } from '../../redis/redis-connection.factory';

type ValueClient = ReturnType<typeof createClient>;

/**
 * The node-redis connection behind @keyv/redis, which Larder opens, reconnects and closes.
 * node-redis waits between its own reconnection attempts on a timer that nothing cancels, so a
 * module closed during an outage kept the process alive for up to the backoff cap. Here the client
 * makes a single attempt per `connect()` (`reconnectStrategy: false`) and the wait between
 * attempts is this class's timer (the same jittered backoff as ioredis), which `close()` clears.
 */
export class ValueStoreConnection {
  readonly client: ValueClient;
  private attempts = 0;
  private retry?: NodeJS.Timeout;
  private closed = false;
  /** Pending while an attempt is opening its socket, which `destroy()` cannot reach yet. */
  private opening?: Promise<void>;
  private readonly firstReady: Promise<void>;

  constructor(
    options: RedisClientOptions,
    private readonly state: ConnectionStateLogger,
  ) {
    this.client = createClient({ ...options, socket: { ...options.socket, reconnectStrategy: false } });
    let firstReady!: () => void;
    this.firstReady = new Promise((resolve) => (firstReady = resolve));
    this.client.on('ready', () => {
      this.attempts = 0;
      state.ready();
      firstReady();
    });
    // A failed attempt or a lost connection ends with the client closed: try again after a while.
    this.client.on('error', (error: unknown) => {
      state.down(error);
      this.scheduleAttempt();
    });
    this.connect();
  }

  /** Resolves once the client is first ready (never rejects; the app starts while Redis is down). */
  ready(): Promise<void> {
    return this.firstReady;
  }

  private connect(): void {
    let socketReachable!: () => void;
    this.opening = new Promise((resolve) => (socketReachable = resolve));
    const settled = () => {
      this.client.off('connect', socketReachable);
      socketReachable();
      this.opening = undefined;
    };
    this.client.once('connect', socketReachable);
    void this.client.connect().then(settled, () => {
      settled();
      this.scheduleAttempt();
    });
  }

  private scheduleAttempt(): void {
    if (this.closed || this.retry || this.client.isOpen) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect();
    }, reconnectDelay(++this.attempts));
  }

  /** Closes the client promptly in every state: waiting to retry, opening a socket, mid-handshake or ready. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.state.closed();
    // A socket still being opened would open after destroy() and stay open: let it get that far
    // (at most connectTimeout; on a refused or local connection, a moment).
    await this.opening;
    if (this.client.isOpen) this.client.destroy();
  }
}

/**
 * @keyv/redis without its lazy connect: it calls `connect()` on each call made while the client is
 * closed, which here would race ValueStoreConnection and reopen a client closed at shutdown. A call
 * while the client is closed fails at once, like any call while Redis is away.
 */
export class ConnectedKeyvRedis extends KeyvRedis<unknown> {
  override getClient(): ReturnType<KeyvRedis<unknown>['getClient']> {
    if (this.client.isOpen) return Promise.resolve(this.client);
    return Promise.reject(new StoreUnavailableError('Redis value store is not connected'));
  }
}
