import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { CommandTimeoutError, SessionService, StoreUnavailableError } from '@larder/nestjs';
import { LARDER_REDIS } from '../larder.constants';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, testRedisUrl, uniqueNamespace } from '#test/test-helpers';
import { sessionHandle, userHandle } from './session-id';
import { sessionKeys } from './session-keys';

/** Every key under `prefix`, by SCAN (never KEYS). */
async function scanKeys(client: RedisCoordinator['client'], prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await (client as Redis).scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

describe('SessionService on Redis: layout', () => {
  let moduleRef: TestingModule;
  let namespace: string;
  let sessions: SessionService;
  let redis: RedisCoordinator;

  beforeEach(async () => {
    namespace = uniqueNamespace('sess');
    moduleRef = await createLarderModule({
      redis: testRedisUrl(),
      namespace,
      session: { maxLifetime: '1h' },
    });
    sessions = moduleRef.get(SessionService);
    redis = moduleRef.get(LARDER_REDIS);
  });

  afterEach(() => moduleRef.close());

  it('stores a session under the SHA-256 of its id: no key or value reveals the id or the user id', async () => {
    const userId = 'alice@example.com';
    const { id, handle } = await sessions.create({ note: 'hello' }, { userId });
    expect(handle).toBe(sessionHandle(id));
    const keys = await scanKeys(redis.client, `${namespace}:`);
    expect(keys.sort()).toEqual(
      [sessionKeys(namespace).session(handle), sessionKeys(namespace).userIndex(userHandle(userId))].sort(),
    );
    for (const key of keys) {
      expect(key).not.toContain(id);
      expect(key).not.toContain(userId);
    }
    const value = await redis.client.get(sessionKeys(namespace).session(handle));
    expect(value).toMatch(
      /^s1\|\d{13}\|\d{13}\|\d{13}\|3600000\|1\|alice%40example\.com\|\{"note":"hello"\}$/,
    );
    expect(value).not.toContain(id);
  });

  it('puts every session key of a namespace behind one hash tag, so multi-key scripts work on a Cluster', async () => {
    const created = await Promise.all([
      sessions.create({}, { userId: 'a' }),
      sessions.create({}, { userId: 'b' }),
      sessions.create({}),
    ]);
    const keys = await scanKeys(redis.client, `${namespace}:`);
    expect(keys).toHaveLength(5);
    const tags = new Set(keys.map((key) => /\{([^}]*)\}/.exec(key)?.[1]));
    expect([...tags]).toEqual([`s:${namespace}`]);
    expect(created).toHaveLength(3);
  });

  it('the user index expires with the last deadline of its sessions', async () => {
    await sessions.create({}, { userId: 'bob' });
    const pttl = await redis.client.pttl(sessionKeys(namespace).userIndex(userHandle('bob')));
    expect(pttl).toBeGreaterThan(3_500_000);
    expect(pttl).toBeLessThanOrEqual(3_600_001); // the µs deadline, rounded up to the next ms
    await sessions.destroyAllForUser('bob');
    expect(await redis.client.exists(sessionKeys(namespace).userIndex(userHandle('bob')))).toBe(0);
  });

  it('destroy removes the index entry at once, not only at the next prune', async () => {
    const { id } = await sessions.create({}, { userId: 'carol' });
    const index = sessionKeys(namespace).userIndex(userHandle('carol'));
    expect(await redis.client.zcard(index)).toBe(1);
    await sessions.destroy(id);
    expect(await redis.client.zcard(index)).toBe(0);
  });
});

