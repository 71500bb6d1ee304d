import { Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { describeCacheContract } from '@larder/nestjs/testing';
import { testRedisUrl } from '#test/test-helpers';

describeCacheContract('memory', () => ({}));

describeCacheContract('Redis via @keyv/redis (URL)', () => ({ redis: testRedisUrl() }));

describe('with a shared ioredis instance', () => {
  const shared: Redis[] = [];
  afterAll(() => shared.forEach((c) => c.disconnect()));
  describeCacheContract('Redis via the shared ioredis connection', () => {
    const client = new Redis(testRedisUrl());
    shared.push(client);
    return { redis: client };
  });
});

describeCacheContract('L1 memory in front of Redis', () => ({
  redis: testRedisUrl(),
  memory: { maxItems: 1000, ttl: '1m' },
}));

describeCacheContract('a custom Keyv store (Map)', () => ({ store: new Keyv({ store: new Map() }) }));
