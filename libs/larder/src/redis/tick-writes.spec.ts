import type { Socket } from 'node:net';
import { Redis } from 'ioredis';
import { testRedisUrl } from '#test/test-helpers';
import { RedisCoordinator } from './redis-coordinator';
import { COMMANDS_PER_WRITE } from './tick-writes';

/** Counts the write system calls a socket is asked for: one per `_write`, one per `_writev` (a batch). */
function countWrites(socket: Socket): { writes: number; chunks: number } {
  const seen = { writes: 0, chunks: 0 };
  const target = socket as unknown as {
    _write: (...args: unknown[]) => void;
    _writev: (chunks: unknown[], ...rest: unknown[]) => void;
  };
  const write = target._write.bind(socket);
  const writev = target._writev.bind(socket);
  target._write = (...args) => {
    seen.writes++;
    seen.chunks++;
    write(...args);
  };
  target._writev = (chunks, ...rest) => {
    seen.writes++;
    seen.chunks += chunks.length;
    writev(chunks, ...rest);
  };
  return seen;
}

describe('RedisCoordinator writes the commands of one tick together', () => {
  let client: Redis;
  let redis: RedisCoordinator;

  beforeEach(async () => {
    client = new Redis(testRedisUrl(), { lazyConnect: true });
    await client.connect();
    // Not owned: close() leaves the client to us, as a shared client would be.
    redis = new RedisCoordinator(client, false, 5000);
  });

  afterEach(async () => {
    await redis.close();
    client.disconnect();
  });

  it('sends 50 calls issued in one tick in chunks of COMMANDS_PER_WRITE (the first alone), each with its own answer', async () => {
    const key = `tick-writes:${process.pid}:${Date.now()}`;
    const seen = countWrites(client.stream as Socket);
    const calls = Array.from({ length: 50 }, (_, n) => redis.call('INCRBY', (c) => c.incrby(key, n + 1)));
    const replies = await Promise.all(calls);
    // INCRBY answers the running total: in order, each reply reflects exactly its own command.
    expect(replies).toEqual(Array.from({ length: 50 }, (_, n) => ((n + 1) * (n + 2)) / 2));
    // The first call found nothing in flight and went out at once; the 49 issued behind it in
    // chunks, so Redis starts on the first chunk while the rest are still being issued.
    expect(seen).toEqual({ writes: 1 + Math.ceil(49 / COMMANDS_PER_WRITE), chunks: 50 });
    await client.del(key);
  });

  it('sends calls of later ticks in writes of their own, and leaves the socket uncorked', async () => {
    const seen = countWrites(client.stream as Socket);
    for (let n = 0; n < 3; n++) expect(await redis.call('PING', (c) => c.ping())).toBe('PONG');
    expect(seen.writes).toBe(3);
    expect((client.stream as Socket).writableCorked).toBe(0);
    // A write of the application's own on the shared client is not held back by Larder.
    expect(await client.ping()).toBe('PONG');
  });
});
