import type { RedisCoordinator } from '../redis/redis-coordinator';
import type { BoardRef, LeaderboardEntry, LeaderboardStore } from './leaderboard-store';
import { LEADERBOARD_ADD, LEADERBOARD_AROUND, LEADERBOARD_INCREMENT } from './leaderboard.scripts';

/** Redis writes -0 as "-0"; a board reports 0. */
function toScore(raw: string): number {
  return Number(raw) + 0;
}

/** A write script's reply: [score, rank], or null when the member was trimmed away. */
function toEntry(member: string, reply: unknown): LeaderboardEntry | undefined {
  if (!Array.isArray(reply)) return undefined;
  const [score, rank] = reply as [string, number];
  return { member, score: toScore(score), rank };
}

/** A WITHSCORES reply (member, score, member, score, ...) as entries ranked from `start`. */
function toEntries(start: number, flat: string[]): LeaderboardEntry[] {
  const entries: LeaderboardEntry[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    entries.push({ member: flat[i], score: toScore(flat[i + 1]), rank: start + i / 2 });
  }
  return entries;
}

/**
 * Boards in Redis: one sorted set per board, through the coordination connection (every call
 * bounded by `commandTimeout`). Writes are one script each (leaderboard.scripts.ts); reads are one
 * command each, `around` one script. A 'desc' board is read with the ZREV* commands.
 */
export class RedisLeaderboardStore implements LeaderboardStore {
  constructor(private readonly redis: RedisCoordinator) {}

  async add(
    board: BoardRef,
    member: string,
    score: number,
    onlyIfBetter: boolean,
  ): Promise<LeaderboardEntry | undefined> {
    const mode = onlyIfBetter ? 'better' : 'set';
    const args = [member, score, mode, board.ttl, board.maxMembers, board.order];
    return toEntry(member, await this.redis.eval(LEADERBOARD_ADD, [board.key], args));
  }

  async increment(board: BoardRef, member: string, by: number): Promise<LeaderboardEntry | undefined> {
    const args = [member, by, board.ttl, board.maxMembers, board.order];
    return toEntry(member, await this.redis.eval(LEADERBOARD_INCREMENT, [board.key], args));
  }

  async score(board: BoardRef, member: string): Promise<number | undefined> {
    const raw = await this.redis.call('ZSCORE', (client) => client.zscore(board.key, member));
    return raw === null ? undefined : toScore(raw);
  }

  async rank(board: BoardRef, member: string): Promise<number | undefined> {
    const rank = await this.redis.call('ZRANK', (client) =>
      board.order === 'desc' ? client.zrevrank(board.key, member) : client.zrank(board.key, member),
    );
    return rank ?? undefined;
  }

  async range(board: BoardRef, start: number, stop: number): Promise<LeaderboardEntry[]> {
    const flat = await this.redis.call('ZRANGE', (client) =>
      board.order === 'desc'
        ? client.zrevrange(board.key, start, stop, 'WITHSCORES')
        : client.zrange(board.key, start, stop, 'WITHSCORES'),
    );
    return toEntries(start, flat);
  }

  async around(board: BoardRef, member: string, n: number): Promise<LeaderboardEntry[]> {
    const reply = await this.redis.eval(LEADERBOARD_AROUND, [board.key], [member, n, board.order]);
    if (!Array.isArray(reply)) return [];
    const [start, flat] = reply as [number, string[]];
    return toEntries(start, flat);
  }

  remove(board: BoardRef, members: string[]): Promise<number> {
    return this.redis.call('ZREM', (client) => client.zrem(board.key, ...members));
  }

  size(board: BoardRef): Promise<number> {
    return this.redis.call('ZCARD', (client) => client.zcard(board.key));
  }

  async reset(board: BoardRef): Promise<void> {
    await this.redis.call('UNLINK', (client) => client.unlink(board.key));
  }

  /** The coordination connection is closed by Larder's lifecycle, not by its users. */
  async close(): Promise<void> {}
}
