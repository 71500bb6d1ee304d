import { LeaderboardService } from '../leaderboard/leaderboard.service';
import type { LeaderboardOptions } from '../leaderboard/leaderboard-options';
import type { LeaderboardStore } from '../leaderboard/leaderboard-store';
import { jestGlobals } from './jest-globals';
import { eventually, uniqueNamespace } from './testing-module';

// Members whose UTF-8 byte order differs from JavaScript's own string order ('\uFB00' sorts
// before '😀' in bytes, after it in UTF-16 units): equal scores must rank alike on every store.
const TIED = ['b', '😀', 'a', 'é', '\uFB00', 'z', 'c'];
const TIED_ASC = ['a', 'b', 'c', 'z', 'é', '\uFB00', '😀'];

/**
 * Runs a LeaderboardStore through the behaviour LeaderboardService promises: scores and 0-based
 * ranks in both orders, the tie order, increments, best-score adds, `top`/`page`/`around` at the
 * ends of a board, removal, `maxMembers` trimming, ttl, atomic concurrent increments and the
 * argument errors. A jest suite (it calls describe/it/expect), using real time only for the ttl.
 *
 * @param makeStore builds a store for each test; `close`, if given, runs after each test.
 * @example
 * describeLeaderboardContract('Postgres', () => new PgLeaderboardStore(pool));
 */
