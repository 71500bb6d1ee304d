import { parseInfo, tryAdminCall } from './redis-admin';
import type { RedisNode } from './redis-node';

/** A SENTINEL MASTER reply, or one entry of SENTINEL REPLICAS: a flat [field, value, ...] list. */
export function sentinelFields(reply: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), String(reply[i + 1]));
  }
  return map;
}

/** The master port every answering sentinel reports, or undefined while they disagree. */
export async function agreedMasterPort(
  sentinels: RedisNode[],
  name: string,
  report?: (seen: string) => void,
): Promise<number | undefined> {
  const ports = new Set<number>();
  for (const sentinel of sentinels) {
    const reply = await tryAdminCall(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
    const port = Array.isArray(reply) ? Number(reply[1]) : undefined;
    report?.(`${sentinel.name} names port ${port}`);
    if (port === undefined) return undefined;
    ports.add(port);
  }
  return ports.size === 1 ? [...ports][0] : undefined;
}

/**
 * What keeps a Sentinel group from being whole, or undefined when it is: every answering sentinel
 * knows the master (not down), the running replicas (connected and not down: what SENTINEL
 * FAILOVER can promote) and all other sentinels, and each replica reports its link to the master
 * up. (The sentinels' own copy of a replica's link state follows its INFO, every 10 s, so it is
 * not awaited.)
 */
export async function sentinelGroupProblem(
  group: { name: string; sentinels: RedisNode[]; reachableSentinels: RedisNode[]; replicas: RedisNode[] },
  masterPort: number,
): Promise<string | undefined> {
  for (const sentinel of group.reachableSentinels) {
    const master = sentinelFields(await tryAdminCall(sentinel.port, 'SENTINEL', 'MASTER', group.name));
    const known = await tryAdminCall(sentinel.port, 'SENTINEL', 'REPLICAS', group.name);
    const upReplicas = (Array.isArray(known) ? known : [])
      .map(sentinelFields)
      .filter((replica) => replica.get('flags') === 'slave');
    const others = Number(master.get('num-other-sentinels'));
    if (master.get('flags') !== 'master' || upReplicas.length < group.replicas.length) {
      return `${sentinel.name}: master flags ${master.get('flags')}, ${upReplicas.length} replicas up`;
    }
    if (others < group.sentinels.length - 1) return `${sentinel.name}: knows ${others} other sentinels`;
  }
  for (const replica of group.replicas) {
    const info = parseInfo(await tryAdminCall(replica.port, 'INFO', 'replication'));
    if (info.get('master_port') !== String(masterPort) || info.get('master_link_status') !== 'up') {
      return `${replica.name}: role ${info.get('role')}, master port ${info.get('master_port')}, link ${info.get('master_link_status')}`;
    }
  }
  return undefined;
}