describe('SessionService on Redis: rotation to another user is one step', () => {
  it("leaves the previous user's index inside the rotation script, not in a command after it", async () => {
    const namespace = uniqueNamespace('sess');
    const moduleRef = await createLarderModule({ redis: testRedisUrl(), namespace });
    const admin = new Redis(testRedisUrl());
    const monitor = await admin.monitor(); // a connection of its own, in monitor mode
    try {
      const sessions = moduleRef.get(SessionService);
      const redis = moduleRef.get<RedisCoordinator>(LARDER_REDIS);
      const alice = await sessions.create({ roles: ['admin'] }, { userId: 'alice' });
      const aliceIndex = sessionKeys(namespace).userIndex(userHandle('alice'));
      // Other test files share this Redis: keep only the commands that name this test's keys.
      const seen: Array<{ command: string; source: string }> = [];
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (args.some((a) => a.startsWith(`${namespace}:`)))
          seen.push({ command: `${args[0].toLowerCase()} ${args.slice(1).join(' ')}`, source });
      });
      const marker = `${namespace}:marker`;
      await redis.client.get(marker); // the monitor is live once it reports this
      await eventually(() => seen.some((c) => c.command === `get ${marker}`), 5000, 'the monitor');
      seen.length = 0;
      await sessions.rotate(alice.id, { userId: 'bob' });
      await redis.client.get(marker); // Redis feeds monitors in order: once this shows, all before it has
      await eventually(() => seen.some((c) => c.command === `get ${marker}`), 5000, 'the marker');
      const fromScript = seen.filter((c) => c.source === 'lua').map((c) => c.command);
      const fromClient = seen.filter((c) => c.source !== 'lua').map((c) => c.command.split(' ')[0]);
      expect(fromScript).toContain(`zrem ${aliceIndex} ${alice.handle}`);
      expect(fromClient).not.toContain('zrem');
      expect(await redis.client.exists(aliceIndex)).toBe(0);
    } finally {
      monitor.disconnect();
      admin.disconnect();
      await moduleRef.close();
    }
  });
});

describe('SessionService on Redis: fails closed', () => {
  let server: RedisServerHandle;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  afterAll(() => server.stop());

  it('rejects with StoreUnavailableError while Redis is down, never answering "no session"', async () => {
    moduleRef = await createLarderModule({
      redis: server.url,
      namespace: uniqueNamespace('sess'),
      commandTimeout: '500ms',
    });
    const sessions = moduleRef.get(SessionService);
    const { id } = await sessions.create({ a: 1 }, { userId: 'dave' });
    await server.stop();
    try {
      const started = Date.now();
      await expect(sessions.get(id)).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(5000);
      await expect(sessions.create({})).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(sessions.update(id, { a: 2 })).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(sessions.touch(id)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(sessions.destroy(id)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(sessions.rotate(id)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(sessions.listForUser('dave')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(sessions.destroyAllForUser('dave')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await server.restart();
    }
    // Back again (empty: the private server keeps nothing), sessions work without a restart.
    const redis = moduleRef.get<RedisCoordinator>(LARDER_REDIS);
    // The breaker opened on the outage: calls flow again once its probe has found Redis answering.
    await eventually(() => redis.isReady && redis.breaker?.state === 'closed', 10_000, 'the reconnect');
    expect(await sessions.get(id)).toBeUndefined();
    const again = await sessions.create({ b: 1 });
    expect((await sessions.get(again.id))?.data).toEqual({ b: 1 });
  });

  it('a Redis that stops answering turns into StoreUnavailableError after commandTimeout', async () => {
    moduleRef = await createLarderModule({
      redis: server.url,
      namespace: uniqueNamespace('sess'),
      commandTimeout: '300ms',
    });
    const sessions = moduleRef.get(SessionService);
    const { id } = await sessions.create({});
    const admin = new Redis(server.url);
    try {
      await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
      const started = Date.now();
      const error = await sessions.get(id).then(
        () => undefined,
        (e: unknown) => e,
      );
      // Whichever timer fires first (ioredis' commandTimeout or Larder's), it surfaces as one typed error.
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error).not.toBeInstanceOf(CommandTimeoutError);
      expect((error as Error).message).toMatch(/timed out/i);
      expect(Date.now() - started).toBeLessThan(1400);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
      admin.disconnect();
    }
    await eventually(
      async () => (await sessions.get(id).catch(() => 'down')) !== 'down',
      10_000,
      'Redis to answer again',
    );
    expect(await sessions.get(id)).toBeDefined();
  });
});
