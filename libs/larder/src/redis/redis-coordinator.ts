import type { LoggerService } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { CommandTimeoutError, StoreUnavailableError } from '../errors';
import type { CircuitBreakerOptions } from './breaker-options';
import { CallDeadlines } from './call-deadlines';
import { CircuitBreaker } from './circuit-breaker';
import { closeClient } from './close-client';
import { ConnectionStateLogger } from './connection-state-logger';
import { isCluster } from './is-cluster';
import type { LuaScript } from './lua-script';
import { TickWrites } from './tick-writes';

export type RedisClient = Redis | Cluster;

/**
 * The coordination connection: one ioredis client shared by tags, counters, locks, rate limits,
 * sessions, the invalidation bus and health. Every call through `call` or `eval` is bounded by
 * `commandTimeout` and fails with a typed error (`E_COMMAND_TIMEOUT`, `E_STORE_UNAVAILABLE`);
 * each feature then applies its own failure policy (fail open for the cache, closed for locks).
 * Its circuit breaker (unless `circuitBreaker: false`) fails calls at once while Redis is out.
 */
export class RedisCoordinator {
  readonly state: ConnectionStateLogger;
  /** Larder's view of this connection's health; the cache's Redis value store obeys it too. Null when off. */
  readonly breaker: CircuitBreaker | null;
  private readonly deadlines: CallDeadlines;
  private readonly writes: TickWrites;
  private readonly onReady = () => this.state.ready();
  private readonly onError = (error: unknown) => this.state.down(error);
  private readonly onClose = () => this.state.down();
  private lastSlotsRefresh = -Infinity;

  constructor(
    readonly client: RedisClient,
    private readonly owned: boolean,
    readonly commandTimeout: number,
    logger?: LoggerService,
    breaker: CircuitBreakerOptions | false = false,
  ) {
    this.state = new ConnectionStateLogger('Redis', logger);
    this.deadlines = new CallDeadlines(commandTimeout);
    this.writes = new TickWrites(client);
    this.breaker = breaker ? new CircuitBreaker(breaker, () => this.ping()) : null;
    if (client.status === 'ready') this.state.ready();
    client.on('ready', this.onReady);
    client.on('error', this.onError);
    client.on('close', this.onClose);
  }

  get isCluster(): boolean {
    return isCluster(this.client);
  }

  /** True when the client can send commands now. */
  get isReady(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * Runs one client call under the command timeout, mapping failures to typed errors. Every lock,
   * rate-limit and session call passes here, so the bound is one shared timer (CallDeadlines)
   * rather than a timer per command, which cost several µs per call; a late reply is ignored.
   */
  call<T>(what: string, run: (client: RedisClient) => Promise<T>): Promise<T> {
    const breaker = this.breaker;
    if (breaker === null) return this.bounded(what, run);
    if (!breaker.allows) return Promise.reject(breaker.rejection(`Redis ${what}`));
    return breaker.counting(this.bounded(what, run));
  }

  private bounded<T>(what: string, run: (client: RedisClient) => Promise<T>): Promise<T> {
    const deadlines = this.deadlines;
    // A call issued while none is in flight goes out at once: a lone caller has nothing to share a write with.
    if (deadlines.busy) this.writes.batch();
    return deadlines.bound(
      () => run(this.client),
      () => {
        this.noteTimeout();
        return new CommandTimeoutError(`Redis ${what} timed out after ${deadlines.ms}ms`);
      },
      (error) => {
        throw toTypedError(what, error);
      },
    );
  }

  /**
   * A call went unanswered past its deadline. On a cluster its master may hang while a replica
   * takes over: ask for the slot map again (at most once per `commandTimeout`), so the next calls
   * go to the new master. This is what routes around a hung master on a user's own Cluster, whose
   * options (no `slotsRefreshInterval`) Larder does not change; an owned one also refreshes on a timer.
   */
  noteTimeout(): void {
    if (!isCluster(this.client)) return;
    const now = performance.now();
    if (now - this.lastSlotsRefresh < this.commandTimeout) return;
    this.lastSlotsRefresh = now;
    // The refresh reports its failure to the callback only; the next timeout tries again.
    this.client.refreshSlotsCache(() => undefined);
  }

  /** Runs a Lua script by EVALSHA, loading it with EVAL the first time a server has not seen it. */
  eval(script: LuaScript, keys: string[], args: Array<string | number>): Promise<unknown> {
    // A promise chain, not an async closure: every lock, session and rate-limit script call passes here.
    return this.call(script.label, (client) =>
      client.evalsha(script.sha, keys.length, ...keys, ...args).catch((error: unknown) => {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return client.eval(script.lua, keys.length, ...keys, ...args);
      }),
    );
  }

  /**
   * Round-trip time of a PING in milliseconds. Sent whatever the breaker's state: it is how the
   * breaker probes Redis, and a health check must report what Redis says, not what the breaker thinks.
   */
  async ping(): Promise<number> {
    const started = performance.now();
    await this.bounded('PING', (client) => client.ping());
    return performance.now() - started;
  }

  /** Waits until the connection is ready or `ms` passes; never throws (the app may start while Redis is down). */
  async waitUntilReady(ms: number): Promise<boolean> {
    if (this.isReady) return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.client.on('ready', onReady);
    });
  }

  /**
   * Stops listening and closes the client if Larder created it, promptly in every state (see
   * `closeClient`); a shared client is left open, with none of Larder's listeners on it.
   */
  async close(): Promise<void> {
    this.state.closed();
    this.breaker?.stop();
    this.client.off('ready', this.onReady);
    this.client.off('close', this.onClose);
    this.client.off('error', this.onError);
    this.deadlines.release();
    if (!this.owned) return;
    // Until the client has ended it may still emit an error (a handshake cut short), and ioredis
    // prints an error nobody listens to as "[ioredis] Unhandled error event".
    this.client.on('error', ignoreError);
    await closeClient(this.client, this.commandTimeout, { quit: true });
  }
}

function ignoreError(): void {
  /* the connection is closing: its errors are expected and already accounted for */
}

/**
 * What a client's "not connected" messages mean, in the words of Redis rather than of the client's
 * internals (ioredis' offline queue, node-redis' client state); `cause` keeps the original.
 */
const NOT_CONNECTED: Array<[RegExp, string]> = [
  [/enableOfflineQueue|Stream isn't writeable/i, 'not connected to Redis (reconnecting)'],
  [/^Connection is closed\.?$/i, 'the connection to Redis is closed'],
  [/^The client is closed$/i, 'the connection to Redis is closed'],
  [/^The client is offline$|ClientOfflineError/i, 'not connected to Redis (reconnecting)'],
];

/** A client's error message as a reader of Larder's errors and health checks should see it. */
export function describeRedisFailure(message: string): string {
  return NOT_CONNECTED.find(([pattern]) => pattern.test(message))?.[1] ?? message;
}

export function toTypedError(what: string, error: unknown): Error {
  if (error instanceof CommandTimeoutError || error instanceof StoreUnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (message === 'Command timed out') {
    return new CommandTimeoutError(`Redis ${what} timed out`, { cause: error });
  }
  return new StoreUnavailableError(`Redis ${what} failed: ${describeRedisFailure(message)}`, {
    cause: error,
  });
}
