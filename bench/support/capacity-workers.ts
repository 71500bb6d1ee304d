import { createInterface } from 'node:readline';
import type { HostPort } from '../../test/topology/redis-cluster';
import { larderModule } from './cache-clients';
import { capacityOps, MIX } from './capacity-ops';

/**
 * One application process of the capacity case: `node capacity-workers.ts <targets JSON> <callers>`,
 * where targets maps a name to a cluster's startup nodes. Prints `ready`, then answers each stdin
 * line `<ms> <target>` with `{ "ops": n }` after running the mixed workload (MIX, in turn) on that
 * target with `callers` concurrent callers for `ms` milliseconds.
 */
async function main(): Promise<void> {
  const targets = JSON.parse(process.argv[2]) as Record<string, HostPort[]>;
  const callers = Number(process.argv[3]);
  const modules = [];
  const ops: Record<string, Awaited<ReturnType<typeof capacityOps>>> = {};
  for (const [name, nodes] of Object.entries(targets)) {
    const moduleRef = await larderModule({ redis: { nodes }, namespace: `cap-${process.pid}` });
    modules.push(moduleRef);
    ops[name] = await capacityOps(moduleRef);
  }
  console.log('ready');
  for await (const line of createInterface({ input: process.stdin })) {
    // `<ms> <target>`: a target's name may contain spaces.
    const space = line.indexOf(' ');
    const ms = line.slice(0, space);
    const target = line.slice(space + 1);
    const deadline = performance.now() + Number(ms);
    let done = 0;
    let step = 0;
    await Promise.all(
      Array.from({ length: callers }, async () => {
        while (performance.now() < deadline) {
          await ops[target][MIX[step++ % MIX.length]]();
          done++;
        }
      }),
    );
    console.log(JSON.stringify({ ops: done }));
  }
  for (const m of modules) await m.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
