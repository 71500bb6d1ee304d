import type { TestingModule } from '@nestjs/testing';
import type { Cache } from 'cache-manager';
import { Redis } from 'ioredis';
import { CACHE_MANAGER, CacheService, LARDER_REDIS, type LarderModuleOptions } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { watchHandles } from '#test/handle-watch';
import { createLarderModule, eventually, uniqueNamespace } from '#test/test-helpers';
import type { RedisCoordinator } from './redis/redis-coordinator';

const COMMAND_TIMEOUT = 200;

/** What the node-redis client behind @keyv/redis offers that these tests watch. */
interface ValueClient {
  readonly isReady: boolean;
  once(event: 'connect', listener: () => void): unknown;
}

/** The three connections a module with L1 opens on a URL: coordination, bus subscriber, values. */
interface Connections {
  coordination: Redis;
  subscriber: Redis;
  values: ValueClient;
}

/**
 * Resolves right after the client sends its ready check (INFO, which ioredis sends once connected
 * and before 'ready'), before any reply can be read: the probe wraps `info` on this one instance
 * and passes the call through unchanged.
 */
function readyCheckSent(client: Redis): Promise<void> {
  return new Promise((resolve) => {
    const info = client.info;
    client.info = function (this: Redis, ...args: unknown[]) {
      client.info = info;
      const sent = (info as (...a: unknown[]) => unknown).apply(this, args);
      resolve();
      return sent;
    } as Redis['info'];
  });
}

describe('closing the module', () => {
  let server: RedisServerHandle;
  let duplicates: jest.SpiedFunction<Redis['duplicate']>;
  /** Everything ioredis or anything else prints through console, and ioredis lines on stderr. */
  const printed: string[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
  });

  beforeEach(() => {
    printed.length = 0;
    const record = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
    jest.spyOn(console, 'error').mockImplementation(record);
    jest.spyOn(console, 'warn').mockImplementation(record);
    const write = process.stderr.write.bind(process.stderr);
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      if (/ioredis|Unhandled/.test(String(chunk))) printed.push(String(chunk));
      return write(chunk);
    });
    // The bus opens its subscriber with `duplicate()`: watching the call is how the test finds it.
    duplicates = jest.spyOn(Redis.prototype, 'duplicate');
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await server.stop().catch(() => undefined);
  });

  async function openModule(extra: Partial<LarderModuleOptions> = {}) {
    const moduleRef = await createLarderModule({
      redis: server.url,
      namespace: uniqueNamespace(),
      commandTimeout: COMMAND_TIMEOUT,
      memory: { maxItems: 100 },
      ...extra,
    });
    return { moduleRef, connections: connectionsOf(moduleRef) };
  }

  function connectionsOf(moduleRef: TestingModule): Connections {
    const store = moduleRef.get<Cache>(CACHE_MANAGER).stores[0].store as { client: ValueClient };
    return {
      coordination: moduleRef.get<RedisCoordinator>(LARDER_REDIS).client as Redis,
      subscriber: duplicates.mock.results.at(-1)?.value as Redis,
      values: store.client,
    };
  }

  it('closes while the bus subscriber re-subscribes after an outage, 20 times, leaving nothing unhandled', async () => {
    for (let round = 0; round < 20; round++) {
      const { moduleRef, connections } = await openModule();
      const subscriber = connections.subscriber;
      await server.stop();
      // Where the close lands in the subscriber's next handshake: when its socket opens, while its
      // ready check is in flight (the reply then arrives after the close began), when it is ready
      // (SUBSCRIBE in flight), or a loop turn after that.
      const moment = [
        new Promise<void>((resolve) => subscriber.once('connect', () => resolve())),
        readyCheckSent(subscriber),
        new Promise<void>((resolve) => subscriber.once('ready', () => resolve())),
        new Promise<void>((resolve) => subscriber.once('ready', () => setImmediate(resolve))),
      ][round % 4];
      await server.restart();
      await moment;
      await moduleRef.close();
    }
    // An unhandled rejection (ioredis' own re-subscribe, rejected by the close) fails the running
    // test by itself, through jest's handler.
    expect(printed).toEqual([]);
  });

  it('closes mid-handshake after an outage, 20 times, printing nothing and leaving nothing running', async () => {
    const leftovers: Array<{ round: number; left: string[] }> = [];
    for (let round = 0; round < 20; round++) {
      const handles = watchHandles();
      try {
        const { moduleRef, connections } = await openModule();
        await moduleRef.get(CacheService).set('k', 'v');
        // Each round closes while a different connection reconnects, at a different point of its
        // handshake: right at its 'connect', then one more event-loop turn into it each time.
        const target = [connections.coordination, connections.subscriber, connections.values][round % 3];
        await server.stop();
        const reconnected = new Promise<void>((resolve) => target.once('connect', () => resolve()));
        await server.restart();
        await reconnected;
        for (let turn = 0; turn < Math.floor(round / 3); turn++) {
          await new Promise((resolve) => setImmediate(resolve));
        }
        await moduleRef.close();
        const left = await handles.left();
        if (left.length > 0) leftovers.push({ round, left });
      } finally {
        handles.stop();
      }
    }
    // An unhandled rejection fails the running test by itself (jest's own handler); what ioredis
    // prints for an error event nobody listens to is only visible here.
    expect({ leftovers, printed }).toEqual({ leftovers: [], printed: [] });
  });

  it('closes at once while Redis is down, cancelling every pending retry', async () => {
    const handles = watchHandles();
    const { moduleRef, connections } = await openModule();
    await server.stop();
    try {
      await eventually(
        () =>
          connections.coordination.status === 'reconnecting' &&
          connections.subscriber.status === 'reconnecting' &&
          !connections.values.isReady,
        5000,
        'every connection to wait for its next attempt',
      );
      await moduleRef.close();
      expect(await handles.left()).toEqual([]);
      expect(printed).toEqual([]);
    } finally {
      handles.stop();
      await server.restart();
    }
  });

  it('closes at once while every connection is stuck mid-handshake with a server that does not answer', async () => {
    const handles = watchHandles();
    server.pause();
    try {
      const { moduleRef, connections } = await openModule();
      await eventually(
        () => connections.coordination.status === 'connect' && connections.subscriber.status === 'connect',
        5000,
        'the ioredis connections to be mid-handshake',
      );
      expect(connections.values.isReady).toBe(false);
      await moduleRef.close();
      expect(await handles.left()).toEqual([]);
      handles.stop();
    } finally {
      server.resume();
    }
    expect(printed).toEqual([]);
  });

  it('never closes a shared instance and leaves none of its listeners on it, up or down', async () => {
    const shared = new Redis(server.url, { maxRetriesPerRequest: 1 });
    shared.on('error', () => undefined); // the test's own listener, as an app would have
    await shared.ping();
    const listeners = () => shared.eventNames().map((name) => [name, shared.listenerCount(name)]);
    const before = listeners();

    const up = await openModule({ redis: shared });
    await up.moduleRef.get(CacheService).set('k', 'v');
    await up.moduleRef.close();
    expect(listeners()).toEqual(before);
    expect(await shared.ping()).toBe('PONG');

    const down = await openModule({ redis: shared });
    await server.stop();
    await eventually(() => shared.status === 'reconnecting', 5000, 'the shared instance to lose Redis');
    await down.moduleRef.close();
    expect(listeners()).toEqual(before);
    await server.restart();
    await eventually(
      async () => (await shared.ping().catch(() => '')) === 'PONG',
      15_000,
      'the shared instance to reconnect',
    );
    shared.disconnect();
  });
});
