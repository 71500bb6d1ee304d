import { Redis } from 'ioredis';
import { LARDER_LEADERBOARD_STORE, LeaderboardService } from '@larder/nestjs';
import { closeLeftoverModules, createLarderModule, testRedisUrl, uniqueNamespace } from '#test/test-helpers';
import { MemoryLeaderboardStore } from './memory-leaderboard.store';
import { RedisLeaderboardStore } from './redis-leaderboard.store';

afterAll(closeLeftoverModules);

describe('LeaderboardService in CacheModule', () => {
  it('runs on memory without Redis, on Redis under the namespace with one key per board', async () => {
    const memory = await createLarderModule({});
    expect(memory.get(LARDER_LEADERBOARD_STORE)).toBeInstanceOf(MemoryLeaderboardStore);
    await memory.close();

    const namespace = uniqueNamespace('lbm');
    const moduleRef = await createLarderModule({ redis: testRedisUrl(), namespace });
    expect(moduleRef.get(LARDER_LEADERBOARD_STORE)).toBeInstanceOf(RedisLeaderboardStore);
    await moduleRef.get(LeaderboardService).board('weekly').add('ada', 3);
    const raw = new Redis(testRedisUrl());
    try {
      expect(await raw.zscore(`${namespace}:lb:weekly`, 'ada')).toBe('3');
      const [, keys] = await raw.scan(0, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
      expect(keys).toEqual([`${namespace}:lb:weekly`]);
    } finally {
      raw.disconnect();
      await moduleRef.close();
    }
  });

  it('applies the module defaults, which a board overrides', async () => {
    const moduleRef = await createLarderModule({ leaderboard: { order: 'asc', maxMembers: 2 } });
    const boards = moduleRef.get(LeaderboardService);
    const laps = boards.board('laps');
    for (const [member, time] of [
      ['a', 3],
      ['b', 1],
      ['c', 2],
    ] as const)
      await laps.add(member, time);
    expect((await laps.top()).map((e) => e.member)).toEqual(['b', 'c']);
    const points = boards.board('points', { order: 'desc', maxMembers: 10 });
    for (const [member, score] of [
      ['a', 3],
      ['b', 1],
      ['c', 2],
    ] as const)
      await points.add(member, score);
    expect((await points.top()).map((e) => e.member)).toEqual(['a', 'c', 'b']);
    await moduleRef.close();
  });

  it('uses the leaderboard.store option and leaves it open at shutdown', async () => {
    const store = new MemoryLeaderboardStore();
    const close = jest.spyOn(store, 'close');
    const namespace = uniqueNamespace('lbs');
    const moduleRef = await createLarderModule({ redis: testRedisUrl(), namespace, leaderboard: { store } });
    expect(moduleRef.get(LARDER_LEADERBOARD_STORE)).toBe(store);
    await moduleRef.get(LeaderboardService).board('b').add('m', 1);
    await moduleRef.close();
    expect(close).not.toHaveBeenCalled();
    const ref = { key: `${namespace}:lb:b`, order: 'desc' as const, ttl: 0, maxMembers: 0 };
    expect(await store.score(ref, 'm')).toBe(1);
  });

  it('refuses a bad leaderboard option at boot, naming it', async () => {
    await expect(createLarderModule({ leaderboard: { ttl: 'soon' as '1s' } })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('leaderboard.ttl'),
    });
    await expect(
      createLarderModule({ leaderboard: { store: {} as RedisLeaderboardStore } }),
    ).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('leaderboard.store'),
    });
  });

  it('fails closed with E_STORE_UNAVAILABLE when Redis does not answer', async () => {
    const moduleRef = await createLarderModule({ redis: 'redis://127.0.0.1:1', commandTimeout: 200 });
    const board = moduleRef.get(LeaderboardService).board('down');
    await expect(board.increment('ada')).rejects.toMatchObject({ code: 'E_STORE_UNAVAILABLE' });
    await expect(board.top()).rejects.toMatchObject({ code: 'E_STORE_UNAVAILABLE' });
    await moduleRef.close();
  });
});
