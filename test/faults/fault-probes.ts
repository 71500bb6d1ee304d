import type { TestingModule } from '@nestjs/testing';
import { CacheService } from '@larder/nestjs';
import { eventually, uniqueNamespace } from '#test/test-helpers';
import type { RedisCluster } from '#test/topology/redis-cluster';
import type { RedisNode } from '#test/topology/redis-node';

/**
 * `count` keys (`<prefix>-<i>`) whose Redis key (`redisKey(key)`) sits on `master`, found with
 * CLUSTER KEYSLOT so a test aims its probes at the shard it breaks.
 */
export async function keysOn(
  cluster: RedisCluster,
  master: RedisNode,
  count: number,
  prefix: string,
  redisKey: (key: string) => string,
): Promise<string[]> {
  const found: string[] = [];
  for (let i = 0; found.length < count; i++) {
    if (i > 10_000) throw new Error(`no ${count} keys ${prefix}-* on ${master.name}`);
    const key = `${prefix}-${i}`;
    if ((await cluster.masterOfKey(redisKey(key))) === master) found.push(key);
  }
  return found;
}

/** Cache keys of a namespace whose values (`<namespace>::<key>`) sit on `master`. */
export function keysOnMaster(
  cluster: RedisCluster,
  master: RedisNode,
  namespace: string,
  count: number,
): Promise<string[]> {
  return keysOn(cluster, master, count, 'probe', (key) => `${namespace}::${key}`);
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
 * A namespace whose tag index (`{t:<namespace>}`, or with `tag: 's'` its sessions, `{s:<namespace>}`)
 * sits on `master`, so a test can break another shard and keep those writes reachable, or break that one.
 */
export async function namespaceIndexedOn(
  cluster: RedisCluster,
  master: RedisNode,
  tag: 't' | 's' = 't',
): Promise<string> {
  for (let i = 0; i < 10_000; i++) {
    const namespace = uniqueNamespace();
    if ((await cluster.masterOfKey(`{${tag}:${namespace}}`)) === master) return namespace;
  }
  throw new Error(`no namespace indexed on ${master.name}`);
}