export function describeLeaderboardContract(
  setup: string,
  makeStore: () => LeaderboardStore | Promise<LeaderboardStore>,
  close?: (store: LeaderboardStore) => Promise<void> | void,
): void {
  const { afterEach, beforeEach, describe, expect, it } = jestGlobals();
  describe(`Leaderboard contract: ${setup}`, () => {
    let store: LeaderboardStore;
    let boards: LeaderboardService;

    beforeEach(async () => {
      store = await makeStore();
      const options: LeaderboardOptions = {
        order: 'desc',
        ttl: 0,
        maxMembers: 0,
        store,
        namespace: uniqueNamespace('lb'),
        maxKeyLength: 1024,
      };
      boards = new LeaderboardService(options, store);
    });
    afterEach(async () => {
      await close?.(store);
    });

    const seed = async (name: string, scores: Record<string, number>, order?: 'asc' | 'desc') => {
      const board = boards.board(name, order ? { order } : undefined);
      for (const [member, score] of Object.entries(scores)) await board.add(member, score);
      return board;
    };
    const members = (entries: Array<{ member: string }>) => entries.map((e) => e.member);

    it('ranks the highest score first by default, 0-based, and reports scores and size', async () => {
      const board = await seed('scores', { ada: 30, bob: 10, cy: 20 });
      expect(await board.rank('ada')).toBe(0);
      expect(await board.rank('cy')).toBe(1);
      expect(await board.rank('bob')).toBe(2);
      expect(await board.score('cy')).toBe(20);
      expect(await board.size()).toBe(3);
      expect(await board.rank('nobody')).toBeUndefined();
      expect(await board.score('nobody')).toBeUndefined();
      expect(await board.add('bob', 40)).toEqual({ member: 'bob', score: 40, rank: 0 });
      expect(await board.top(3)).toEqual([
        { member: 'bob', score: 40, rank: 0 },
        { member: 'ada', score: 30, rank: 1 },
        { member: 'cy', score: 20, rank: 2 },
      ]);
    });

    it("ranks the lowest first on an 'asc' board", async () => {
      const board = await seed('laps', { ada: 61.5, bob: 59.25, cy: 60 }, 'asc');
      expect(board.order).toBe('asc');
      expect(await board.top(3)).toEqual([
        { member: 'bob', score: 59.25, rank: 0 },
        { member: 'cy', score: 60, rank: 1 },
        { member: 'ada', score: 61.5, rank: 2 },
      ]);
      expect(await board.rank('ada')).toBe(2);
    });

    it('orders equal scores by member bytes: ascending on asc, the exact reverse on desc', async () => {
      const scores = Object.fromEntries(TIED.map((m) => [m, 7]));
      const asc = await seed('tie-asc', scores, 'asc');
      const desc = await seed('tie-desc', scores, 'desc');
      expect(members(await asc.top(10))).toEqual(TIED_ASC);
      expect(members(await desc.top(10))).toEqual([...TIED_ASC].reverse());
      expect(await asc.rank('\uFB00')).toBe(5);
      expect(await desc.rank('\uFB00')).toBe(1);
      // Ties sit between higher and lower scores as a block.
      await desc.add('top', 8);
      await desc.add('low', 6);
      expect(members(await desc.top(10))).toEqual(['top', ...[...TIED_ASC].reverse(), 'low']);
    });

    it('increments from 0 for a new member, by 1 by default, by negative and fractional amounts', async () => {
      const board = boards.board('counts');
      expect(await board.increment('ada')).toEqual({ member: 'ada', score: 1, rank: 0 });
      expect(await board.increment('bob', 5)).toEqual({ member: 'bob', score: 5, rank: 0 });
      expect(await board.increment('bob', -4.5)).toEqual({ member: 'bob', score: 0.5, rank: 1 });
      expect(await board.score('ada')).toBe(1);
      const zero = await board.add('zero', -0);
      expect(Object.is(zero?.score, 0)).toBe(true);
      expect(await board.add('big', 2 ** 53)).toEqual({ member: 'big', score: 2 ** 53, rank: 0 });
    });

    it('concurrent increments all count (atomic updates)', async () => {
      const board = boards.board('race');
      await Promise.all(Array.from({ length: 50 }, () => board.increment('ada', 2)));
      expect(await board.score('ada')).toBe(100);
    });

    it('onlyIfBetter keeps the best score in the board order and always adds a new member', async () => {
      const high = boards.board('best-high');
      expect((await high.add('ada', 10, { onlyIfBetter: true }))?.score).toBe(10);
      expect((await high.add('ada', 5, { onlyIfBetter: true }))?.score).toBe(10);
      expect((await high.add('ada', 15, { onlyIfBetter: true }))?.score).toBe(15);
      expect((await high.add('ada', 1))?.score).toBe(1);
      const low = boards.board('best-low', { order: 'asc' });
      await low.add('ada', 10, { onlyIfBetter: true });
      expect((await low.add('ada', 12, { onlyIfBetter: true }))?.score).toBe(10);
      expect((await low.add('ada', 8, { onlyIfBetter: true }))?.score).toBe(8);
    });

    it('pages by rank and stops at the end of the board', async () => {
      const scores = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`p${i}`, i]));
      const board = await seed('pages', scores);
      expect(members(await board.top())).toEqual([
        'p11',
        'p10',
        'p9',
        'p8',
        'p7',
        'p6',
        'p5',
        'p4',
        'p3',
        'p2',
      ]);
      expect(await board.page(10, 5)).toEqual([
        { member: 'p1', score: 1, rank: 10 },
        { member: 'p0', score: 0, rank: 11 },
      ]);
      expect(await board.page(12, 5)).toEqual([]);
      expect(await boards.board('empty').top(5)).toEqual([]);
    });

    it('around returns the neighbours in one read, fewer at the ends, [] for a stranger', async () => {
      const board = await seed('near', { a: 50, b: 40, c: 30, d: 20, e: 10 });
      expect(await board.around('c', 1)).toEqual([
        { member: 'b', score: 40, rank: 1 },
        { member: 'c', score: 30, rank: 2 },
        { member: 'd', score: 20, rank: 3 },
      ]);
      expect(members(await board.around('a', 2))).toEqual(['a', 'b', 'c']);
      expect(members(await board.around('e', 2))).toEqual(['c', 'd', 'e']);
      expect(members(await board.around('c', 0))).toEqual(['c']);
      expect(await board.around('nobody', 2)).toEqual([]);
    });

    it('removes members and resets boards, each board on its own', async () => {
      const board = await seed('gone', { a: 1, b: 2, c: 3 });
      const other = await seed('kept', { a: 1 });
      expect(await board.remove('a')).toBe(true);
      expect(await board.remove('a')).toBe(false);
      expect(await board.remove(['b', 'x'])).toBe(true);
      expect(await board.remove([])).toBe(false);
      expect(members(await board.top())).toEqual(['c']);
      await board.reset();
      expect(await board.size()).toBe(0);
      expect(await other.score('a')).toBe(1);
    });

    it('maxMembers drops the lowest-ranked on every write; a member that does not make it gets undefined', async () => {
      const desc = boards.board('trim-desc', { maxMembers: 3 });
      for (const [member, score] of [
        ['a', 10],
        ['b', 20],
        ['c', 30],
        ['d', 40],
      ] as const)
        await desc.add(member, score);
      expect(members(await desc.top())).toEqual(['d', 'c', 'b']);
      expect(await desc.add('e', 1)).toBeUndefined();
      expect(await desc.score('e')).toBeUndefined();
      expect(await desc.increment('f', 25)).toEqual({ member: 'f', score: 25, rank: 2 });
      expect(await desc.size()).toBe(3);
      const asc = boards.board('trim-asc', { order: 'asc', maxMembers: 2 });
      for (const [member, score] of [
        ['a', 10],
        ['b', 20],
        ['c', 5],
      ] as const)
        await asc.add(member, score);
      expect(members(await asc.top())).toEqual(['c', 'a']);
    });

    it('a board with a ttl expires that long after its last write', async () => {
      const board = boards.board('short', { ttl: 1500 });
      await board.add('ada', 1);
      const forever = boards.board('short-forever');
      await forever.add('ada', 1);
      expect(await board.size()).toBe(1);
      await eventually(async () => (await board.size()) === 0, 10_000, 'the board to expire');
      expect(await board.score('ada')).toBeUndefined();
      expect(await forever.size()).toBe(1);
    });

    it('refuses bad arguments with typed errors naming them, before the store is asked', async () => {
      const board = boards.board('args');
      expect(() => boards.board('')).toThrow(expect.objectContaining({ code: 'E_INVALID_KEY' }));
      expect(() => boards.board('x', { order: 'up' as 'asc' })).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION', message: expect.stringContaining('order') }),
      );
      expect(() => boards.board('x', { maxMembers: 0 })).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION', message: expect.stringContaining('maxMembers') }),
      );
      const invalid = (message: string) => ({
        code: 'E_INVALID_ARGUMENT',
        message: expect.stringContaining(message),
      });
      expect(() => board.add('', 1)).toThrow(expect.objectContaining(invalid('member')));
      expect(() => board.add('a', Number.NaN)).toThrow(expect.objectContaining(invalid('score')));
      expect(() => board.add('a', Infinity)).toThrow(expect.objectContaining(invalid('score')));
      expect(() => board.increment('a', '2' as unknown as number)).toThrow(
        expect.objectContaining(invalid('by')),
      );
      expect(() => board.top(0)).toThrow(expect.objectContaining(invalid('n')));
      expect(() => board.top(1001)).toThrow(expect.objectContaining(invalid('n')));
      expect(() => board.page(-1, 10)).toThrow(expect.objectContaining(invalid('offset')));
      expect(() => board.page(0, 1.5)).toThrow(expect.objectContaining(invalid('limit')));
      expect(() => board.around('a', 501)).toThrow(expect.objectContaining(invalid('n')));
      expect(() => board.add('a', 1, { onlyIfBetter: 'yes' as unknown as boolean })).toThrow(
        expect.objectContaining(invalid('onlyIfBetter')),
      );
      await expect(board.remove(['a', ''])).rejects.toMatchObject(invalid('member'));
      expect(await board.size()).toBe(0);
    });
  });
}
