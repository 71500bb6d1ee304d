/*
 * The storage contract behind LeaderboardService, met by the Redis store and the memory store
 * alike (one contract suite runs both, and can run an application's own). Stores see the board's
 * key and its settings; names, members and scores are checked by the service before they get here.
 */

/** Which end of the board ranks first: `'desc'` (highest score is rank 0) or `'asc'` (lowest is). */
export type LeaderboardOrder = 'desc' | 'asc';

/** One member of a board: its score and its 0-based rank in the board's order. */
export interface LeaderboardEntry {
  member: string;
  score: number;
  rank: number;
}

/** A board as a store sees it: one key, and the settings every write applies in the same step. */
export interface BoardRef {
  /** The board's one key (leaderboard-keys.ts). */
  key: string;
  order: LeaderboardOrder;
  /** Milliseconds the board lives after its last write; 0 = forever. */
  ttl: number;
  /** Most members kept: each write drops the lowest-ranked beyond it; 0 = no limit. */
  maxMembers: number;
}

/**
 * Where boards live. Larder's own are RedisLeaderboardStore (one sorted set per board, each write
 * one script) and MemoryLeaderboardStore; the `leaderboard.store` option brings the application's
 * own, provided through `LARDER_LEADERBOARD_STORE`.
 *
 * Every write is atomic: the score change, the `maxMembers` trim, the ttl refresh and the rank it
 * reports happen in one step. Ranks are 0-based in the board's order; equal scores are ordered by
 * member in UTF-8 byte order, ascending on an `'asc'` board and descending on a `'desc'` board (a
 * `'desc'` board is the `'asc'` board read backwards, as Redis's ZREVRANGE reads it). A store that
 * cannot answer rejects, so the service fails closed.
 *
 * @example CacheModule.forRoot({ leaderboard: { store: new PgLeaderboardStore(pool) } })
 */
export interface LeaderboardStore {
  /**
   * Sets a member's score (with `onlyIfBetter`, only when it beats the current one in the board's
   * order, or the member is new). Returns the member's entry after the write, or undefined when
   * `maxMembers` trimmed it away.
   */
  add(
    board: BoardRef,
    member: string,
    score: number,
    onlyIfBetter: boolean,
  ): Promise<LeaderboardEntry | undefined>;
  /** Adds `by` to a member's score (a new member starts at 0); the entry after the write, or undefined when trimmed. */
  increment(board: BoardRef, member: string, by: number): Promise<LeaderboardEntry | undefined>;
  score(board: BoardRef, member: string): Promise<number | undefined>;
  rank(board: BoardRef, member: string): Promise<number | undefined>;
  /** The entries ranked `start` to `stop` (inclusive, 0-based, `stop` >= `start`). */
  range(board: BoardRef, start: number, stop: number): Promise<LeaderboardEntry[]>;
  /** The member's entry with up to `n` entries on each side, read in one step; [] when the member is not on the board. */
  around(board: BoardRef, member: string, n: number): Promise<LeaderboardEntry[]>;
  /** Removes members; returns how many were on the board. */
  remove(board: BoardRef, members: string[]): Promise<number>;
  size(board: BoardRef): Promise<number>;
  /** Removes the whole board. */
  reset(board: BoardRef): Promise<void>;
  /** Releases what the store holds; called at shutdown for the stores Larder creates, never for the `leaderboard.store` option. */
  close(): Promise<void>;
}
