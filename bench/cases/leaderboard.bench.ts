import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CacheModule, LeaderboardService } from '../../libs/larder/src';
import { compare, type BenchCase, type Contender } from '../bench-kit';

const PLAYERS = 10_000;

/**
 * Scoring on a 10 000-member board: raw ioredis ZINCRBY + ZREVRANK pipelined (the baseline: what a
 * hand-rolled leaderboard does for "add points, tell me my rank") against Leaderboard.increment,
 * one EVALSHA that increments, trims to maxMembers, refreshes the ttl and reads the rank; and
 * reading the top 10: raw ZREVRANGE WITHSCORES against Leaderboard.top(10).
 */
const leaderboardBench: BenchCase = async ({ redisUrl, watch }) => {
  const raw = new Redis(redisUrl);
  const rawKey = 'bench-lb:raw';
  const app = await NestFactory.createApplicationContext(
    CacheModule.forRoot({ redis: redisUrl, namespace: 'bench-lb', logConnectionEvents: false }),
    { logger: false },
  );
  const board = app.get(LeaderboardService).board('season', { maxMembers: PLAYERS * 2, ttl: '1h' });
  const seed = raw.pipeline();
  for (let i = 0; i < PLAYERS; i++) {
    seed.zadd(rawKey, i, `p${i}`);
    seed.zadd('bench-lb:lb:season', i, `p${i}`);
  }
  await seed.exec();
  let n = 0;
  let wrong = 0;
  const player = () => `p${n++ % PLAYERS}`;
  const scoring = (concurrency: number): Contender[] => [
    {
      name: 'raw ioredis ZINCRBY + ZREVRANK (pipeline)',
      concurrency,
      op: async () => {
        const member = player();
        const replies = await raw.pipeline().zincrby(rawKey, 1, member).zrevrank(rawKey, member).exec();
        if (replies?.[1]?.[1] === null) wrong++;
      },
    },
    {
      name: 'Leaderboard.increment (score + rank)',
      concurrency,
      op: async () => {
        if ((await board.increment(player(), 1)) === undefined) wrong++;
      },
    },
  ];
  const reading: Contender[] = [
    {
      name: 'raw ioredis ZREVRANGE 0 9 WITHSCORES',
      concurrency: 50,
      op: async () => {
        if ((await raw.zrevrange(rawKey, 0, 9, 'WITHSCORES')).length !== 20) wrong++;
      },
    },
    {
      name: 'Leaderboard.top(10)',
      concurrency: 50,
      op: async () => {
        if ((await board.top(10)).length !== 10) wrong++;
      },
    },
  ];
  try {
    const tables = [
      await compare('Leaderboard scoring, sequential', scoring(1), { watch }),
      await compare('Leaderboard scoring, 50 concurrent callers', scoring(50), { watch }),
      await compare('Leaderboard top 10, 50 concurrent callers', reading, { watch }),
    ];
    if (wrong > 0) throw new Error(`${wrong} answers were wrong: the benchmark is invalid`);
    tables[0].note =
      'Leaderboard.increment is one EVALSHA (ZINCRBY, the maxMembers trim, PEXPIRE, ZSCORE, ZREVRANK in one atomic step); ' +
      'the baseline pipelines two commands and neither trims nor expires.';
    return tables;
  } finally {
    await raw.del(rawKey, 'bench-lb:lb:season');
    raw.disconnect();
    await app.close();
  }
};

export default leaderboardBench;
