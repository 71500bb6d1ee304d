import { Redis } from 'ioredis';
import { startRedisCluster, type RedisCluster } from '../../test/topology/redis-cluster';

/** A cluster for a bench case and one watch connection per master (commands counted on each). */
export interface BenchCluster {
  cluster: RedisCluster;
  /** One connection per master, for INFO only: never used by a measured operation. */
  watch: Redis[];
  stop(): Promise<void>;
}

/**
 * Starts a cluster of `masters` masters with no replicas through the test harness's bootstrap
 * (a replica would share the machine's cores with the masters it is meant to measure).
 */
export async function startBenchCluster(masters: number): Promise<BenchCluster> {
  const cluster = await startRedisCluster({ masters, replicas: 0 });
  const watch = (await cluster.masters()).map((node) => new Redis({ host: node.host, port: node.port }));
  return {
    cluster,
    watch,
    stop: async () => {
      for (const w of watch) w.disconnect();
      await cluster.teardown();
    },
  };
}
