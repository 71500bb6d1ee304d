import { Redis } from 'ioredis';
import { describeLockContract } from '@larder/nestjs/testing';
import { MapLockStore } from '#test/fixtures/map-lock.store';
import { testRedisUrl } from '#test/test-helpers';

describeLockContract('memory', () => ({}));

describeLockContract('Redis (URL)', () => ({ redis: testRedisUrl() }));

describe('with a shared ioredis instance', () => {
  const shared: Redis[] = [];
  afterAll(() => shared.forEach((c) => c.disconnect()));
  describeLockContract('Redis (shared ioredis connection)', () => {
    const client = new Redis(testRedisUrl());
    shared.push(client);
    return { redis: client };
  });
});

describeLockContract('a LockStore of the application (lock.store)', () => ({
  lock: { store: new MapLockStore() },
}));
