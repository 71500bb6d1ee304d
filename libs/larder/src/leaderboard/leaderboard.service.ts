import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { assertKey } from '../common/assert-key';
import { LARDER_LEADERBOARD_OPTIONS, LARDER_LEADERBOARD_STORE } from '../larder.constants';
import { Leaderboard } from './leaderboard';
import { leaderboardKey } from './leaderboard-keys';
import { resolveBoardOptions, type BoardOptions, type LeaderboardOptions } from './leaderboard-options';
import type { LeaderboardStore } from './leaderboard-store';

/**
 * Leaderboards (sorted sets): one Redis key per board, so boards work on Redis Cluster; in
 * process memory without Redis, or the `leaderboard.store` option. `board(name)` is cheap: it
 * checks its arguments and returns a handle, holding no state of its own.
 *
 * @example
 * constructor(private readonly leaderboards: LeaderboardService) {}
 * async finish(player: string, points: number) {
 *   const entry = await this.leaderboards.board('season-3').increment(player, points);
 *   return { rank: entry?.rank, top: await this.leaderboards.board('season-3').top(10) };
 * }
 */
@Injectable()
export class LeaderboardService implements OnApplicationShutdown {
  constructor(
    @Inject(LARDER_LEADERBOARD_OPTIONS) private readonly options: LeaderboardOptions,
    @Inject(LARDER_LEADERBOARD_STORE) private readonly store: LeaderboardStore,
  ) {}

  /**
   * The board called `name`, with the module's `leaderboard` defaults overridden by `options`.
   * @throws InvalidKeyError naming the leaderboard name; InvalidOptionError naming a bad option
   * @example leaderboards.board('daily:2026-12-02', { ttl: '2d', maxMembers: 500 })
   */
  board(name: string, options?: BoardOptions): Leaderboard {
    assertKey('leaderboard name', name, this.options.maxKeyLength);
    const { order, ttl, maxMembers } = resolveBoardOptions(options, this.options);
    const ref = { key: leaderboardKey(this.options.namespace, name), order, ttl, maxMembers };
    return new Leaderboard(name, ref, this.store, this.options.maxKeyLength);
  }

  async onApplicationShutdown(): Promise<void> {
    // A store given as `leaderboard.store` is the application's to close.
    if (this.options.store === undefined) await this.store.close();
  }
}
