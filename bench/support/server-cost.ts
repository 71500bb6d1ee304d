import type { Redis } from 'ioredis';

/** What some Redis servers have done so far: calls and execution time per command, and CPU time. */
export interface ServerSample {
  /** Per command (lower case): calls and µs spent executing it, from INFO commandstats. */
  commands: Map<string, { calls: number; usec: number }>;
  /** used_cpu_user + used_cpu_sys of the server processes, in µs (INFO cpu): I/O and parsing included. */
  cpuUs: number;
}

/** Sums INFO commandstats and INFO cpu over `servers`. */
export async function sampleServers(servers: Redis[]): Promise<ServerSample> {
  const commands = new Map<string, { calls: number; usec: number }>();
  let cpuUs = 0;
  for (const server of servers) {
    const info = await server.info('all');
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
      const entry = commands.get(m[1]) ?? { calls: 0, usec: 0 };
      entry.calls += Number(m[2]);
      entry.usec += Number(m[3]);
      commands.set(m[1], entry);
    }
    for (const m of info.matchAll(/^used_cpu_(?:user|sys):([\d.]+)/gm)) cpuUs += Number(m[1]) * 1e6;
  }
  return { commands, cpuUs };
}

/** What the servers did between two samples; the INFO calls themselves are left out. */
export function serverDelta(before: ServerSample, after: ServerSample): ServerSample {
  const commands = new Map<string, { calls: number; usec: number }>();
  for (const [name, a] of after.commands) {
    const b = before.commands.get(name) ?? { calls: 0, usec: 0 };
    if (name === 'info') continue;
    if (a.calls > b.calls) commands.set(name, { calls: a.calls - b.calls, usec: a.usec - b.usec });
  }
  return { commands, cpuUs: after.cpuUs - before.cpuUs };
}

/** Commands and execution µs in a delta, summed over every command. */
export function totals(delta: ServerSample): { calls: number; usec: number } {
  let calls = 0;
  let usec = 0;
  for (const c of delta.commands.values()) {
    calls += c.calls;
    usec += c.usec;
  }
  return { calls, usec };
}
