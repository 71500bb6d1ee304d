import { Redis } from 'ioredis';
import { describeCompressionContract } from '#test/compression.contract';
import { testRedisUrl } from '#test/test-helpers';

describeCompressionContract('memory', () => ({}), { sharedStore: false });

const shared = { sharedStore: true };

describeCompressionContract('Redis via @keyv/redis (URL)', () => ({ redis: testRedisUrl() }), shared);

describeCompressionContract(
  'L1 memory in front of Redis',
  () => ({
    redis: testRedisUrl(),
    memory: { maxItems: 100 },
  }),
  shared,
);

describeCompressionContract('a Keyv store adapter (Map)', () => ({ store: new Map() }), {
  sharedStore: false,
});

describe('with a shared ioredis instance', () => {
  const clients: Redis[] = [];
  afterAll(() => clients.forEach((client) => client.disconnect()));
  describeCompressionContract(
    'Redis via the shared ioredis connection',
    () => {
      const client = new Redis(testRedisUrl());
      clients.push(client);
      return { redis: client };
    },
    shared,
  );
});
