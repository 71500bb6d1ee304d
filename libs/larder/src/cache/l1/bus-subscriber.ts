import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { isCluster } from '../../redis/is-cluster';
import type { RedisClient } from '../../redis/redis-coordinator';
import { reconnectDelay } from '../../redis/redis-connection.factory';
import { makeSentinelClientsCloseAtOnce } from '../../redis/sentinel-clients';
import { withTimeout } from '../../redis/with-timeout';

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

/** How often the subscriber's connection is PINGed: a hung server keeps its socket and says nothing. */
export const SUBSCRIBER_HEARTBEAT_MS = 2000;

/**
 * One subscriber connection at a time for the invalidation bus, replaced whenever it is lost, and
 * every new one reported through `onConnection` (which subscribes on its 'ready'):
 *
 * - single Redis and Sentinel: a duplicate of the coordination client that reconnects by itself;
 *   on Sentinel it follows `+switch-master` (`failoverDetector`), since it is Larder's own;
 * - Cluster: a plain connection to one node (Pub/Sub reaches every node of a cluster), moved to
 *   the next node when it ends. Not the Cluster client's own subscriber: that one re-subscribes
 *   on another node silently, so the L1 copies taken while messages went unheard were kept.
 *
 * A heartbeat PINGs the connection; one that does not answer within `timeoutMs` is dropped and
 * replaced, so a hung server (a subscriber never told anything) does not keep L1 stale.
 */
export class BusSubscriber {
  private current?: Redis;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private node = 0;

  constructor(
    private readonly client: RedisClient,
    private readonly timeoutMs: number,
    private readonly onConnection: (connection: Redis) => void,
  ) {
    this.heartbeat = setInterval(() => this.beat(), SUBSCRIBER_HEARTBEAT_MS);
    this.heartbeat.unref();
    this.open();
  }

  /** The connection now, or undefined between two of them. */
  get connection(): Redis | undefined {
    return this.current;
  }

  private open(): void {
    if (this.stopped) return;
    const connection = isCluster(this.client) ? this.clusterNodeConnection(this.client) : this.duplicate();
    if (!connection) {
      this.scheduleOpen();
      return;
    }
    this.current = connection;
    connection.on('error', () => undefined); // state is logged by the coordination connection
    this.onConnection(connection);
  }

  private duplicate(): Redis {
    const client = this.client as Redis;
    const sentinel = client.options.sentinels ? { failoverDetector: true } : {};
    return makeSentinelClientsCloseAtOnce(client.duplicate({ ...SUBSCRIBER_OPTIONS, ...sentinel }));
  }

  /** A connection to the next node the Cluster knows, that does not reconnect: its end moves it on. */
  private clusterNodeConnection(cluster: Cluster): Redis | undefined {
    const nodes = cluster.nodes('all');
    if (nodes.length === 0) return undefined;
    const { options } = nodes[this.node++ % nodes.length];
    const connection = new Redis({
      ...pick(options),
      ...SUBSCRIBER_OPTIONS,
      retryStrategy: () => null,
    });
    connection.once('end', () => {
      if (this.current !== connection) return;
      this.current = undefined;
      this.scheduleOpen();
    });
    return connection;
  }

  private scheduleOpen(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.open();
    }, reconnectDelay(this.node));
  }

  private beat(): void {
    const connection = this.current;
    if (!connection || connection.status !== 'ready') return;
    void withTimeout(connection.ping(), this.timeoutMs, 'bus subscriber PING').catch(() => {
      if (this.current !== connection) return;
      // Reconnect (or, on a cluster, end and move to the next node): the new connection subscribes again.
      connection.disconnect(!isCluster(this.client));
    });
  }

  /** Stops replacing connections and hands back the current one, for the caller to close. */
  stop(): Redis | undefined {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    const connection = this.current;
    this.current = undefined;
    return connection;
  }
}

/** The connection settings of a cluster node's options (not its role or the client's own flags). */
function pick(options: RedisOptions): RedisOptions {
  const { host, port, username, password, tls, family, connectTimeout, connectionName } = options;
  return { host, port, username, password, tls, family, connectTimeout, connectionName };
}
