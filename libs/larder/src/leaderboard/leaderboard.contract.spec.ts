import { Cluster, Redis } from 'ioredis';
import { describeLeaderboardContract } from '@larder/nestjs/testing';
import { testRedisUrl } from '#test/test-helpers';
import { testClusterNodes } from '#test/topology/shared-topologies';
import { RedisCoordinator } from '../redis/redis-coordinator';
import { MemoryLeaderboardStore } from './memory-leaderboard.store';
import { RedisLeaderboardStore } from './redis-leaderboard.store';

describeLeaderboardContract('memory', () => new MemoryLeaderboardStore());

describe('on a real Redis', () => {
  let coordinator: RedisCoordinator;
  beforeAll(async () => {
    coordinator = new RedisCoordinator(new Redis(testRedisUrl()), true, 2000);
    await coordinator.waitUntilReady(10_000);
  });
  afterAll(() => coordinator.close());

  describeLeaderboardContract('Redis', () => new RedisLeaderboardStore(coordinator));
});

describe('on Redis Cluster (3 masters)', () => {
  let coordinator: RedisCoordinator;
  beforeAll(async () => {
    coordinator = new RedisCoordinator(new Cluster(testClusterNodes()), true, 2000);
    await coordinator.waitUntilReady(10_000);
  });
  afterAll(() => coordinator.close());

  describeLeaderboardContract('Redis Cluster', () => new RedisLeaderboardStore(coordinator));
});
