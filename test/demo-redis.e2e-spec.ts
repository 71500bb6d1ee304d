import { describeDemo } from './demo/demo-suite';
import { startRedisServer, type RedisServerHandle } from './redis-server';
import { uniqueNamespace } from './test-helpers';

// A private Redis, so the health test can stop and restart it without disturbing other suites.
let server: RedisServerHandle;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

describeDemo(
  'Redis',
  () => ({ REDIS_URL: server.url, LARDER_NAMESPACE: uniqueNamespace('demo') }),
  () => server,
);
