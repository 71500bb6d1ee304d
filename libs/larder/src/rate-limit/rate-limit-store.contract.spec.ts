import { Redis } from 'ioredis';
import { describeRateLimitStoreContract } from '@larder/nestjs/testing';
import { testRedisUrl } from '#test/test-helpers';
import { RedisCoordinator } from '../redis/redis-coordinator';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { RedisRateLimitStore } from './redis-rate-limit.store';

describeRateLimitStoreContract('memory', (clock) => new MemoryRateLimitStore(1000, clock));

describe('on a real Redis', () => {
  let coordinator: RedisCoordinator;
  beforeAll(async () => {
    coordinator = new RedisCoordinator(new Redis(testRedisUrl()), true, 2000);
    await coordinator.waitUntilReady(10_000);
  });
  afterAll(() => coordinator.close());

  describeRateLimitStoreContract(
    'Redis (the Lua script)',
    (clock) => new RedisRateLimitStore(coordinator, clock),
  );
});
