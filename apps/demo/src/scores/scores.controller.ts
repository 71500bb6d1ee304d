import { Body, Controller, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { LeaderboardService, type Leaderboard } from '@larder/nestjs';
import { AddPointsBody, PlayerParams } from './score.dto';

/**
 * A season leaderboard: players win points, everyone reads the live top 10. One sorted set in
 * Redis shared by every instance (in memory without Redis), trimmed to the best 1000 players.
 */
@Controller('scores')
export class ScoresController {
  private readonly season: Leaderboard;

  constructor(leaderboards: LeaderboardService) {
    this.season = leaderboards.board('season', { maxMembers: 1000 });
  }

  /** The live top 10, highest score first. */
  @Get('top')
  top() {
    return this.season.top(10);
  }

  /** Adds a game's points; answers the player's new score and rank. */
  @Post(':player')
  async addPoints(@Param() { player }: PlayerParams, @Body() { points }: AddPointsBody) {
    return (await this.season.increment(player, points)) ?? { player, rank: null };
  }

  /** The player with the two players above and below. */
  @Get(':player/around')
  async around(@Param() { player }: PlayerParams) {
    const entries = await this.season.around(player, 2);
    if (entries.length === 0) throw new NotFoundException(`${player} has no score this season`);
    return entries;
  }
}
