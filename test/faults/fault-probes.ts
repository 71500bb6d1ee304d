import type { TestingModule } from '@nestjs/testing';
import { CacheService } from '@larder/nestjs';
import { eventually, uniqueNamespace } from '#test/test-helpers';
import type { RedisCluster } from '#test/topology/redis-cluster';
import type { RedisNode } from '#test/topology/redis-node';

/**
 * Cache keys of a namespace whose values (`<namespace>::<key>`) sit on `master`, found with
 * CLUSTER KEYSLOT so the test aims its probes at the shard it breaks.
 */
export async function keysOnMaster(
  cluster: RedisCluster,
  master: RedisNode,
  namespace: string,
  count: number,
): Promise<string[]> {
  const found: string[] = [];
  for (let i = 0; found.length < count; i++) {
    if (i > 10_000) throw new Error(`no ${count} keys of ${namespace} on ${master.name}`);
    const key = `probe-${i}`;
    if ((await cluster.masterOfKey(`${namespace}::${key}`)) === master) found.push(key);
  }
  return found;
}

/** Whether a write and a read of `key` both reach Redis now (a module built with `throwOnError`). */
export async function cacheServes(moduleRef: TestingModule, key: string): Promise<boolean> {
  const cache = moduleRef.get(CacheService);
  const value = `${key}@${Date.now()}`;
  try {
    await cache.set(key, value);
    return (await cache.get(key)) === value;
  } catch {
    return false;
  }
}

/**
 * The moment (performance.now()) from which `key` is served again, probing until `ms` passes.
 * Rejects when it never is: the fault was not routed around.
 */
export async function servedAgainAt(moduleRef: TestingModule, key: string, ms: number): Promise<number> {
  await eventually(() => cacheServes(moduleRef, key), ms, `"${key}" to be served again`);
  return performance.now();
}

/**
 * A namespace whose tag index (`{t:<namespace>}`) sits on `master`, so a test can break another
 * shard and keep tag writes reachable, or break that one.
 */
export async function namespaceIndexedOn(cluster: RedisCluster, master: RedisNode): Promise<string> {
  for (let i = 0; i < 10_000; i++) {
    const namespace = uniqueNamespace();
    if ((await cluster.masterOfKey(`{t:${namespace}}`)) === master) return namespace;
  }
  throw new Error(`no namespace indexed on ${master.name}`);
}
