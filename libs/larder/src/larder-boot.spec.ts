import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CacheModule, type LarderModuleOptions } from '@larder/nestjs';
import { createLarderModule, testRedisUrl, uniqueNamespace } from '#test/test-helpers';
import { MemoryLockStore } from './lock/memory-lock.store';
import { MemorySessionStore } from './session/memory-session.store';
import { describeRedisFailure } from './redis/redis-coordinator';

describe('the boot WARN when no Redis is configured', () => {
  let warn: jest.SpiedFunction<Logger['warn']>;
  /** What Larder's logger warned at boot (other contexts are not Larder's). */
  const larderWarnings = () =>
    warn.mock.contexts
      .map((logger, i) => ({
        logger: logger as { context?: string },
        message: String(warn.mock.calls[i][0]),
      }))
      .filter(({ logger }) => logger.context === 'Larder')
      .map(({ message }) => message);

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  const boot = async (options: LarderModuleOptions) => {
    const moduleRef = await createLarderModule({ logConnectionEvents: true, ...options });
    await moduleRef.close();
  };

  it('says once that cache, locks, rate limits and sessions are per-process', async () => {
    await boot({});
    expect(larderWarnings()).toEqual([
      'no Redis configured: cache, locks, rate limits and sessions are per-process (kept in this ' +
        'process\'s memory, not shared with other instances). Set "redis" to share them, or ' +
        '"requireRedis: true" to refuse to start without it.',
    ]);
  });

  it("names only what has no store of the application's own", async () => {
    await boot({ lock: { store: new MemoryLockStore() }, session: { store: new MemorySessionStore() } });
    expect(larderWarnings()).toHaveLength(1);
    expect(larderWarnings()[0]).toMatch(/^no Redis configured: cache and rate limits are per-process/);
  });

  it('is not logged with Redis, nor with logConnectionEvents: false', async () => {
    await boot({ redis: testRedisUrl(), namespace: uniqueNamespace() });
    await boot({ logConnectionEvents: false });
    expect(larderWarnings()).toEqual([]);
  });
});

describe('log lines', () => {
  it('carry one prefix: the Larder context, and messages that do not repeat it', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    try {
      const moduleRef = await createLarderModule({
        logConnectionEvents: true,
        redis: testRedisUrl(),
        namespace: uniqueNamespace(),
      });
      await moduleRef.close();
      const lines = log.mock.contexts.map((logger, i) => [
        String((logger as { context?: string }).context),
        String(log.mock.calls[i][0]),
      ]);
      expect(lines).toEqual(
        expect.arrayContaining([
          ['Larder', 'Redis: connected'],
          ['Larder', 'Redis value store: connected'],
        ]),
      );
      expect(lines.filter(([, message]) => /Larder/.test(message))).toEqual([]);
    } finally {
      log.mockRestore();
    }
  });
});

describe('requireRedis', () => {
  it('makes a missing redis option a boot failure naming both options', async () => {
    const compiling = Test.createTestingModule({
      imports: [CacheModule.forRoot({ requireRedis: true, logConnectionEvents: false })],
    }).compile();
    await expect(compiling).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringMatching(/^Invalid Larder option "redis": not set, and "requireRedis" is true/),
    });
  });

  it('boots when Redis is configured', async () => {
    const moduleRef = await createLarderModule({
      requireRedis: true,
      redis: testRedisUrl(),
      namespace: uniqueNamespace(),
    });
    await moduleRef.close();
  });

  it('is a boolean', async () => {
    const compiling = Test.createTestingModule({
      imports: [CacheModule.forRoot({ requireRedis: 'yes' as never, logConnectionEvents: false })],
    }).compile();
    await expect(compiling).rejects.toMatchObject({ code: 'E_INVALID_OPTION', message: /requireRedis/ });
  });
});

describe('describeRedisFailure', () => {
  it("speaks of Redis, not of the clients' internals", () => {
    expect(describeRedisFailure("Stream isn't writeable and enableOfflineQueue options is false")).toBe(
      'not connected to Redis (reconnecting)',
    );
    expect(describeRedisFailure('Connection is closed.')).toBe('the connection to Redis is closed');
    expect(describeRedisFailure('The client is offline')).toBe('not connected to Redis (reconnecting)');
    expect(describeRedisFailure('The client is closed')).toBe('the connection to Redis is closed');
    expect(describeRedisFailure('connect ECONNREFUSED 127.0.0.1:1')).toBe('connect ECONNREFUSED 127.0.0.1:1');
  });
});
