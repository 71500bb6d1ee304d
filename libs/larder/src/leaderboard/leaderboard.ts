import {
  checkCount,
  checkFlag,
  checkMember,
  checkScore,
  MAX_READ,
  runBoardStore,
} from './leaderboard-arguments';
import type { BoardRef, LeaderboardEntry, LeaderboardStore } from './leaderboard-store';

/** Options of `Leaderboard.add()`. */
export interface LeaderboardAddOptions {
  /** Keep the member's score unless the new one is better (higher on a 'desc' board, lower on 'asc'): a best-score board. Default false. */
  onlyIfBetter?: boolean;
}

/**
 * One board, from `LeaderboardService.board(name)`: members with scores, ranked 0-based in the
 * board's order (highest first unless `order: 'asc'`); equal scores rank by member (see
 * LeaderboardStore). Every write is atomic, applies the board's `maxMembers` and `ttl`, and
 * returns the member's entry after it (undefined when `maxMembers` trimmed the member away).
 * Fails closed: when the store cannot answer, every method rejects with `StoreUnavailableError`.
 *
 * @example
 * const weekly = leaderboards.board('weekly', { ttl: '7d' });
 * await weekly.increment('ada', 30);          // { member: 'ada', score: 30, rank: 0 }
 * const podium = await weekly.top(3);         // [{ member, score, rank }, ...]
 * const mine = await weekly.around('ada', 2); // two above, ada, two below
 */
export class Leaderboard {
  constructor(
    /** The board's name as given to `board(name)`. */
    readonly name: string,
    private readonly ref: BoardRef,
    private readonly store: LeaderboardStore,
    private readonly maxMemberLength: number,
  ) {}

  /** `'desc'` (highest first) or `'asc'`. */
  get order(): BoardRef['order'] {
    return this.ref.order;
  }

  /**
   * Sets a member's score.
   * @throws InvalidArgumentError naming `member` or `score` (a finite number)
   * @example await board.add('ada', 1200, { onlyIfBetter: true })
   */
  add(
    member: string,
    score: number,
    options: LeaderboardAddOptions = {},
  ): Promise<LeaderboardEntry | undefined> {
    checkMember(member, this.maxMemberLength);
    checkScore(score, 'score');
    const better = options.onlyIfBetter ?? false;
    checkFlag(better, 'onlyIfBetter');
    return runBoardStore('add', () => this.store.add(this.ref, member, score, better));
  }

  /**
   * Adds `by` (default 1, may be negative) to a member's score; a new member starts at 0.
   * @example const { score, rank } = (await board.increment('ada', 5))!;
   */
  increment(member: string, by = 1): Promise<LeaderboardEntry | undefined> {
    checkMember(member, this.maxMemberLength);
    checkScore(by, 'by');
    return runBoardStore('increment', () => this.store.increment(this.ref, member, by));
  }

  /** The member's score, or undefined when it is not on the board. */
  score(member: string): Promise<number | undefined> {
    checkMember(member, this.maxMemberLength);
    return runBoardStore('score', () => this.store.score(this.ref, member));
  }

  /** The member's 0-based rank in the board's order, or undefined when it is not on the board. */
  rank(member: string): Promise<number | undefined> {
    checkMember(member, this.maxMemberLength);
    return runBoardStore('rank', () => this.store.rank(this.ref, member));
  }

  /**
   * The first `n` entries (1 to 1000, default 10).
   * @example (await board.top(10)).map((e) => `${e.rank + 1}. ${e.member} ${e.score}`)
   */
  top(n = 10): Promise<LeaderboardEntry[]> {
    checkCount(n, 'n', 1);
    return runBoardStore('top', () => this.store.range(this.ref, 0, n - 1));
  }

  /**
   * `limit` entries (1 to 1000) from rank `offset`: page k of 20 is `page(k * 20, 20)`.
   * @example await board.page(40, 20) // ranks 40 to 59
   */
  page(offset: number, limit: number): Promise<LeaderboardEntry[]> {
    checkCount(offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    checkCount(limit, 'limit', 1);
    return runBoardStore('page', () => this.store.range(this.ref, offset, offset + limit - 1));
  }

  /**
   * The member's entry with up to `n` (0 to 500) neighbours on each side, read in one step; []
   * when the member is not on the board.
   * @example await board.around('ada', 2) // ranks r-2 .. r+2, fewer at the ends of the board
   */
  around(member: string, n: number): Promise<LeaderboardEntry[]> {
    checkMember(member, this.maxMemberLength);
    checkCount(n, 'n', 0, MAX_READ / 2);
    return runBoardStore('around', () => this.store.around(this.ref, member, n));
  }

  /** Removes a member (or several); true when at least one was on the board. */
  async remove(member: string | string[]): Promise<boolean> {
    const members = Array.isArray(member) ? member : [member];
    if (members.length === 0) return false;
    for (const m of members) checkMember(m, this.maxMemberLength);
    return (await runBoardStore('remove', () => this.store.remove(this.ref, members))) > 0;
  }

  /** How many members the board has. */
  size(): Promise<number> {
    return runBoardStore('size', () => this.store.size(this.ref));
  }

  /** Removes the whole board. */
  reset(): Promise<void> {
    return runBoardStore('reset', () => this.store.reset(this.ref));
  }
}
