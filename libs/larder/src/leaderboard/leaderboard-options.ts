import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { parseDuration, type Duration } from '../common/duration';
import { optionKeys } from '../common/known-keys';
import { HasMethods, IsDuration, validateOptions } from '../common/validate-options';
import type { LeaderboardOrder, LeaderboardStore } from './leaderboard-store';

/** The most members a board may be limited to, and the most entries one read returns. */
export const MAX_BOARD_MEMBERS = 100_000_000;

/**
 * Settings of one board, given to `LeaderboardService.board(name, options)`; unset fields take
 * the module's `leaderboard` defaults. A board's `order` is part of what it is: read a board with
 * the order it was written with.
 *
 * @example leaderboards.board('weekly', { ttl: '7d', maxMembers: 1000 })
 * @example leaderboards.board('fastest-lap', { order: 'asc' }) // lowest time ranks first
 */
export interface BoardOptions {
  /** `'desc'`: the highest score is rank 0 (default); `'asc'`: the lowest is. */
  order?: LeaderboardOrder;
  /** The board expires this long after its last write (reads do not extend it). Default: never. */
  ttl?: Duration;
  /** Most members kept: every write drops the lowest-ranked beyond this. Default: no limit. */
  maxMembers?: number;
}

/**
 * The `leaderboard` option of `CacheModule.forRoot()`: defaults for every board, and the store.
 *
 * @example CacheModule.forRoot({ redis: process.env.REDIS_URL, leaderboard: { maxMembers: 10_000 } })
 */
export interface LeaderboardModuleOptions extends BoardOptions {
  /**
   * Where boards live instead of Redis (or memory without Redis): any `LeaderboardStore`. It is
   * the application's: Larder never closes it. See docs/architecture.md, "Providing your own store".
   */
  store?: LeaderboardStore;
}

/** Board settings after validation: milliseconds, 0 for "none". */
export interface ResolvedBoardOptions {
  order: LeaderboardOrder;
  ttl: number;
  maxMembers: number;
}

/** The leaderboard slice (`LARDER_LEADERBOARD_OPTIONS`): the defaults, the store, and the module fields boards use. */
export interface LeaderboardOptions extends ResolvedBoardOptions {
  store?: LeaderboardStore;
  namespace: string;
  maxKeyLength: number;
}

const BOARD_KEYS = optionKeys<BoardOptions>({ order: true, ttl: true, maxMembers: true });
const MODULE_KEYS = optionKeys<LeaderboardModuleOptions>({
  order: true,
  ttl: true,
  maxMembers: true,
  store: true,
});
const MODULE_PLACE = { subject: 'Larder option', path: 'leaderboard' };
const BOARD_PLACE = { subject: 'board option' };

/** The rules of a board's settings (see validateOptions). */
class BoardOptionRules {
  @IsOptional() @IsIn(['desc', 'asc']) order?: string;
  @IsOptional() @IsDuration() ttl?: Duration;
  @IsOptional() @IsInt() @Min(1) @Max(MAX_BOARD_MEMBERS) maxMembers?: number;
}

/** The rules of the `leaderboard` option: a board's, plus the store. */
class LeaderboardOptionRules extends BoardOptionRules {
  @IsOptional()
  @HasMethods(
    ['add', 'increment', 'score', 'rank', 'range', 'around', 'remove', 'size', 'reset'],
    'a LeaderboardStore (add, increment, score, rank, range, around, remove, size, reset)',
  )
  store?: LeaderboardStore;
}

const DEFAULTS: ResolvedBoardOptions = { order: 'desc', ttl: 0, maxMembers: 0 };

function resolve(options: BoardOptions, defaults: ResolvedBoardOptions, path: string): ResolvedBoardOptions {
  return {
    order: options.order ?? defaults.order,
    ttl: options.ttl === undefined ? defaults.ttl : parseDuration(options.ttl, path + 'ttl'),
    maxMembers: options.maxMembers ?? defaults.maxMembers,
  };
}

/**
 * Validates the module's `leaderboard` option once at boot and fills in defaults.
 * @throws InvalidOptionError naming the field as `"leaderboard.<field>"` (also an unknown one)
 * @example resolveLeaderboardOptions({ ttl: '1d' }) // { order: 'desc', ttl: 86400000, maxMembers: 0 }
 */
export function resolveLeaderboardOptions(
  raw: LeaderboardModuleOptions | undefined,
): ResolvedBoardOptions & { store?: LeaderboardStore } {
  if (raw === undefined) return { ...DEFAULTS };
  const options = validateOptions<LeaderboardModuleOptions>(
    LeaderboardOptionRules,
    raw,
    MODULE_KEYS,
    MODULE_PLACE,
  );
  return { ...resolve(options, DEFAULTS, 'leaderboard.'), store: options.store };
}

/**
 * Validates the settings given to `board(name, options)` against the module defaults.
 * @throws InvalidOptionError naming `order`, `ttl`, `maxMembers` or an unknown field
 */
export function resolveBoardOptions(
  raw: BoardOptions | undefined,
  defaults: ResolvedBoardOptions,
): ResolvedBoardOptions {
  if (raw === undefined) return defaults;
  return resolve(validateOptions<BoardOptions>(BoardOptionRules, raw, BOARD_KEYS, BOARD_PLACE), defaults, '');
}
