import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { LockService } from '@larder/nestjs';
import { createLarderModule, eventually, testRedisUrl, uniqueNamespace } from '#test/test-helpers';

/** The part of a key Redis Cluster hashes: the text inside the first `{...}` when not empty, else the whole key. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close === -1 || close === open + 1 ? key : key.slice(open + 1, close);
}

describe('LockService on Redis', () => {
  let raw: Redis;
  const modules: TestingModule[] = [];
  /** Shared connections given to modules; Larder leaves them open, so the test closes them. */
  const clients: Redis[] = [];
  let namespace: string;

  const service = async (): Promise<LockService> => {
    const moduleRef = await createLarderModule({ redis: testRedisUrl(), namespace });
    modules.push(moduleRef);
    return moduleRef.get(LockService);
  };

  beforeAll(() => {
    raw = new Redis(testRedisUrl());
  });

  beforeEach(() => {
    namespace = uniqueNamespace('lock');
  });

  afterEach(async () => {
    await Promise.all(modules.splice(0).map((m) => m.close()));
    for (const client of clients.splice(0)) client.disconnect();
  });

  afterAll(() => raw.disconnect());

  it('keeps the lock at <ns>:lock:{key} and a never-expiring fence at <ns>:lock:{key}:fence', async () => {
    const locks = await service();
    const lock = (await locks.acquire('order:7', { ttl: '20s' }))!;
    const lockKey = `${namespace}:lock:{order:7}`;
    expect(await raw.get(lockKey)).toBe(lock.token);
    const pttl = await raw.pttl(lockKey);
    expect(pttl).toBeGreaterThan(15_000);
    expect(pttl).toBeLessThanOrEqual(20_000);
    expect(await raw.get(`${lockKey}:fence`)).toBe(String(lock.fence));
    expect(await raw.pttl(`${lockKey}:fence`)).toBe(-1);
    await lock.release();
    expect(await raw.exists(lockKey)).toBe(0);
    expect(await raw.get(`${lockKey}:fence`)).toBe(String(lock.fence));
  });

  it.each(['plain', 'a}b', 'x{y}z', '{already}', 'ends}'])(
    'lock and fence keys share one hash tag for key %j',
    async (key) => {
      const locks = await service();
      const lock = (await locks.acquire(key, { ttl: '5s' }))!;
      const lockKey = `${namespace}:lock:{${key}}`;
      expect(await raw.get(lockKey)).toBe(lock.token);
      expect(hashTag(lockKey)).toBe(hashTag(`${lockKey}:fence`));
      expect(hashTag(lockKey)).not.toBe(lockKey);
      await lock.release();
    },
  );

  it('shares locks and fences between two app instances', async () => {
    const [a, b] = [await service(), await service()];
    const held = (await a.acquire('invoice', { owner: 'instance-a', ttl: '10s' }))!;
    expect(await b.acquire('invoice')).toBeNull();
    expect(await b.isLocked('invoice', 'instance-a')).toBe(true);
    expect(await b.release('invoice', 'instance-b')).toBe(false);
    expect(await b.release('invoice', 'instance-a')).toBe(true);
    const next = (await b.acquire('invoice'))!;
    expect(next.fence).toBe(held.fence + 1);
    // The handle in instance A now learns that its lock is gone.
    expect(await held.extend()).toBe(false);
    expect(held.signal.aborted).toBe(true);
    await next.release();
  });

  it('reports a lock deleted behind its back as lost (not-held) on the next renewal', async () => {
    const locks = await service();
    const reasons: string[] = [];
    locks.on('lock.lost', (e) => reasons.push(e.reason));
    const lock = (await locks.acquire('vanishing', { ttl: 1500, autoExtend: true }))!;
    await raw.del(`${namespace}:lock:{vanishing}`);
    await eventually(() => lock.signal.aborted, 3000, 'the renewal to notice');
    expect(reasons).toEqual(['not-held']);
    // Noticed by the renewal, well before the lease itself would have run out.
    expect(lock.expiresAt).toBeGreaterThan(Date.now());
  });

  it('acquire and release are one command (one round trip) each', async () => {
    // A shared connection lets the test count what LockService sends without touching Redis itself.
    const client = new Redis(testRedisUrl());
    clients.push(client);
    const moduleRef = await createLarderModule({ redis: client, namespace });
    modules.push(moduleRef);
    const locks = moduleRef.get(LockService);
    await (await locks.acquire('warm'))!.release(); // the first call of each script may add an EVAL
    const sent: string[] = [];
    const original = client.sendCommand.bind(client);
    client.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
      sent.push(command.name);
      return (original as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof client.sendCommand;
    for (let i = 0; i < 10; i++) await (await locks.acquire('counted'))!.release();
    expect(sent).toEqual(Array.from({ length: 20 }, () => 'evalsha'));
  });
});
