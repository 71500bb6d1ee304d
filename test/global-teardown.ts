import { stopSharedTopologies } from './topology/shared-topologies';

/**
 * Jest globalTeardown: stops the redis-server that globalSetup started, if any, and the shared
 * topologies, then kills by PID every topology process a spec file left running.
 */
export default async function globalTeardown(): Promise<void> {
  await Promise.all([
    globalThis.__LARDER_REDIS__?.stop(),
    stopSharedTopologies(globalThis.__LARDER_TOPOLOGIES__),
  ]);
}
