import type { BoardRef, LeaderboardEntry, LeaderboardStore } from './leaderboard-store';
import { compareUtf8 } from './member-order';

interface Item {
  member: string;
  score: number;
}

/** One board: scores by member, and the members sorted ascending by (score, member bytes) as Redis sorts them. */
class Board {
  readonly scores = new Map<string, number>();
  readonly sorted: Item[] = [];
  expiresAt = Infinity;

  /** Index of the first item not below (score, member): where it is, or would be inserted. */
  private position(score: number, member: string): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const item = this.sorted[mid];
      const before = item.score < score || (item.score === score && compareUtf8(item.member, member) < 0);
      if (before) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Ascending index of a member, or -1. */
  indexOf(member: string): number {
    const score = this.scores.get(member);
    return score === undefined ? -1 : this.position(score, member);
  }

  set(member: string, raw: number): void {
    const score = raw + 0; // -0 is 0, as Redis reports it
    this.delete(member);
    this.scores.set(member, score);
    this.sorted.splice(this.position(score, member), 0, { member, score });
  }

  delete(member: string): boolean {
    const index = this.indexOf(member);
    if (index < 0) return false;
    this.sorted.splice(index, 1);
    this.scores.delete(member);
    return true;
  }

  /** The rank of an ascending index in the board's order. */
  rankOf(index: number, order: BoardRef['order']): number {
    return order === 'asc' ? index : this.sorted.length - 1 - index;
  }

  /** The item at a rank in the board's order. */
  atRank(rank: number, order: BoardRef['order']): Item {
    return this.sorted[order === 'asc' ? rank : this.sorted.length - 1 - rank];
  }

  /** Drops the lowest-ranked members beyond `max`: the end of the board's order. */
  trim(max: number, order: BoardRef['order']): void {
    const excess = this.sorted.length - max;
    if (max === 0 || excess <= 0) return;
    const removed = order === 'asc' ? this.sorted.splice(max, excess) : this.sorted.splice(0, excess);
    for (const item of removed) this.scores.delete(item.member);
  }
}

/**
 * Boards in process memory, with exactly the Redis store's semantics (ranks, tie order, trimming,
 * ttl from the last write): what Larder uses without Redis, and in tests. A write costs O(n) for
 * the sorted insert, fine for the boards of one process; expired boards are dropped when next used.
 */
export class MemoryLeaderboardStore implements LeaderboardStore {
  private readonly boards = new Map<string, Board>();

  constructor(private readonly clock: () => number = Date.now) {}

  async add(
    ref: BoardRef,
    member: string,
    score: number,
    onlyIfBetter: boolean,
  ): Promise<LeaderboardEntry | undefined> {
    const board = this.writable(ref);
    const current = board.scores.get(member);
    const better = current === undefined || (ref.order === 'desc' ? score > current : score < current);
    if (!onlyIfBetter || better) board.set(member, score);
    return this.finish(ref, board, member);
  }

  async increment(ref: BoardRef, member: string, by: number): Promise<LeaderboardEntry | undefined> {
    const board = this.writable(ref);
    board.set(member, (board.scores.get(member) ?? 0) + by);
    return this.finish(ref, board, member);
  }

  async score(ref: BoardRef, member: string): Promise<number | undefined> {
    return this.live(ref.key)?.scores.get(member);
  }

  async rank(ref: BoardRef, member: string): Promise<number | undefined> {
    const board = this.live(ref.key);
    const index = board ? board.indexOf(member) : -1;
    return index < 0 ? undefined : board!.rankOf(index, ref.order);
  }

  async range(ref: BoardRef, start: number, stop: number): Promise<LeaderboardEntry[]> {
    const board = this.live(ref.key);
    if (!board) return [];
    const entries: LeaderboardEntry[] = [];
    const last = Math.min(stop, board.sorted.length - 1);
    for (let rank = start; rank <= last; rank++) {
      const { member, score } = board.atRank(rank, ref.order);
      entries.push({ member, score, rank });
    }
    return entries;
  }

  async around(ref: BoardRef, member: string, n: number): Promise<LeaderboardEntry[]> {
    const rank = await this.rank(ref, member);
    return rank === undefined ? [] : this.range(ref, Math.max(0, rank - n), rank + n);
  }

  async remove(ref: BoardRef, members: string[]): Promise<number> {
    const board = this.live(ref.key);
    if (!board) return 0;
    let removed = 0;
    for (const member of members) if (board.delete(member)) removed++;
    if (board.sorted.length === 0) this.boards.delete(ref.key);
    return removed;
  }

  async size(ref: BoardRef): Promise<number> {
    return this.live(ref.key)?.sorted.length ?? 0;
  }

  async reset(ref: BoardRef): Promise<void> {
    this.boards.delete(ref.key);
  }

  async close(): Promise<void> {
    this.boards.clear();
  }

  /** The board unless it expired (then it is dropped, as Redis drops an expired key). */
  private live(key: string): Board | undefined {
    const board = this.boards.get(key);
    if (board && board.expiresAt <= this.clock()) {
      this.boards.delete(key);
      return undefined;
    }
    return board;
  }

  private writable(ref: BoardRef): Board {
    let board = this.live(ref.key);
    if (!board) {
      board = new Board();
      this.boards.set(ref.key, board);
    }
    return board;
  }

  /** The tail of every write, as the Redis scripts run it: trim, refresh the ttl, report the entry. */
  private finish(ref: BoardRef, board: Board, member: string): LeaderboardEntry | undefined {
    board.trim(ref.maxMembers, ref.order);
    if (board.sorted.length === 0) {
      this.boards.delete(ref.key);
      return undefined;
    }
    if (ref.ttl > 0) board.expiresAt = this.clock() + ref.ttl;
    const index = board.indexOf(member);
    if (index < 0) return undefined;
    return { member, score: board.scores.get(member)!, rank: board.rankOf(index, ref.order) };
  }
}
