/**
 * A process that owns one redis-server, for the bookkeeping tests (shared-topologies.spec.ts):
 * `node -r @swc-node/register test/topology/node-owner-worker.ts <crash|hang> <dir>`. It starts the
 * server with its files under `<dir>`, prints `pid <redis-server pid>`, then either throws (an
 * uncaught error, as a failing jest worker) or idles until it is killed.
 */
import { RedisNode } from './redis-node';

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2);
  const node = new RedisNode({ name: 'owned', dir, args: () => [] });
  await node.start();
  console.log(`pid ${node.pid}`);
  if (mode === 'crash') throw new Error('the owner crashes');
  setInterval(() => undefined, 60_000);
}

main().catch((error: unknown) => {
  setImmediate(() => {
    throw error;
  });
});
