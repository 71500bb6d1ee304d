/** Jest globalTeardown: stops the redis-server that globalSetup started, if any. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__LARDER_REDIS__?.stop();
}
