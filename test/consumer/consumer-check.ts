// The consumer check: packs @larder/nestjs, installs the apps under examples/ from the tarball in
// a temporary directory outside the repository, compiles them strictly (skipLibCheck: false) and
// runs them against a private redis-server. Usage: npm run consumer-check
// LARDER_KEEP_CONSUMER=1 keeps the temporary directory for a look afterwards.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, freePort, type RedisServerHandle } from '../redis-server';
import { AppProcess } from './app-process';
import {
  installExample,
  makeWorkspace,
  packLibrary,
  removeWorkspace,
  tarballFiles,
} from './consumer-workspace';
import { runEsmAppScenario, runEsmTestingScenario } from './esm-app.scenario';
import { HttpClient } from './http-checks';
import { runNestAppScenario } from './nest-app.scenario';

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const say = (line: string) => console.log(`consumer-check [${elapsed()}] ${line}`);

const cleanups: Array<() => Promise<void> | void> = [];
async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await Promise.resolve()
      .then(cleanup)
      .catch((error: unknown) => console.error('consumer-check: cleanup failed:', error));
  }
}

/** How many keys the app wrote under its namespace: proof that it ran on Redis, not in memory. */
async function keysUnder(redisUrl: string, namespace: string): Promise<number> {
  const client = new Redis(redisUrl);
  try {
    let count = 0;
    for await (const keys of client.scanStream({ match: `*${namespace}*`, count: 1000 })) {
      count += (keys as string[]).length;
    }
    return count;
  } finally {
    client.disconnect();
  }
}

async function checkNestApp(
  dir: string,
  redis: RedisServerHandle,
  adapter: 'express' | 'fastify',
): Promise<void> {
  const port = await freePort();
  const namespace = `consumer-${adapter}`;
  const http: HttpClient = new HttpClient(`nest-app on ${adapter}`, `http://127.0.0.1:${port}`);
  const app = await AppProcess.start(http.label, `dist/main-${adapter}.js`, {
    cwd: dir,
    env: { ...process.env, REDIS_URL: redis.url, PORT: String(port), LARDER_NAMESPACE: namespace },
    ready: async () => (await http.request('GET', '/health')).status === 200,
  });
  cleanups.push(() => app.stop());
  try {
    const steps = await runNestAppScenario(http);
    const keys = await keysUnder(redis.url, namespace);
    http.check(keys > 0, `no key under the namespace ${namespace} in Redis`);
    say(`${http.label}: ${steps.join('; ')}; ${keys} keys in Redis`);
  } catch (error) {
    console.error(`--- ${http.label} output ---\n${app.log}`);
    throw error;
  } finally {
    await app.stop();
  }
}

async function main(): Promise<void> {
  const tarball = await packLibrary();
  const files = await tarballFiles(tarball);
  say(`packed ${tarball} (${files.length} files)`);

  const workspace = makeWorkspace();
  if (process.env.LARDER_KEEP_CONSUMER === '1') say(`keeping ${workspace}`);
  else cleanups.push(() => removeWorkspace(workspace));

  const redis = await startRedisServer();
  cleanups.push(() => redis.stop());
  say(`redis-server on ${redis.url}`);

  // Both installs run at once; both are awaited even when one fails, so no npm process is still
  // writing into the workspace when it is removed.
  const installs = await Promise.allSettled([
    installExample('nest-app', workspace, tarball),
    installExample('esm-app', workspace, tarball, (dir) => {
      // `@larder/nestjs/testing` is checked when the package has it (src/testing/index.ts).
      if (!files.includes('testing/index.js')) rmSync(join(dir, 'src/testing-entry.ts'));
    }),
  ]);
  const [nestApp, esmApp] = installs.map((install) => {
    if (install.status === 'rejected') throw install.reason;
    return install.value;
  });
  say('installed both examples from the tarball and compiled them (strict, skipLibCheck: false)');

  await checkNestApp(nestApp, redis, 'express');
  await checkNestApp(nestApp, redis, 'fastify');
  say(await runEsmAppScenario(esmApp, redis.url));
  say(await runEsmAppScenario(esmApp, undefined));
  if (existsSync(join(esmApp, 'dist/testing-entry.js'))) say(await runEsmTestingScenario(esmApp));
  else say('esm-app: the package has no ./testing entry point yet, not checked');
}

process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
main()
  .then(async () => {
    await cleanUp();
    say('passed');
  })
  .catch(async (error: unknown) => {
    console.error(
      `consumer-check: FAILED after ${elapsed()}\n`,
      error instanceof Error ? error.message : error,
    );
    await cleanUp();
    process.exit(1);
  });
