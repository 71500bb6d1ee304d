import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRedisServer } from '../redis-server';
import { createRunDirectory, isRunning, killRecordedProcesses } from './process-registry';
import { RedisCluster, type HostPort } from './redis-cluster';
import { SentinelGroup } from './sentinel-group';

/**
 * The cluster and the Sentinel group that jest globalSetup starts once per run, for specs that
 * only read and write (contract suites). Specs that kill, pause or fail over nodes start their own
 * with startRedisCluster() / startSentinelGroup(), so one destructive test never breaks another.
 *
 * The addresses reach the workers through the environment, like LARDER_TEST_REDIS_URL:
 * LARDER_TEST_CLUSTER_NODES (`host:port,...`), LARDER_TEST_SENTINELS (`host:port,...`) and
 * LARDER_TEST_SENTINEL_NAME. `LARDER_TEST_TOPOLOGIES=single` skips starting them (a quicker run of
 * specs that need only the single server).
 */
export interface SharedTopologies {
  cluster: RedisCluster;
  sentinel: SentinelGroup;
}

const RUN_DIR_PREFIX = 'larder-topology-run-';

function formatAddresses(nodes: HostPort[]): string {
  return nodes.map(({ host, port }) => `${host}:${port}`).join(',');
}

function parseAddresses(variable: string): HostPort[] {
  const value = process.env[variable];
  if (!value) {
    throw new Error(
      `${variable} is not set: run the tests through jest, whose globalSetup starts the topologies ` +
        'when redis-server is installed and LARDER_TEST_TOPOLOGIES is not `single`.',
    );
  }
  return value.split(',').map((address) => {
    const at = address.lastIndexOf(':');
    return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
  });
}

/** The shared cluster's nodes, for `new Cluster(nodes)` or Larder's `redis: { nodes }`. */
export function testClusterNodes(): HostPort[] {
  return parseAddresses('LARDER_TEST_CLUSTER_NODES');
}

/** The shared Sentinel group, for `new Redis({ sentinels, name })` or Larder's `redis: { sentinels, name }`. */
export function testSentinel(): { sentinels: HostPort[]; name: string } {
  return {
    sentinels: parseAddresses('LARDER_TEST_SENTINELS'),
    name: process.env.LARDER_TEST_SENTINEL_NAME ?? 'larder',
  };
}

/**
 * Whether this run starts the shared cluster and Sentinel group: not when asked not to, nor without
 * a redis-server binary (a run against REDIS_URL alone; specs that need a topology then say so).
 */
function topologiesWanted(): boolean {
  return process.env.LARDER_TEST_TOPOLOGIES !== 'single' && hasRedisServer();
}

/**
 * Kills what earlier runs left behind when their jest process itself was killed (so their
 * globalTeardown never ran): each run directory is named after the jest process that owns it,
 * and only directories whose owner is gone are cleaned, so concurrent runs are left alone.
 */
function killOrphansOfDeadRuns(): void {
  for (const entry of readdirSync(tmpdir())) {
    const owner = Number(entry.slice(RUN_DIR_PREFIX.length).split('-')[0]);
    if (!entry.startsWith(RUN_DIR_PREFIX) || !Number.isInteger(owner) || isRunning(owner)) continue;
    killRecordedProcesses(join(tmpdir(), entry));
  }
}

/** jest globalSetup: records every process of the run by PID, then starts the shared topologies. */
export async function startSharedTopologies(): Promise<SharedTopologies | undefined> {
  killOrphansOfDeadRuns();
  createRunDirectory(mkdtempSync(join(tmpdir(), `${RUN_DIR_PREFIX}${process.pid}-`)));
  if (!topologiesWanted()) return undefined;
  const [cluster, sentinel] = await Promise.allSettled([RedisCluster.start(), SentinelGroup.start()]);
  if (cluster.status === 'rejected' || sentinel.status === 'rejected') {
    await Promise.all(
      [cluster, sentinel].map((started) =>
        started.status === 'fulfilled' ? started.value.teardown() : undefined,
      ),
    );
    throw cluster.status === 'rejected' ? cluster.reason : (sentinel as PromiseRejectedResult).reason;
  }
  process.env.LARDER_TEST_CLUSTER_NODES = formatAddresses(cluster.value.startupNodes());
  process.env.LARDER_TEST_SENTINELS = formatAddresses(sentinel.value.sentinelAddresses());
  process.env.LARDER_TEST_SENTINEL_NAME = sentinel.value.masterName;
  return { cluster: cluster.value, sentinel: sentinel.value };
}

/**
 * jest globalTeardown: stops the shared topologies, then kills by PID whatever a spec file left
 * running (a worker that crashed before its own teardown), and says so.
 */
export async function stopSharedTopologies(shared: SharedTopologies | undefined): Promise<void> {
  await Promise.all([shared?.cluster.teardown(), shared?.sentinel.teardown()]);
  const leftovers = killRecordedProcesses();
  if (leftovers.length > 0) {
    console.warn(
      `Killed ${leftovers.length} redis-server process(es) a spec file left running: ${leftovers.join(', ')}`,
    );
  }
}
