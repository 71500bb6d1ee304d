import { Redis } from 'ioredis';
import { startRedisServer } from './redis-server';
import { isRunning } from './topology/process-registry';

/** The PID of the redis-server answering on `url`, from its own INFO. */
async function serverPid(url: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 0 });
  try {
    return Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
  } finally {
    client.disconnect();
  }
}

/** The single-server harness that the fault tests stop, restart and pause by PID. */
describe('a private redis-server (test harness)', () => {
  it('restarts a server that still runs by replacing it, so stop() leaves nothing running', async () => {
    const server = await startRedisServer();
    const first = await serverPid(server.url);
    try {
      await server.restart();
      const second = await serverPid(server.url);
      expect(second).not.toBe(first);
      expect(isRunning(first)).toBe(false);
      await server.stop();
      expect(isRunning(second)).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it('restarts a stopped server on the same port', async () => {
    const server = await startRedisServer();
    try {
      await server.stop();
      await server.restart();
      expect(await serverPid(server.url)).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });
});
