import { Cluster, Redis } from 'ioredis';
import { LARDER_REDIS, type LarderModuleOptions } from '@larder/nestjs';
import {
  describeCacheContract,
  describeLockContract,
  describeRateLimitStoreContract,
  describeSessionContract,
  type LarderTestingModule,
  type SessionStoreInspector,
} from '@larder/nestjs/testing';
import { RedisCoordinator } from '@larder/nestjs/redis/redis-coordinator';
import { RedisRateLimitStore } from '@larder/nestjs/rate-limit/redis-rate-limit.store';
import { sessionKeys } from '@larder/nestjs/session/session-keys';
import { testClusterNodes, testSentinel } from './shared-topologies';
import { describeCompressionContract } from '../compression.contract';
import { UNHURRIED_TIMEOUT } from '../test-helpers';

/**
 * The contract suites on the shared 3-master cluster and Sentinel group, each given both as
 * options (a connection Larder owns) and as the application's own ioredis client. The suites' keys
 * spread over many slots, so the cluster runs catch cross-slot and per-shard mistakes.
 */
const clients: Array<Redis | Cluster> = [];
afterAll(() => clients.forEach((client) => client.disconnect()));

function own<T extends Redis | Cluster>(client: T): T {
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

/** The session store's records, read through the module's own connection (they share one hash tag). */
function inspectRedis(moduleRef: LarderTestingModule, namespace: string): SessionStoreInspector {
  const { client } = moduleRef.get<RedisCoordinator>(LARDER_REDIS);
  const keys = sessionKeys(namespace);
  return {
    indexSize: (userKey) => client.zcard(keys.userIndex(userKey)),
    holds: async (handle) => (await client.exists(keys.session(handle))) === 1,
  };
}

const topologies: Array<[string, () => LarderModuleOptions['redis']]> = [
  ['Redis Cluster ({ nodes })', () => ({ nodes: testClusterNodes() })],
  ["Redis Cluster (the application's Cluster)", () => own(new Cluster(testClusterNodes()))],
  ['Sentinel ({ sentinels, name })', () => testSentinel()],
  ["Sentinel (the application's Redis)", () => own(new Redis(testSentinel()))],
];

/**
 * The suites check behaviour, not deadlines: a starved machine must not turn a slow reply into a
 * timeout (a miss, a refused lock), and the boot waits this long for a cluster to be ready.
 */
const unhurried = { commandTimeout: UNHURRIED_TIMEOUT };

for (const [name, redis] of topologies) {
  describe(name, () => {
    describeCacheContract('cache', () => ({ redis: redis(), ...unhurried }));
    describeLockContract('locks', () => ({ redis: redis(), ...unhurried }));
    describeSessionContract('sessions', {
      options: () => ({ redis: redis(), ...unhurried }),
      inspect: inspectRedis,
    });
  });
}

describeCompressionContract(
  'Redis Cluster ({ nodes })',
  () => ({ redis: { nodes: testClusterNodes() }, ...unhurried }),
  { sharedStore: true },
);

describeCacheContract('L1 memory in front of Redis Cluster', () => ({
  redis: { nodes: testClusterNodes() },
  memory: { maxItems: 1000, ttl: '1m' },
  ...unhurried,
}));

describe.each([
  ['Redis Cluster', () => new Cluster(testClusterNodes())],
  ['Sentinel', () => new Redis(testSentinel())],
])('rate-limit store on %s', (_name, connect) => {
  let coordinator: RedisCoordinator;
  beforeAll(async () => {
    coordinator = new RedisCoordinator(own(connect()), false, 2000);
    await coordinator.waitUntilReady(10_000);
  });
  afterAll(() => coordinator.close());
  describeRateLimitStoreContract(
    'Redis (the Lua script)',
    (clock) => new RedisRateLimitStore(coordinator, clock),
  );
});
